/**
 * A bundle with card types and a fee schedule for the planner tests (docs/ACCOUNTS.md "Card types" and "Fees"):
 * the plain card 普通卡 (the default, no issue fee: kiosk self-registration issues it), a gold card type 金卡
 * that stands for the gold tier (issue ¥20, annual ¥50, replace ¥10, repair ¥5, extend ¥30 for 12 months,
 * valid 12 months) and a supplementary card 附属卡 (annual ¥20, ¥100 per purchase, ¥200 per day, no points).
 */
import type { RulesBundle } from '../../rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../rules/default-bundle.ts';

export function bundleWithCardTypes(overrides: Partial<RulesBundle> = {}): RulesBundle {
  return {
    ...DEFAULT_RULES_BUNDLE,
    cardTypes: {
      default: 'plain',
      types: [
        { typeId: 'plain', label: '普通卡', class: 'personal', fees: { replace: 1_000 } },
        {
          typeId: 'gold',
          label: '金卡',
          class: 'personal',
          tier: 'gold',
          validityMonths: 12,
          fees: { issue: 2_000, annual: 5_000, replace: 1_000, repair: 500, extend: 3_000 },
        },
        {
          typeId: 'supp',
          label: '附属卡',
          class: 'supplementary',
          validityMonths: 1,
          extendMonths: 6,
          limits: { perTransactionCents: 10_000, perDayCents: 20_000, pointsPayment: false },
          fees: { annual: 2_000, return: 300 },
        },
      ],
    },
    ...overrides,
  };
}
