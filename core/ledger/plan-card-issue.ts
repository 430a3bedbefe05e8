import { CodedError } from '../errors/coded-error.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { isAttachedClass, localYearOf, monthsLater, requireCardType, scheduledFee } from './card-types.ts';
import { chargeFees, feeTrace } from './fee-charges.ts';
import type { PlanningContext } from './planning-context.ts';
import { assertStaffMayAct } from './staff-rules.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/**
 * Staff issue a card of an HQ-defined type on the accounts of the member `cardUid` names (办卡, 附属卡):
 *
 * - The new card points at the same member, so it shares their stored value, points and credit; an attached
 *   type (supplementary, linked, group) spends them within its own limits (core/ledger/card-limits.ts).
 * - Its validity ends `validityMonths` after issue where the type sets one.
 * - The type's issue fee and its first annual fee (年费 is charged in the issue month) are charged together, by
 *   the tender staff name; the kiosk's `feeCents` must be their sum where it names one.
 * - A type standing for a tier (金卡) lifts the member to that tier, never down.
 */
export function planCardIssue(tx: TransactionOf<'card_issue'>, ctx: PlanningContext): LedgerEffect {
  assertStaffMayAct(tx, ctx);
  if (ctx.newCardTaken) throw new CodedError('CARD_ALREADY_EXISTS', `card ${tx.newCardUid.slice(-4)} is already issued`);
  if (ctx.card.status === 'cancelled') throw new CodedError('CARD_CANCELLED', 'issue the card on an open card of the member');
  const type = requireCardType(ctx.bundle, tx.cardTypeId);
  const fees = chargeFees(
    [
      { cardUid: tx.newCardUid, feeKind: 'issue', scheduledCents: scheduledFee(type, 'issue'), tender: tx.feeTender },
      { cardUid: tx.newCardUid, feeKind: 'annual', scheduledCents: scheduledFee(type, 'annual'), tender: tx.feeTender },
    ],
    tx.feeCents,
    ctx.member,
    ctx.deviceMode,
  );
  const effect = emptyEffect(ctx.member.memberId);
  effect.postings.push(...fees.postings);
  // The first annual fee belongs to the issue year in the bundle's zone; the sweep skips a year already paid.
  const feeCharges = fees.feeCharges.map((charge) => (charge.feeKind === 'annual' ? { ...charge, year: localYearOf(ctx.bundle, tx.createdAt) } : charge));
  if (feeCharges.length > 0) effect.feeCharges = feeCharges;
  const validUntil = type.validityMonths === undefined ? null : monthsLater(ctx.bundle, tx.createdAt, type.validityMonths);
  effect.newCards.push({
    uid: tx.newCardUid,
    memberId: ctx.member.memberId,
    cardType: type.typeId,
    holderName: tx.holderName ?? null,
    validUntil,
  });
  const lifted = liftedTier(ctx, type.tier);
  if (lifted !== null) effect.memberChanges.tier = lifted;
  const storedValuePaid = fees.postings.reduce((sum, p) => sum + (p.account === 'stored_value' ? -p.amount : 0), 0);
  effect.summary = {
    pointsEarned: 0,
    pointsSpent: 0,
    valueDeltaCents: 0 - storedValuePaid,
    trace: [
      `card ${tx.newCardUid.slice(-4)} issued as ${type.typeId}${isAttachedClass(type) ? ` (${type.class})` : ''}${validUntil ? `, valid until ${validUntil}` : ''}`,
      ...feeTrace(feeCharges),
      ...(lifted !== null ? [`tier ${ctx.member.tier} → ${lifted} (card type)`] : []),
    ],
  };
  return effect;
}

/** The card type's tier where it ranks above the member's on the ladder; null otherwise. */
function liftedTier(ctx: PlanningContext, tier: string | undefined): string | null {
  if (tier === undefined) return null;
  const ladder = ctx.bundle.tiers?.ladder.map((rung) => rung.tier) ?? [];
  const target = ladder.indexOf(tier);
  if (target < 0) throw new CodedError('CARD_TYPE_UNKNOWN', `the card type names tier ${tier}, which the ladder lacks`);
  return target > ladder.indexOf(ctx.member.tier) ? tier : null;
}
