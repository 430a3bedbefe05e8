/**
 * Count cards (a 10-visit card each use punches) and time-limited cards (valid until a date), sold as SKUs.
 * Buying one grants punches and/or a validity end; using one checks validity and takes one punch.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { RulesBundle } from './bundle.ts';
import { compileBundle } from './compile.ts';
import type { CompiledBundle } from './compiled-types.ts';
import type { LocalTime } from './local-time.ts';
import type { CardGrant, PurchaseLineInput, TraceEntry } from './types.ts';
import { dateToInt } from './window.ts';
import { traceText } from './trace-text.ts';

/** The count/time cards a basket buys. */
export function cardGrants(compiled: CompiledBundle, lines: readonly PurchaseLineInput[], local: LocalTime): CardGrant[] {
  const cards = compiled.bundle.cards;
  if (!cards || cards.length === 0) return [];
  const grants: CardGrant[] = [];
  for (const line of lines) {
    const card = cards.find((c) => c.sku === line.sku);
    if (!card) continue;
    grants.push({
      lineNo: line.lineNo,
      sku: line.sku,
      serviceId: card.serviceId,
      punches: card.punches === undefined ? null : card.punches * line.qty,
      validUntil: validUntil(compiled, local, card.validDays, card.validUntil),
    });
  }
  return grants;
}

/** End of the local day `validDays` after purchase, or the end of the local date given. */
function validUntil(compiled: CompiledBundle, local: LocalTime, validDays: number | undefined, untilDate: string | undefined): string | null {
  const clock = compiled.clock;
  if (validDays !== undefined) {
    const lastDay = new Date(Date.UTC(local.year, local.month - 1, local.day + validDays));
    return new Date(clock.instantOfLocal(lastDay.getUTCFullYear(), lastDay.getUTCMonth() + 1, lastDay.getUTCDate() + 1) - 1).toISOString();
  }
  if (untilDate !== undefined) {
    const date = dateToInt(untilDate);
    const y = Math.floor(date / 10_000);
    const m = Math.floor(date / 100) % 100;
    const d = date % 100;
    return new Date(clock.instantOfLocal(y, m, d + 1) - 1).toISOString();
  }
  return null;
}

export interface CardUseContext {
  at: string;
  serviceId: string;
  /** Punches left on the member's card for this service; null for a time-only card. */
  punchesLeft: number | null;
  /** The card's validity end (ISO instant) or null. */
  validUntil: string | null;
}

export interface CardUseEvaluation {
  punchesLeftAfter: number | null;
  trace: TraceEntry[];
}

/**
 * One use of a count or time card. Throws CARD_EXPIRED after the validity end and PUNCH_CARD_EXHAUSTED when no
 * punches are left (a dedicated code is proposed in the issue 3 report).
 */
export function evaluateCardUse(bundle: RulesBundle, ctx: CardUseContext): CardUseEvaluation {
  const local = compileBundle(bundle).clock.at(ctx.at);
  if (ctx.validUntil !== null && local.epochMs > Date.parse(ctx.validUntil)) {
    throw new CodedError('CARD_EXPIRED', `the ${ctx.serviceId} card was valid until ${ctx.validUntil}`);
  }
  if (ctx.punchesLeft === null) return { punchesLeftAfter: null, trace: [{ ruleId: 'cards', ...traceText('timeCardUse', { serviceId: ctx.serviceId }) }] };
  if (ctx.punchesLeft <= 0) throw new CodedError('PUNCH_CARD_EXHAUSTED', `the ${ctx.serviceId} card has no visits left`, { reason: 'punches_exhausted' });
  const after = ctx.punchesLeft - 1;
  return { punchesLeftAfter: after, trace: [{ ruleId: 'cards', ...traceText('countCardUse', { serviceId: ctx.serviceId, left: after }) }] };
}
