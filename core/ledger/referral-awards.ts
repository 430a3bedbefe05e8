import type { Points } from '../money/integers.ts';
import type { LedgerEffect, Posting } from './types.ts';

/**
 * Points a transaction earns for the member's referrers: one new lot per referrer, named after the
 * transaction and the level, posted to that referrer's points account.
 */
export function creditReferralAwards(
  effect: LedgerEffect,
  txId: string,
  at: string,
  expiresAt: string | null,
  awards: readonly { memberId: string; level: number; points: Points }[],
): Posting[] {
  const postings: Posting[] = [];
  for (const award of awards) {
    if (award.points <= 0) continue;
    const lotId = `${txId}:ref${award.level}`;
    effect.newLots.push({ lotId, earnedAt: at, expiresAt, memberId: award.memberId });
    postings.push({ account: 'points', amount: award.points, lotId, memberId: award.memberId });
    effect.summary.trace.push(`referral level ${award.level}: +${award.points} to ${award.memberId}`);
  }
  return postings;
}
