/**
 * What the kiosk does with one answer from the hub for one of its outbox entries. Pure, so every rule of
 * delivery can be read (and tested) in one place:
 *
 * - close: the hub's ledger holds the outcome (applied, exists, or a refusal it recorded) — the only answers
 *   that may close an entry;
 * - retry: an ordering gap (TX_OUT_OF_ORDER): resend from the oldest pending entry;
 * - move-epoch: another sender took this entry's slot, or the hub closed the epoch: give every pending entry
 *   a new slot in a new epoch and resend (same ids, so nothing applies twice);
 * - hold: a refusal nobody recorded that resending as-is cannot fix: keep the entry, raise an alert, resend
 *   only after a backoff (the hub may be fixed or upgraded meanwhile);
 * - stale: an answer about a slot the entry no longer holds (it moved to a new epoch): changes nothing. A
 *   closing answer about a slot in an epoch the pending entries have left is stale too; the delivery machine
 *   drops it before it is recorded (delivery-machine.ts), since closing on it would leave the new slot empty.
 */
import type { ErrorCode } from '../../core/errors/codes.ts';
import { closesOutboxEntry, type TxResult } from '../../core/wire/result.ts';

export type ResultAction = 'close' | 'retry' | 'move-epoch' | 'hold' | 'stale';

/** Recorded refusals of an entry that could never apply: the entry closes, and someone must hear of it. */
export const POISON_REFUSALS: ReadonlySet<string> = new Set<ErrorCode>(['TX_TOO_LARGE', 'TX_INVALID', 'TX_UNKNOWN_KIND', 'TX_FORMAT_UNSUPPORTED', 'TX_ID_CONFLICT', 'INTERNAL']);

const SLOT_LOST: ReadonlySet<string> = new Set<ErrorCode>(['TX_SEQ_REUSED', 'TX_EPOCH_CLOSED']);

export function resultAction(result: TxResult, entrySlot: { epoch: string; seq: number } | null): ResultAction {
  if (closesOutboxEntry(result)) return 'close';
  // Answers from hubs before format 2 carry no epoch: they can only be about format 1's epoch ''.
  const aboutCurrentSlot = entrySlot !== null && (result.epoch ?? '') === entrySlot.epoch && result.seq === entrySlot.seq;
  if (!aboutCurrentSlot) return 'stale';
  if (result.retry === true) return 'retry';
  if (result.code !== undefined && SLOT_LOST.has(result.code)) return 'move-epoch';
  return 'hold';
}
