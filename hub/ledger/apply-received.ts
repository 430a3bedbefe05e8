/**
 * The exactly-once, in-order decision for one received transaction, shared by every ledger back end.
 * Runs inside the back end's database transaction; the port reads and writes through that transaction.
 *
 * Order of checks, and why:
 * 1. envelope unreadable → tell the device, record nothing (there is no id or seq to record it under);
 * 2. the id is known → same content: `exists` with the stored result; other content: TX_ID_CONFLICT;
 * 3. the seq is not the device's next → a gap is retried later (TX_OUT_OF_ORDER), a reused seq is refused;
 * 4. body invalid or the business says no → recorded as rejected, consuming the seq so later ones can go;
 * 5. otherwise planned (pure) and written.
 */
import { createHash } from 'node:crypto';
import { CodedError, isCodedError } from '../../core/errors/coded-error.ts';
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { PlanningContext } from '../../core/ledger/planning-context.ts';
import { planTransaction } from '../../core/ledger/plan-transaction.ts';
import type { LedgerEffect } from '../../core/ledger/types.ts';
import type { TxHeader, Transaction } from '../../core/wire/transaction.ts';
import type { Balances, TxResult } from '../../core/wire/result.ts';
import type { ReceivedTransaction } from './ledger-store.ts';
import { sameContent } from '../../core/wire/parse-transaction.ts';

export interface StoredTransaction {
  contentHash: string;
  result: TxResult;
  /** The payload as first received; read only when the hashes differ. */
  payload(): string;
}

export interface TransactionRow {
  header: TxHeader;
  contentHash: string;
  payload: string;
  status: 'applied' | 'rejected';
  code: string | null;
  memberId: string | null;
  bundleVersion: number | null;
  result: TxResult;
}

export interface LedgerWritePort {
  findTransaction(txId: string): StoredTransaction | null;
  lastSeq(deviceId: string): number;
  /** Gathers what the planner may read; throws CodedError (e.g. CARD_UNKNOWN) when it cannot. */
  readContext(tx: Transaction): PlanningContext;
  /** Writes the effect's journal entries and state changes. Throws only on a defect or a database failure. */
  writeEffect(tx: Transaction, effect: LedgerEffect, bundleVersion: number): void;
  /** Inserts the transaction row and moves the device's sequence to its seq. */
  recordTransaction(row: TransactionRow): void;
}

/** Hash of a payload's exact text: equal for a kiosk's byte-identical resends, the common case. */
export function contentHash(raw: string): string {
  return createHash('sha256').update(raw).digest('base64url');
}

export function applyReceived(port: LedgerWritePort, item: ReceivedTransaction, onError: (error: unknown, txId: string) => void): TxResult {
  const { parsed } = item;
  if (!parsed.ok && parsed.stage === 'envelope') {
    return { id: parsed.id, seq: null, status: 'rejected', code: parsed.code, message: parsed.message };
  }
  const header = parsed.ok ? parsed.tx : parsed.header;
  if (header.deviceId !== item.topicDeviceId) {
    return reject(header, 'TX_DEVICE_MISMATCH', `payload says device ${header.deviceId}, topic says ${item.topicDeviceId}`);
  }
  const hash = contentHash(parsed.raw);
  const stored = port.findTransaction(header.id);
  if (stored) {
    if (stored.contentHash !== hash && !sameContent(stored.payload(), parsed.raw)) {
      return reject(header, 'TX_ID_CONFLICT', `transaction ${header.id} was already used with different content`);
    }
    const original = stored.result.status === 'rejected' ? 'rejected' : 'applied';
    return { ...stored.result, status: 'exists', original };
  }
  const last = port.lastSeq(header.deviceId);
  if (header.seq > last + 1) {
    return { ...reject(header, 'TX_OUT_OF_ORDER', `expected seq ${last + 1}, got ${header.seq}`), retry: true };
  }
  if (header.seq <= last) return reject(header, 'TX_SEQ_REUSED', `seq ${header.seq} of ${header.deviceId} was already used`);

  const row = (result: TxResult, memberId: string | null, bundleVersion: number | null): TransactionRow => ({
    header,
    contentHash: hash,
    payload: parsed.raw,
    status: result.status === 'applied' ? 'applied' : 'rejected',
    code: result.code ?? null,
    memberId,
    bundleVersion,
    result,
  });

  if (!parsed.ok) {
    const result = reject(header, parsed.code, parsed.message);
    port.recordTransaction(row(result, null, null));
    return result;
  }
  const tx = parsed.tx;
  let context: PlanningContext | null = null;
  let effect: LedgerEffect;
  try {
    context = port.readContext(tx);
    effect = planTransaction(tx, context);
  } catch (error) {
    // A business "no" is a final, recorded outcome. Anything else is a defect in planning: recorded as
    // INTERNAL with the full payload kept, so the transaction is never lost and can be re-applied once fixed.
    const coded = isCodedError(error) ? error : new CodedError('INTERNAL', 'internal error while applying');
    if (!isCodedError(error)) onError(error, tx.id);
    const result = reject(header, coded.code, coded.message);
    port.recordTransaction(row(result, context?.member.memberId ?? null, context?.bundle.version ?? null));
    return result;
  }
  // A failure while writing is not caught here: it aborts the whole batch, which the store then replays
  // one transaction at a time so that only the failing one is recorded as a defect.
  port.writeEffect(tx, effect, context.bundle.version);
  const result: TxResult = {
    id: tx.id,
    seq: tx.seq,
    status: 'applied',
    outcome: {
      kind: tx.kind,
      memberId: effect.memberId,
      cardUid: tx.cardUid,
      tier: effect.memberChanges.tier ?? effect.newMember?.tier ?? context.member.tier,
      balances: balancesAfter(context, effect),
      pointsEarned: effect.summary.pointsEarned,
      pointsSpent: effect.summary.pointsSpent,
      valueDeltaCents: effect.summary.valueDeltaCents,
      trace: effect.summary.trace,
    },
  };
  port.recordTransaction(row(result, effect.memberId, context.bundle.version));
  return result;
}

/** Records a transaction whose writes failed as an INTERNAL refusal, consuming its seq; its payload is kept. */
export function recordDefect(port: LedgerWritePort, item: ReceivedTransaction): TxResult | null {
  const { parsed } = item;
  if (!parsed.ok && parsed.stage === 'envelope') return null;
  const header = parsed.ok ? parsed.tx : parsed.header;
  if (port.findTransaction(header.id) || port.lastSeq(header.deviceId) !== header.seq - 1) return null;
  const result = reject(header, 'INTERNAL', 'internal error while applying');
  port.recordTransaction({
    header, contentHash: contentHash(parsed.raw), payload: parsed.raw, status: 'rejected', code: 'INTERNAL', memberId: null, bundleVersion: null, result,
  });
  return result;
}

/** Balances after the effect, from the balances read for planning plus the effect's postings: no re-read. */
function balancesAfter(context: PlanningContext, effect: LedgerEffect): Balances {
  const balances: Balances = { storedValueCents: context.member.storedValueCents, bonusValueCents: context.member.bonusValueCents, points: context.member.points };
  for (const posting of effect.postings) {
    if (posting.memberId !== undefined && posting.memberId !== effect.memberId) continue;
    if (posting.account === 'stored_value') balances.storedValueCents += posting.amount;
    else if (posting.account === 'bonus_value') balances.bonusValueCents += posting.amount;
    else if (posting.account === 'points') balances.points += posting.amount;
  }
  return balances;
}

function reject(header: TxHeader, code: ErrorCode, message: string): TxResult {
  return { id: header.id, seq: header.seq, status: 'rejected', code, message };
}
