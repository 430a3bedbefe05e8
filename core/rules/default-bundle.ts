import type { RulesBundle } from './bundle.ts';

/**
 * The bundle a fresh hub starts with: 1 point per yuan after discounts, silver ×1.2, gold ×1.5, diamond ×2,
 * 100 points = 1 yuan (no share limit, as the first engine had: HQ sets maxShare/minPoints in its own
 * bundle; the points-paid part earns nothing), points expire 365 days after earning, tiers by points earned:
 * silver from 1000, gold from 2001, diamond from 6001, never downgraded. Format 2: points rounded once per
 * purchase, spend bands by bill amount, every point source counting towards tiers (bundle.ts, docs/RULES.md).
 */
export const DEFAULT_RULES_BUNDLE: RulesBundle = {
  version: 1,
  format: 2,
  timezone: 'Asia/Shanghai',
  points: {
    earnOn: 'after_discount',
    rounding: 'floor',
    multiplierStacking: 'multiply',
    expiry: { kind: 'days', days: 365 },
  },
  pointsPayment: { pointsPerYuan: 100, maxShare: '1', minPoints: 0, earnsPoints: false },
  tiers: {
    ladder: [
      { tier: 'standard', from: 0 },
      { tier: 'silver', from: 1000 },
      { tier: 'gold', from: 2001 },
      { tier: 'diamond', from: 6001 },
    ],
    basis: 'points_earned',
    downgrade: { policy: 'never' },
  },
  rules: [
    // No label of HQ's: the engine words the rate itself, in each reader's language ("1 pt/yuan", "每元1积分").
    { kind: 'earn_rate', id: 'base', rate: '1' },
    { kind: 'multiplier', id: 'tier-multipliers', byTier: { silver: '1.2', gold: '1.5', diamond: '2' } },
  ],
};
