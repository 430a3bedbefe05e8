import { CodedError } from '../errors/coded-error.ts';
import { pointsExpiry } from '../rules/expiry.ts';
import type { HqOnlyTransactionOf } from '../wire/transaction.ts';
import { registeredCardType } from './card-types.ts';
import type { MemberPlanningContext } from './planning-context.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/** The tiers a member may be imported into: the rules' ladder, or the entry tier registration gives without one. */
export function importableTiers(bundle: MemberPlanningContext['bundle']): string[] {
  return bundle.tiers?.ladder.map((step) => step.tier) ?? ['standard'];
}

/**
 * One member of a file imported from a chain's old system: the member (their tier and home store as the old system
 * had them), a card of the default type, and the opening balances as journal entries — principal on
 * `stored_value`, bonus value on `bonus_value`, points in one lot of their own with the rules' usual expiry from
 * the day of the import. History is not a new referral and not new spending: no referral points, no welcome
 * bonus, nothing added to the figures tiers are reached by (the tier comes from the file).
 *
 * The hub validates the whole file before anything is applied (hub/members-import/); the ledger checks again here,
 * inside the database transaction, what could have changed meanwhile, and refuses: a member id that exists
 * (MEMBER_EXISTS: this row of this file was imported already), a phone or card taken since, an unknown referrer
 * or tier. The import applies every row in one database transaction and rolls all of them back on any refusal.
 */
export function planMemberImport(tx: HqOnlyTransactionOf<'member_import'>, ctx: MemberPlanningContext): LedgerEffect {
  const target = ctx.memberImport;
  // The ledger store reads this for every member_import: without it the checks below could not be made.
  if (!target) throw new CodedError('INTERNAL', 'member_import planned without what the ledger holds of its member');
  if (target.memberExists) throw new CodedError('MEMBER_EXISTS', `member ${tx.memberId} exists: row ${tx.row} of this file was imported already`);
  if (target.phoneTaken) throw new CodedError('MEMBER_PHONE_TAKEN');
  if (target.cardTaken) throw new CodedError('CARD_ALREADY_EXISTS');
  if (tx.referrerPhone !== undefined && !target.referrerId) throw new CodedError('REFERRER_UNKNOWN');
  if (!importableTiers(ctx.bundle).includes(tx.tier)) throw new CodedError('TIER_UNKNOWN', `the rules define no tier ${tx.tier}`);

  const effect = emptyEffect(tx.memberId);
  effect.newMember = { memberId: tx.memberId, name: tx.name, phone: tx.phone, tier: tx.tier, referrerId: target.referrerId ?? null, homeStoreId: tx.homeStoreId };
  effect.newCards.push({ uid: tx.cardUid, memberId: tx.memberId, ...registeredCardType(ctx.bundle, tx.createdAt) });
  if (tx.storedValueCents > 0) effect.postings.push({ account: 'stored_value', amount: tx.storedValueCents });
  if (tx.bonusValueCents > 0) effect.postings.push({ account: 'bonus_value', amount: tx.bonusValueCents });
  if (tx.points > 0) {
    const lotId = `${tx.id}:import`;
    effect.newLots.push({ lotId, earnedAt: tx.createdAt, expiresAt: pointsExpiry(ctx.bundle, tx.createdAt, tx.tier) });
    effect.postings.push({ account: 'points', amount: tx.points, lotId });
  }
  effect.summary = {
    pointsEarned: 0,
    pointsSpent: 0,
    valueDeltaCents: tx.storedValueCents + tx.bonusValueCents,
    trace: [`imported (file ${tx.importId.slice(0, 12)}, row ${tx.row}): stored value ${tx.storedValueCents}, bonus value ${tx.bonusValueCents} cents, ${tx.points} points`],
  };
  return effect;
}
