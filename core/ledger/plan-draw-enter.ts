import { instantOutcome } from '../draws/draw-outcome.ts';
import { CodedError } from '../errors/coded-error.ts';
import { pointsExpiry } from '../rules/engine.ts';
import { evaluateTierCredit } from '../rules/tiers.ts';
import { HQ_DEVICE_ID } from '../wire/hq-device.ts';
import type { TransactionOf } from '../wire/transaction.ts';
import { assertCardUsable } from './card-rules.ts';
import type { PlanningContext } from './planning-context.ts';
import { drawPoints } from './point-lots.ts';
import { emptyEffect, type LedgerEffect } from './types.ts';

/**
 * One entry in a points draw (积分抽奖), decided at the hub: the draw's cost is drawn from the member's lots
 * (soonest-expiring first; INSUFFICIENT_POINTS when they do not cover it), the instant outcome is
 * HMAC-SHA256(seed, transaction id) against the prizes' weights and the stock left now (core/draws/draw-outcome.ts:
 * a pick on a prize with no stock left wins nothing), and the prize's stock goes down by one in this same ledger
 * transaction. A replay of the transaction is answered with its stored result; applied again from scratch it
 * would get the same ticket. A points prize is credited as a new lot, counted toward the tier where the rules'
 * `tiers.countedSources` names 'draw' (with the upgrade check); a gift prize is recorded to collect at the counter.
 *
 * Entries come from kiosks, for the card on their reader, while they are connected (an offline kiosk does not
 * offer draws); HQ enters nobody. A draw not opened yet is DRAW_NOT_OPEN; closed, or an entry dated at or after
 * its closing time, DRAW_CLOSED.
 */
export function planDrawEnter(tx: TransactionOf<'draw_enter'>, ctx: PlanningContext): LedgerEffect {
  if (tx.deviceId === HQ_DEVICE_ID) throw new CodedError('TX_NOT_ALLOWED_FROM_DEVICE', 'draw entries are made by members at kiosks, not by HQ', { deviceId: tx.deviceId });
  assertCardUsable(ctx.card, tx.createdAt);
  const draw = ctx.draw ?? null;
  if (!draw) throw new CodedError('DRAW_UNKNOWN', `no draw ${tx.drawId}`);
  if (draw.status === 'draft') throw new CodedError('DRAW_NOT_OPEN');
  if (draw.status === 'closed' || tx.createdAt >= draw.closesAt) throw new CodedError('DRAW_CLOSED', `the draw closed at ${draw.closesAt}`, { closesAt: draw.closesAt });
  const drawn = drawPoints(ctx.lots, draw.costPoints, tx.createdAt);
  const outcome = instantOutcome(draw.seedHex, tx.id, draw.prizes, draw.noPrizeWeight);
  const prize = outcome.prizeId === null ? null : draw.prizes.find((p) => p.prizeId === outcome.prizeId)!;
  const effect = emptyEffect(ctx.member.memberId);
  effect.postings.push(...drawn.postings);
  const trace = [`draw ${draw.name}: -${draw.costPoints}`];
  trace.push(prize ? `prize ${prize.name}${prize.kind === 'points' ? `: +${prize.points ?? 0}` : ' (to collect)'}` : 'no prize');
  let pointsWon = 0;
  if (prize?.kind === 'points' && prize.points !== null) {
    pointsWon = prize.points;
    const lotId = `${tx.id}:prize`;
    effect.newLots.push({ lotId, earnedAt: tx.createdAt, expiresAt: pointsExpiry(ctx.bundle, tx.createdAt, ctx.member.tier) });
    effect.postings.push({ account: 'points', amount: pointsWon, lotId });
    const credit = evaluateTierCredit(ctx.bundle, { member: ctx.member, source: 'draw', points: pointsWon });
    const tier = credit.tierAfter;
    effect.memberChanges = { ...(tier ? { tier } : {}), cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: credit.countedPoints };
    if (tier) trace.push(`${ctx.member.tier} → ${tier}`);
  }
  effect.drawEntry = {
    drawId: draw.drawId,
    ticket: outcome.ticket,
    pick: outcome.pick,
    prize: prize ? { prizeId: prize.prizeId, name: prize.name, kind: prize.kind, points: prize.points } : null,
    outOfStockPrizeId: outcome.outOfStockPrizeId,
  };
  effect.summary = { pointsEarned: pointsWon, pointsSpent: draw.costPoints, valueDeltaCents: 0, trace };
  return effect;
}
