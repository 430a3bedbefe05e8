import { CodedError } from '../errors/coded-error.ts';
import { evaluateRegistration } from '../rules/engine.ts';
import { countedPoints } from '../rules/tiers.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import type { PlanningContext } from './planning-context.ts';
import { creditReferralAwards } from './referral-awards.ts';
import { registeredCardType } from './card-types.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';
import { keyed, traceLinesOf } from '../rules/short-trace.ts';

/** The member id a registration creates: derived from the transaction id, so a replay creates nobody twice. */
export function memberIdFor(registrationTxId: string): string {
  return `M-${registrationTxId}`;
}

/**
 * A new member registers with a fresh card, optionally naming a referrer. The new member gets the
 * registration bonus; the chain of referrers gets the multi-level referral points the rules give. Both run the
 * upgrade check where the rules count those points towards tiers (the new member's starting tier, each
 * referrer's tier: referral-awards.ts).
 */
export function planRegisterMember(tx: TransactionOf<'register_member'>, ctx: PlanningContext): LedgerEffect {
  if (ctx.phoneTaken) throw new CodedError('MEMBER_PHONE_TAKEN');
  const memberId = memberIdFor(tx.id);
  const evaluation = evaluateRegistration(ctx.bundle, { at: tx.createdAt, storeId: tx.storeId, ...(ctx.regionId === undefined ? {} : { regionId: ctx.regionId }), memberId, referrerChain: ctx.referrerChain });
  const effect = emptyEffect(memberId);
  // The member's home store is the store the registration was made in: a kiosk's is the store it was enrolled
  // in (the ledger refuses a transaction naming another, TX_STORE_MISMATCH, before planning).
  effect.newMember = { memberId, name: tx.name, phone: tx.phone, tier: evaluation.tier, referrerId: ctx.referrerChain[0] ?? null, homeStoreId: tx.storeId };
  // The default card type (card-types.ts); its first annual fee, if any, is the sweep's in this month.
  effect.newCards.push({ uid: tx.cardUid, memberId, ...registeredCardType(ctx.bundle, tx.createdAt) });
  const ownEntries = evaluation.trace.filter((t) => !evaluation.referralAwards.some((a) => a.ruleId === t.ruleId));
  Object.assign(effect.summary, keyed(traceLinesOf(ownEntries, effect.summary.trace.length)));
  effect.summary.trace.push(...ownEntries.map((t) => `${t.label}: +${t.points ?? 0}`));
  if (evaluation.points > 0) {
    const lotId = `${tx.id}:earn`;
    effect.newLots.push({ lotId, earnedAt: tx.createdAt, expiresAt: evaluation.pointsExpireAt });
    effect.postings.push({ account: 'points', amount: evaluation.points, lotId });
  }
  effect.postings.push(
    ...creditReferralAwards(effect, tx.id, tx.createdAt, evaluation.pointsExpireAt, evaluation.referralAwards, { bundle: ctx.bundle, referrers: ctx.referrers }),
  );
  // The welcome bonus counts towards the new member's tier where the rules say so (its tier is in evaluation.tier).
  effect.memberChanges = { cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: countedPoints(ctx.bundle, 'registration', evaluation.points) };
  effect.summary.pointsEarned = evaluation.points;
  return effect;
}
