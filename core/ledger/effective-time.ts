/**
 * When a kiosk transaction happened, as the ledger will date it (promotion windows, per-day caps, tier periods,
 * lot earning and expiry, card validity). A kiosk's clock is not trusted: it stamps its own time and the
 * offset to the hub's clock measured when it last connected, and the hub checks the corrected time.
 *
 * - Possible: not after the hub received it, not before the device's previous recorded transaction, not
 *   before any kiosk of this product existed. Genuine offline transactions keep their own (corrected) time
 *   however long the kiosk was offline.
 * - Impossible: dated with the hub's receive time instead, and reported so the skew is recorded as an alert.
 *
 * Small disagreements (a re-measured offset, a slow network) are within tolerance and are clamped instead,
 * so a device's effective times never go backwards.
 */
import type { ClockRejectionReason } from '../wire/result.ts';

/** No kiosk of this product made a transaction before this: a clock reset to 1970 lands here. */
export const EARLIEST_TX_TIME = '2024-01-01T00:00:00.000Z';
/** How far a corrected time may lie after the hub's receive time, or before the previous one, and be clamped. */
export const CLOCK_TOLERANCE_MS = 120_000;

export interface ClockEvidence {
  /** The kiosk's createdAt (its own clock). */
  createdAt: string;
  /** hub − kiosk, as last measured; undefined when never measured (taken as 0). */
  clockOffsetMs: number | undefined;
  /** When the hub received it (hub clock). */
  receivedAt: string;
  /** The effective time of the device's previous recorded transaction, if any. */
  previousAt: string | null;
}

export type EffectiveTime =
  | { at: string; trusted: true }
  | { at: string; trusted: false; reason: ClockRejectionReason; correctedAt: string | null; skewMs: number };

export function effectiveTime(evidence: ClockEvidence): EffectiveTime {
  // The common case, without parsing dates (this runs for every transaction): no offset, and every time in
  // the one canonical form toISOString() writes, where comparing the text compares the instants.
  if (!evidence.clockOffsetMs && isCanonical(evidence.createdAt) && isCanonical(evidence.receivedAt)) {
    const { createdAt, receivedAt, previousAt } = evidence;
    if (createdAt <= receivedAt && createdAt >= EARLIEST_TX_TIME && (previousAt === null || (isCanonical(previousAt) && createdAt >= previousAt))) {
      return { at: createdAt, trusted: true };
    }
  }
  const received = Date.parse(evidence.receivedAt);
  const corrected = Date.parse(evidence.createdAt) + (evidence.clockOffsetMs ?? 0);
  const previous = evidence.previousAt === null ? null : Date.parse(evidence.previousAt);
  const refuse = (reason: ClockRejectionReason): EffectiveTime => ({
    at: evidence.receivedAt,
    trusted: false,
    reason,
    correctedAt: Number.isFinite(corrected) && Math.abs(corrected) <= 8.64e15 ? new Date(corrected).toISOString() : null,
    skewMs: Number.isFinite(corrected) ? clampToSafe(corrected - received) : 0,
  });
  if (!Number.isFinite(corrected)) return refuse('future');
  if (corrected > received + CLOCK_TOLERANCE_MS) return refuse('future');
  if (corrected < Date.parse(EARLIEST_TX_TIME)) return refuse('before_earliest');
  if (previous !== null && corrected < previous - CLOCK_TOLERANCE_MS) return refuse('before_previous');
  // Within tolerance: never after receipt, never before the previous one.
  let at = Math.min(corrected, received);
  if (previous !== null) at = Math.max(at, previous);
  return { at: new Date(at).toISOString(), trusted: true };
}

/** YYYY-MM-DDTHH:MM:SS.mmmZ: the form toISOString() writes for years 0000–9999. */
function isCanonical(iso: string): boolean {
  return iso.length === 24 && iso.charCodeAt(23) === 90 /* Z */ && iso.charCodeAt(19) === 46 /* . */;
}

function clampToSafe(value: number): number {
  return Math.max(Number.MIN_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.round(value)));
}
