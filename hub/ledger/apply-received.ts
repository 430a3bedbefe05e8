/**
 * The exactly-once, in-order decision for one received transaction, shared by every ledger back end.
 * Runs inside the back end's database transaction; the port reads and writes through that transaction.
 *
 * A device's transactions fill slots (epoch, seq) in order. Every slot is filled exactly once, and every
 * answer says whether the ledger recorded it (`recorded`): a kiosk closes an outbox entry only on a recorded
 * answer, so a refusal nobody recorded can never make a transaction vanish.
 *
 * Order of checks, and why:
 * 1. no readable slot → tell the device, record nothing (there is no slot to record it under);
 * 2. the slot is the one this id already holds → same content: `exists`; other content: a conflict nobody
 *    can resolve by recording (the slot is taken), so unrecorded;
 * 3. the slot is behind the device's next → taken: the same transaction there is `exists`; anything else
 *    means another sender used this kiosk's seqs — TX_SEQ_REUSED, and the epoch is closed so nothing more is
 *    applied in it (the kiosk moves its pending entries into a new epoch);
 * 4. the slot is ahead → TX_OUT_OF_ORDER with retry (earlier ones are missing);
 * 5. the slot is next and the id is known elsewhere → the same content resent from a new epoch fills the slot
 *    as a duplicate (`exists`); other content is refused as TX_ID_CONFLICT, recorded in the slot;
 * 6. a payload that cannot apply (too large, invalid, unknown kind or format) or a business refusal →
 *    recorded as rejected, consuming the slot so later ones can go;
 * 7. otherwise dated (the kiosk's clock is checked), planned (pure: core's planTransaction, or
 *    planHqOnlyTransaction for the member-named kinds only HQ makes — points expiry, tier review) and written.
 *
 * Kiosk transactions (applyBatch) and HQ's (applyHq: the console, the expiry sweep, tier reviews) all come
 * through here: there is no second write path.
 */
import { hash } from 'node:crypto';
import { CodedError, isCodedError } from '../../core/errors/coded-error.ts';
import type { ErrorCode } from '../../core/errors/codes.ts';
import { redactStaffCard } from '../../core/privacy/redact-staff-card.ts';
import { effectiveTime } from '../../core/ledger/effective-time.ts';
import type { MemberPlanningContext, PlanningContext } from '../../core/ledger/planning-context.ts';
import { planHqOnlyTransaction } from '../../core/ledger/plan-hq-only-transaction.ts';
import { planTransaction } from '../../core/ledger/plan-transaction.ts';
import type { LedgerEffect } from '../../core/ledger/types.ts';
import type { AlertCode } from '../../core/wire/alerts.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import type { RecordableHeader } from '../../core/wire/parse-transaction.ts';
import { sameContent, sameContentElsewhere } from '../../core/wire/parse-transaction.ts';
import type { Balances, TxResult } from '../../core/wire/result.ts';
import { isHqOnlyTransaction, type HqOnlyTransaction, type LedgerTransaction, type Transaction, type TxSlot } from '../../core/wire/transaction.ts';
import type { AuditEntryInput } from '../identity/audit-entry.ts';
import { withHqOnlyKinds } from './ledger-parse.ts';
import type { ReceivedTransaction } from './ledger-store.ts';

export interface StoredTransaction {
  slot: TxSlot;
  contentHash: string;
  result: TxResult;
  /** The payload as first received; read only when the hashes differ. */
  payload(): string;
}

/** What fills a slot: the transaction applied or refused there, or a slot record (duplicate, id conflict). */
export interface SlotHolder {
  txId: string;
  contentHash: string;
  result: TxResult;
  payload(): string;
}

export interface TransactionRow {
  header: RecordableHeader;
  contentHash: string;
  payload: string;
  status: 'applied' | 'rejected';
  code: string | null;
  memberId: string | null;
  bundleVersion: number | null;
  /** The time the ledger dated it with (kiosk time corrected, or the hub's receive time); null when unreadable. */
  effectiveAt: string | null;
  result: TxResult;
}

export interface SlotRow {
  header: RecordableHeader;
  kind: 'duplicate' | 'id_conflict';
  contentHash: string;
  payload: string;
  result: TxResult;
}

export interface LedgerWritePort {
  findTransaction(txId: string): StoredTransaction | null;
  /** The device's order in one epoch: the last seq filled and whether the epoch was closed. */
  sequence(deviceId: string, epoch: string): { lastSeq: number; closed: boolean };
  findSlot(deviceId: string, epoch: string, seq: number): SlotHolder | null;
  /** The id holding the epoch's last filled slot (null when none is filled). */
  lastSlotId(deviceId: string, epoch: string): string | null;
  closeEpoch(deviceId: string, epoch: string): void;
  /** The store the device was enrolled in, or null (not enrolled: HQ, or a device before enrolment existed). */
  deviceStore(deviceId: string): string | null;
  /** The effective time of the device's last recorded transaction. */
  lastEffectiveAt(deviceId: string): string | null;
  /** Gathers what the planner may read; throws CodedError (e.g. CARD_UNKNOWN) when it cannot. */
  readContext(tx: Transaction): PlanningContext;
  /** The same for a member-named HQ transaction (points expiry, tier review); MEMBER_UNKNOWN when there is no such member. */
  readMemberContext(tx: HqOnlyTransaction): MemberPlanningContext;
  /** Writes the effect's journal entries and state changes. Throws only on a defect or a database failure. */
  writeEffect(tx: LedgerTransaction, effect: LedgerEffect, bundleVersion: number): void;
  /** Inserts the transaction row and fills its slot (and the device's last effective time when it has one). */
  recordTransaction(row: TransactionRow): void;
  /** Fills a slot with a record that is not a first application. */
  recordSlot(row: SlotRow): void;
  raiseAlert(deviceId: string, code: AlertCode, detail: Record<string, unknown>): void;
  /** Appends to the audit log, in the same database transaction as what it records. */
  recordAudit(entry: AuditEntryInput): void;
  /** The batch's commit time (hub clock), used when an item carries no receive time. */
  readonly appliedAt: string;
}

/** Refusals of a payload that can never apply: worth an alert, unlike a business "no" (insufficient value…). */
const POISON_CODES: ReadonlySet<string> = new Set<ErrorCode>(['TX_TOO_LARGE', 'TX_INVALID', 'TX_UNKNOWN_KIND', 'TX_FORMAT_UNSUPPORTED', 'TX_ID_CONFLICT', 'INTERNAL']);

/** Hash of a payload's exact text: equal for a kiosk's byte-identical resends, the common case. */
export function contentHash(raw: string): string {
  // The one-shot form: no Hash object per transaction (the same digest as createHash().update().digest()).
  return hash('sha256', raw, 'base64url');
}

export function applyReceived(port: LedgerWritePort, item: ReceivedTransaction, onError: (error: unknown, txId: string) => void): TxResult {
  const parsed = withHqOnlyKinds(item.parsed);
  if (!parsed.ok && parsed.stage === 'envelope') {
    return { id: parsed.id, seq: null, status: 'rejected', code: parsed.code, message: parsed.message, recorded: false };
  }
  const header: RecordableHeader = parsed.ok ? parsed.tx : parsed.header;
  if (header.deviceId !== item.topicDeviceId) {
    return unrecorded(header, 'TX_DEVICE_MISMATCH', `payload says device ${header.deviceId}, topic says ${item.topicDeviceId}`);
  }
  const hash = contentHash(parsed.raw);
  const stored = port.findTransaction(header.id);
  if (stored && stored.slot.epoch === header.epoch && stored.slot.seq === header.seq) {
    if (holdsSameContent(stored, hash, parsed.raw)) return existing(header, stored.result);
    return unrecorded(header, 'TX_ID_CONFLICT', `slot ${slotName(header)} holds transaction ${header.id} with other content`);
  }

  const sequence = port.sequence(header.deviceId, header.epoch);
  if (header.seq <= sequence.lastSeq) {
    const holder = port.findSlot(header.deviceId, header.epoch, header.seq);
    if (holder && holder.txId === header.id && holdsSameContent(holder, hash, parsed.raw)) return existing(header, holder.result);
    if (!sequence.closed) {
      port.closeEpoch(header.deviceId, header.epoch);
      port.raiseAlert(header.deviceId, 'SEQ_EPOCH_MOVED', { epoch: header.epoch, seq: header.seq, txId: header.id, heldBy: holder?.txId ?? null });
    }
    return unrecorded(header, 'TX_SEQ_REUSED', `seq ${header.seq} of ${header.deviceId} (epoch '${header.epoch}') was already used by another transaction`);
  }
  if (header.seq > sequence.lastSeq + 1) {
    // expectedSeq lets a kiosk tell a gap still in flight from transactions this ledger lost (a restored backup).
    return { ...unrecorded(header, 'TX_OUT_OF_ORDER', `expected seq ${sequence.lastSeq + 1}, got ${header.seq}`), retry: true, expectedSeq: sequence.lastSeq + 1 };
  }
  if (sequence.closed) return unrecorded(header, 'TX_EPOCH_CLOSED', `epoch '${header.epoch}' of ${header.deviceId} is closed: send in a new epoch`);
  // The transaction names what it follows: when the slot before it holds something else, another sender used
  // this kiosk's seqs. Caught here, at the first slot after theirs, nothing of the kiosk's is applied behind
  // a stranger's transaction out of the kiosk's order.
  if (header.prevId !== undefined && header.seq > 1) {
    const before = port.lastSlotId(header.deviceId, header.epoch);
    if (before !== header.prevId) {
      port.closeEpoch(header.deviceId, header.epoch);
      port.raiseAlert(header.deviceId, 'SEQ_EPOCH_MOVED', { epoch: header.epoch, seq: header.seq - 1, txId: header.prevId, heldBy: before });
      return unrecorded(header, 'TX_SEQ_REUSED', `seq ${header.seq - 1} of ${header.deviceId} (epoch '${header.epoch}') holds another transaction than ${header.prevId}`);
    }
  }

  // The slot is the device's next: whatever happens now fills it.
  if (stored) {
    if (sameContentElsewhere(stored.payload(), parsed.raw)) {
      const result = existing(header, stored.result);
      port.recordSlot({ header, kind: 'duplicate', contentHash: hash, payload: redactStaffCard(parsed.raw), result });
      return result;
    }
    const result = recordedRefusal(header, 'TX_ID_CONFLICT', `transaction ${header.id} was already used with different content`);
    port.recordSlot({ header, kind: 'id_conflict', contentHash: hash, payload: redactStaffCard(parsed.raw), result });
    port.raiseAlert(header.deviceId, 'TX_CLOSED_BY_REFUSAL', { txId: header.id, code: 'TX_ID_CONFLICT' satisfies ErrorCode, epoch: header.epoch, seq: header.seq });
    return result;
  }

  if (!parsed.ok) {
    const result = recordedRefusal(header, parsed.code, parsed.message);
    port.recordTransaction(transactionRow(header, hash, parsed.raw, result, null, null, null));
    port.raiseAlert(header.deviceId, 'TX_CLOSED_BY_REFUSAL', { txId: header.id, code: parsed.code, epoch: header.epoch, seq: header.seq });
    return result;
  }

  // A kiosk acts in the store it was enrolled in: naming another (whose staff, prices, rules differ) is refused.
  const enrolledIn = port.deviceStore(header.deviceId);
  if (enrolledIn !== null && parsed.tx.storeId !== enrolledIn) {
    const result = recordedRefusal(header, 'TX_STORE_MISMATCH', `transaction names store ${parsed.tx.storeId}; ${header.deviceId} is enrolled in ${enrolledIn}`);
    port.recordTransaction(transactionRow(header, hash, parsed.raw, result, null, null, null));
    port.raiseAlert(header.deviceId, 'TX_CLOSED_BY_REFUSAL', { txId: header.id, code: 'TX_STORE_MISMATCH' satisfies ErrorCode, epoch: header.epoch, seq: header.seq });
    return result;
  }

  const dated = dateTransaction(port, parsed.tx, item.receivedAt ?? port.appliedAt);
  const tx = dated.tx;
  let context: MemberPlanningContext | null = null;
  let effect: LedgerEffect;
  let cardUid: string;
  try {
    if (isHqOnlyTransaction(tx)) {
      // Member-named HQ transactions (points expiry, tier review) hold no card.
      cardUid = '';
      context = port.readMemberContext(tx);
      effect = planHqOnlyTransaction(tx, context);
    } else {
      cardUid = tx.cardUid;
      const cardContext = port.readContext(tx);
      context = cardContext;
      effect = planTransaction(tx, cardContext);
    }
  } catch (error) {
    // A business "no" is a final, recorded outcome. Anything else is a defect in planning: recorded as
    // INTERNAL with the full payload kept, so the transaction is never lost and can be re-applied once fixed.
    const coded = isCodedError(error) ? error : new CodedError('INTERNAL', 'internal error while applying');
    if (!isCodedError(error)) onError(error, tx.id);
    const result = withClock(recordedRefusal(header, coded.code, coded.message), dated);
    port.recordTransaction(transactionRow(header, hash, parsed.raw, result, context?.member.memberId ?? null, context?.bundle.version ?? null, tx.createdAt));
    auditStaffAction(port, tx, result, context, null);
    if (POISON_CODES.has(coded.code)) port.raiseAlert(header.deviceId, 'TX_CLOSED_BY_REFUSAL', { txId: header.id, code: coded.code });
    return result;
  }
  // A failure while writing is not caught here: it aborts the whole batch, which the store then replays
  // one transaction at a time so that only the failing one is recorded as a defect.
  port.writeEffect(tx, effect, context.bundle.version);
  const result: TxResult = withClock(
    {
      id: tx.id,
      seq: tx.seq,
      epoch: tx.epoch,
      status: 'applied',
      recorded: true,
      outcome: {
        kind: tx.kind,
        memberId: effect.memberId,
        cardUid,
        tier: effect.memberChanges.tier ?? effect.newMember?.tier ?? context.member.tier,
        balances: balancesAfter(context, effect),
        pointsEarned: effect.summary.pointsEarned,
        pointsSpent: effect.summary.pointsSpent,
        valueDeltaCents: effect.summary.valueDeltaCents,
        trace: effect.summary.trace,
        ...(effect.summary.traceText ? { traceText: effect.summary.traceText } : {}),
        ...(effect.shortfall ? { shortfall: effect.shortfall } : {}),
        // What the receipt's money block prints: the charged total and its tenders (core/wire/result.ts).
        ...(effect.purchaseRecord ? { purchase: { totalCents: effect.purchaseRecord.totalCents, tenders: effect.purchaseRecord.tenders } } : {}),
        ...(effect.drawEntry ? { draw: { drawId: effect.drawEntry.drawId, prize: effect.drawEntry.prize } } : {}),
      },
    },
    dated,
  );
  port.recordTransaction(transactionRow(header, hash, parsed.raw, result, effect.memberId, context.bundle.version, tx.createdAt));
  auditStaffAction(port, tx, result, context, result.outcome?.balances ?? null);
  return result;
}

/**
 * Every transaction a staff member authorised goes into the audit log, applied or refused: who (the staff
 * member and their session), where (the kiosk, or the hub for HQ), what, and the member's balances before and after.
 */
function auditStaffAction(port: LedgerWritePort, tx: LedgerTransaction, result: TxResult, context: MemberPlanningContext | null, after: Balances | null): void {
  const actor = 'actor' in tx ? tx.actor : undefined;
  if (!actor) return;
  const before = context ? { storedValueCents: context.member.storedValueCents, bonusValueCents: context.member.bonusValueCents, points: context.member.points } : null;
  port.recordAudit({
    at: port.appliedAt,
    actorKind: 'staff',
    actorId: actor.staffId,
    surface: tx.deviceId === HQ_DEVICE_ID ? 'hub' : `kiosk:${tx.deviceId}`,
    action: `tx.${tx.kind}`,
    target: context?.member.memberId ?? null,
    outcome: result.status === 'applied' ? 'applied' : `rejected:${result.code ?? 'UNKNOWN'}`,
    before,
    after,
    detail: { txId: tx.id, storeId: tx.storeId, sessionId: actor.sessionId },
  });
}

interface DatedTransaction {
  tx: LedgerTransaction;
  clock: TxResult['clock'];
}

/**
 * The transaction as the ledger applies it: createdAt replaced by its effective time. HQ transactions are made
 * on the hub's own clock. An impossible kiosk time is replaced by the receive time and raised as an alert.
 */
function dateTransaction(port: LedgerWritePort, tx: LedgerTransaction, receivedAt: string): DatedTransaction {
  if (tx.deviceId === HQ_DEVICE_ID) return { tx, clock: undefined };
  const dated = effectiveTime({ createdAt: tx.createdAt, clockOffsetMs: tx.clockOffsetMs, receivedAt, previousAt: port.lastEffectiveAt(tx.deviceId) });
  if (dated.trusted) return { tx: dated.at === tx.createdAt ? tx : { ...tx, createdAt: dated.at }, clock: undefined };
  port.raiseAlert(tx.deviceId, 'CLOCK_IMPLAUSIBLE_TX', {
    txId: tx.id, reason: dated.reason, createdAt: tx.createdAt, clockOffsetMs: tx.clockOffsetMs ?? null, correctedAt: dated.correctedAt, receivedAt, skewMs: dated.skewMs,
  });
  return { tx: { ...tx, createdAt: dated.at }, clock: { usedHubTime: true, reason: dated.reason, skewMs: dated.skewMs } };
}

function withClock(result: TxResult, dated: DatedTransaction): TxResult {
  return dated.clock ? { ...result, clock: dated.clock } : result;
}

/** Records a transaction whose writes failed as an INTERNAL refusal, filling its slot; its payload is kept. */
export function recordDefect(port: LedgerWritePort, item: ReceivedTransaction): TxResult | null {
  const parsed = withHqOnlyKinds(item.parsed);
  if (!parsed.ok && parsed.stage === 'envelope') return null;
  const header: RecordableHeader = parsed.ok ? parsed.tx : parsed.header;
  const sequence = port.sequence(header.deviceId, header.epoch);
  if (port.findTransaction(header.id) || sequence.closed || sequence.lastSeq !== header.seq - 1) return null;
  const result = recordedRefusal(header, 'INTERNAL', 'internal error while applying');
  port.recordTransaction({
    header, contentHash: contentHash(parsed.raw), payload: redactStaffCard(parsed.raw), status: 'rejected', code: 'INTERNAL' satisfies ErrorCode, memberId: null, bundleVersion: null, effectiveAt: null, result,
  });
  port.raiseAlert(header.deviceId, 'TX_CLOSED_BY_REFUSAL', { txId: header.id, code: 'INTERNAL' satisfies ErrorCode });
  return result;
}

/** Balances after the effect, from the balances read for planning plus the effect's postings: no re-read. */
function balancesAfter(context: MemberPlanningContext, effect: LedgerEffect): Balances {
  const balances: Balances = { storedValueCents: context.member.storedValueCents, bonusValueCents: context.member.bonusValueCents, points: context.member.points };
  for (const posting of effect.postings) {
    if (posting.memberId !== undefined && posting.memberId !== effect.memberId) continue;
    if (posting.account === 'stored_value') balances.storedValueCents += posting.amount;
    else if (posting.account === 'bonus_value') balances.bonusValueCents += posting.amount;
    else if (posting.account === 'points') balances.points += posting.amount;
  }
  return balances;
}

function transactionRow(
  header: RecordableHeader, hash: string, raw: string, result: TxResult, memberId: string | null, bundleVersion: number | null, effectiveAt: string | null,
): TransactionRow {
  return {
    header, contentHash: hash, payload: redactStaffCard(raw), status: result.status === 'applied' ? 'applied' : 'rejected', code: result.code ?? null, memberId, bundleVersion, effectiveAt, result,
  };
}

/** Byte-identical resends (the common case) compare hashes; only different bytes pay for canonical JSON. */
function holdsSameContent(holder: { contentHash: string; payload(): string }, hash: string, raw: string): boolean {
  return holder.contentHash === hash || sameContent(holder.payload(), raw);
}

/** The stored outcome, answered for this message's slot. */
function existing(header: RecordableHeader, stored: TxResult): TxResult {
  const original = stored.original ?? (stored.status === 'rejected' ? 'rejected' : 'applied');
  return { ...stored, id: header.id, seq: header.seq, epoch: header.epoch, status: 'exists', original, recorded: true };
}

function recordedRefusal(header: RecordableHeader, code: ErrorCode, message: string): TxResult {
  return { id: header.id, seq: header.seq, epoch: header.epoch, status: 'rejected', code, message, recorded: true };
}

function unrecorded(header: RecordableHeader, code: ErrorCode, message: string): TxResult {
  return { id: header.id, seq: header.seq, epoch: header.epoch, status: 'rejected', code, message, recorded: false };
}

function slotName(header: RecordableHeader): string {
  return `${header.deviceId}/${header.epoch || "''"}/${header.seq}`;
}
