import type { Points } from '../money/integers.ts';
import type { RulesBundle } from '../rules/bundle.ts';
import { pointsExpiry } from '../rules/expiry.ts';
import { evaluateTierCredit } from '../rules/tiers.ts';
import type { LedgerEffect, MemberState, Posting } from './types.ts';

/**
 * Points a transaction earns for the member's referrers: one new lot per referrer, named after the
 * transaction and the level, posted to that referrer's points account. Where the rules count referral points
 * towards tiers (tiers.countedSources; every source by default), each referrer's awards of this transaction
 * are added to their points figure and run the upgrade check: a referrer at 941 points who earns 100 reaches
 * 1041 and, with silver from 1000, becomes silver (effect.otherMemberChanges; the write port applies them).
 */
export function creditReferralAwards(
  effect: LedgerEffect,
  txId: string,
  at: string,
  expiresAt: string | null,
  awards: readonly { memberId: string; level: number; points: Points }[],
  rules: { bundle: RulesBundle; referrers?: readonly MemberState[] | undefined },
): Posting[] {
  const postings: Posting[] = [];
  const byReferrer = new Map<string, number>();
  for (const award of awards) {
    if (award.points <= 0) continue;
    const lotId = `${txId}:ref${award.level}`;
    // Points validity per tier (points.expiryByTier) follows the referrer's own tier, where the planner knows it.
    const referrer = rules.referrers?.find((r) => r.memberId === award.memberId);
    const lotExpiresAt = referrer && rules.bundle.points?.expiryByTier !== undefined ? pointsExpiry(rules.bundle, at, referrer.tier) : expiresAt;
    effect.newLots.push({ lotId, earnedAt: at, expiresAt: lotExpiresAt, memberId: award.memberId });
    postings.push({ account: 'points', amount: award.points, lotId, memberId: award.memberId });
    effect.summary.trace.push(`referral level ${award.level}: +${award.points} to ${award.memberId}`);
    byReferrer.set(award.memberId, (byReferrer.get(award.memberId) ?? 0) + award.points);
  }
  for (const [memberId, points] of byReferrer) {
    const referrer = rules.referrers?.find((r) => r.memberId === memberId);
    const member = referrer ?? { memberId, tier: '', cumulativeSpendCents: 0, cumulativePointsEarned: 0 };
    const credit = evaluateTierCredit(rules.bundle, { member, source: 'referral', points });
    if (credit.countedPoints === 0) continue;
    const tier = referrer ? credit.tierAfter : null;
    (effect.otherMemberChanges ??= []).push({ memberId, ...(tier ? { tier } : {}), cumulativePointsEarnedDelta: credit.countedPoints });
    if (tier && referrer) effect.summary.trace.push(`referrer ${memberId}: ${referrer.tier} → ${tier}`);
  }
  return postings;
}
