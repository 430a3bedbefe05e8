import { CodedError } from '../errors/coded-error.ts';
import { pointsExpiry } from '../rules/engine.ts';
import { evaluateTierCredit } from '../rules/tiers.ts';
import { HQ_DEVICE_ID } from '../wire/hq-device.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { assertCardUsable } from './card-rules.ts';
import type { PlanningContext } from './planning-context.ts';
import { assertStaffMayAct } from './staff-rules.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/**
 * A redemption code (兑换码) the member typed: the code's points, once. Decided here only, at the hub, in the
 * ledger transaction that marks the code used, so two redemptions of one code — two kiosks at once, a replay —
 * can never both apply: the second reads the code used and is refused CODE_USED (recorded). A code no batch
 * issued is CODE_UNKNOWN, one past its batch's expiry CODE_EXPIRED; a card that may not be used refuses first
 * and leaves the code unused. Through the hub API (device hq) a signed-in staff member redeems for a member in
 * their scope; the transaction names them (audited like every staff transaction).
 *
 * The points are a new lot with the rules' usual expiry. They count toward the member's tier where the rules'
 * `tiers.countedSources` names 'code' (every source by default: the chains tier on member points, and a code is
 * the product label's bonus, the seeds' "购买该产品…额外赠送100积分"), with the upgrade check every credit runs.
 */
export function planCodeRedeem(tx: TransactionOf<'code_redeem'>, ctx: PlanningContext): LedgerEffect {
  if (tx.deviceId === HQ_DEVICE_ID) assertStaffMayAct(tx, ctx);
  assertCardUsable(ctx.card, tx.createdAt);
  const code = ctx.redemptionCode ?? null;
  if (!code) throw new CodedError('CODE_UNKNOWN');
  if (code.usedByTxId !== null) throw new CodedError('CODE_USED', `this code was used at ${code.usedAt ?? 'an earlier time'}`, { usedAt: code.usedAt });
  if (tx.createdAt >= code.expiresAt) throw new CodedError('CODE_EXPIRED', `this code expired at ${code.expiresAt}`, { expiresAt: code.expiresAt });
  const effect = emptyEffect(ctx.member.memberId);
  const lotId = `${tx.id}:code`;
  effect.newLots.push({ lotId, earnedAt: tx.createdAt, expiresAt: pointsExpiry(ctx.bundle, tx.createdAt, ctx.member.tier) });
  effect.postings.push({ account: 'points', amount: code.points, lotId });
  const credit = evaluateTierCredit(ctx.bundle, { member: ctx.member, source: 'code', points: code.points });
  const tier = credit.tierAfter;
  effect.memberChanges = { ...(tier ? { tier } : {}), cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: credit.countedPoints };
  effect.codeRedemption = { codeHash: code.codeHash, batchId: code.batchId };
  effect.summary = {
    pointsEarned: code.points,
    pointsSpent: 0,
    valueDeltaCents: 0,
    trace: [`code ${code.sku} (${code.batchName}): +${code.points}`, ...(tier ? [`${ctx.member.tier} → ${tier}`] : [])],
  };
  return effect;
}
