/**
 * Tier review at the end of each period, for rules whose tiers are re-evaluated ("reevaluate" downgrade
 * policy): every member's tier follows what they earned (or spent) in the period that just closed. Each
 * change is a recorded transaction (device "hq", kind tier_review) so the member's history shows it; there
 * are no journal entries because no balance moves. A period is reviewed once, and only if the hub tracked it
 * from its first day: a member whose activity before the tracking began is unknown is never downgraded for it.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import { compileBundle, evaluateTier, lastClosedTierPeriod, tierPeriodAt } from '../../../core/rules/engine.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import { canonicalJson } from '../../../core/wire/parse-transaction.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { contentHash } from '../apply-received.ts';
import { hqSequence } from './hq-sequence.ts';
import type { RowReaders } from './row-readers.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
export const TIER_TRACKING_SINCE = 'tier_tracking_since';

export type TierReviewOutcome =
  | { status: 'nothing_due' }
  | { status: 'already_reviewed'; period: string }
  | { status: 'skipped_not_fully_tracked'; period: string }
  | { status: 'reviewed'; period: string; members: number; changed: number };

export function reviewTiers(db: Database, readers: RowReaders, bundle: RulesBundle, now: string): TierReviewOutcome {
  const period = lastClosedTierPeriod(bundle, now);
  if (!period) return { status: 'nothing_due' };
  const done = db.prepare<[string], { period_key: string }>('SELECT period_key FROM tier_reviews WHERE period_key = ?').get(period.key);
  if (done) return { status: 'already_reviewed', period: period.key };
  const recordReview = db.prepare('INSERT INTO tier_reviews (period_key, reviewed_at, changed) VALUES (?, ?, ?)');
  const since = db.prepare<[string], { value: string }>('SELECT value FROM schema_meta WHERE key = ?').get(TIER_TRACKING_SINCE)?.value;
  if (!since || since > period.start) {
    recordReview.run(period.key, now, -1);
    return { status: 'skipped_not_fully_tracked', period: period.key };
  }

  const spendBasis = compileBundle(bundle).tiers?.basis === 'cumulative_spend';
  const figuresOf = (key: string | undefined) =>
    new Map(
      db
        .prepare<[string], { member_id: string; points_earned: number; spend_cents: number }>('SELECT member_id, points_earned, spend_cents FROM member_period_figures WHERE period_key = ?')
        .all(key ?? '')
        .map((r) => [r.member_id, spendBasis ? r.spend_cents : r.points_earned]),
    );
  const figures = figuresOf(period.key);
  // A member who already qualifies for more in the period under way is not pushed below that by the review.
  const currentFigures = figuresOf(tierPeriodAt(bundle, now)?.key);
  const rank = new Map((bundle.tiers?.ladder ?? []).map((step, index) => [step.tier, index]));
  const memberIds = db.prepare<[], { member_id: string }>('SELECT member_id FROM members ORDER BY member_id').all().map((r) => r.member_id);
  const setTier = db.prepare('UPDATE members SET tier = ? WHERE member_id = ?');
  const sequence = hqSequence(db);
  const insertTx = db.prepare(
    `INSERT INTO transactions (tx_id, device_id, seq, kind, content_hash, payload, status, code, member_id, bundle_version, created_at, applied_at, result)
     VALUES (?, ?, ?, 'tier_review', ?, ?, 'applied', NULL, ?, ?, ?, ?, ?)`,
  );

  let changed = 0;
  let reviewedMeanwhile = false;
  // IMMEDIATE, and the review checked again under the write lock: another writer on the same file may have
  // reviewed the period since the check above, and HQ's seq must be read where it is taken.
  db.transaction(() => {
    if (db.prepare<[string], { period_key: string }>('SELECT period_key FROM tier_reviews WHERE period_key = ?').get(period.key)) {
      reviewedMeanwhile = true;
      return;
    }
    let seq = sequence.last();
    for (const memberId of memberIds) {
      const member = readers.member(memberId);
      if (!member) continue;
      const context = { memberId, tier: member.tier, cumulativeSpendCents: member.cumulativeSpendCents, cumulativePointsEarned: member.cumulativePointsEarned };
      const figure = figures.get(memberId) ?? 0;
      const closed = evaluateTier(bundle, { member: context, mode: 'period_end', periodFigure: figure });
      const sofar = evaluateTier(bundle, { member: context, mode: 'period_end', periodFigure: currentFigures.get(memberId) ?? 0 });
      const review = (rank.get(sofar.tierAfter) ?? 0) > (rank.get(closed.tierAfter) ?? 0) ? sofar : closed;
      if (!review.changed) continue;
      changed += 1;
      seq += 1;
      setTier.run(review.tierAfter, memberId);
      const txId = nextId();
      const payload = canonicalJson({ kind: 'tier_review', memberId, period: period.key, figure, tierBefore: review.tierBefore, tierAfter: review.tierAfter });
      const result: TxResult = {
        id: txId,
        seq,
        status: 'applied',
        outcome: {
          kind: 'tier_review',
          memberId,
          cardUid: '',
          tier: review.tierAfter,
          balances: { storedValueCents: member.storedValueCents, bonusValueCents: member.bonusValueCents, points: member.points },
          pointsEarned: 0,
          pointsSpent: 0,
          valueDeltaCents: 0,
          trace: [`${period.key} review: ${figure} → ${review.tierBefore} to ${review.tierAfter}`],
        },
      };
      insertTx.run(txId, HQ_DEVICE_ID, seq, contentHash(payload), payload, memberId, bundle.version, period.end, now, JSON.stringify(result));
    }
    sequence.advanceTo(seq);
    recordReview.run(period.key, now, changed);
  }).immediate();
  if (reviewedMeanwhile) return { status: 'already_reviewed', period: period.key };
  return { status: 'reviewed', period: period.key, members: memberIds.length, changed };
}
