/**
 * The PostgreSQL side of apply-received: the same reads and writes as ../sqlite/sqlite-write-port.ts, made
 * synchronous the way sync-reads.ts explains. Reads come from SyncReads (a miss throws, is fetched inside the
 * batch's database transaction, and the step runs again); writes are buffered per step with the rows each one
 * writes, and sent once the step completed without a miss (or held for the batch), in one round trip and merged into
 * one statement per table and kind where that is safe (set-based-writes.ts). The
 * port's own state (each device's order, last effective time, alerts raised, the tier-tracking mark) is changed
 * with an undo entry, so a discarded run leaves no trace.
 *
 * The port composes three pieces of its own: the buffer of a step's writes and undo entries (pending-writes.ts), the
 * planning reads (postgres-planning-reads.ts) and the effect writes (postgres-effect-writes.ts). What stays here is
 * the spine's own bookkeeping: each device's order and slots, the transactions stored, audit entries and alerts.
 */
import type pg from 'pg';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { KioskMode } from '../../../core/ledger/types.ts';
import type { AuditEntryInput } from '../../identity/audit-entry.ts';
import type { MemberPlanningContext, PlanningContext } from '../../../core/ledger/planning-context.ts';
import type { LedgerEffect } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { HqOnlyTransaction, LedgerTransaction, Transaction } from '../../../core/wire/transaction.ts';
import type { AlertCode } from '../../../core/wire/alerts.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import type { LedgerWritePort, SlotHolder, SlotRow, StoredTransaction, TransactionRow } from '../apply-received.ts';
import type { RowReaders } from '../sqlite/row-readers.ts';
import type { RaisedAlert } from '../sqlite/sqlite-write-port.ts';
import { PendingWrites } from './pending-writes.ts';
import { PostgresEffectWrites } from './postgres-effect-writes.ts';
import { PostgresPlanningReads } from './postgres-planning-reads.ts';
import type { ReadKey, SqlValue, StepHooks, SyncReads, WrittenKeys } from './sync-reads.ts';

interface SequenceState {
  lastSeq: number;
  closed: boolean;
  /** The id in slot lastSeq; undefined until read or filled. */
  lastId?: string | null;
}

export class PostgresWritePort implements LedgerWritePort, StepHooks {
  private readonly sequenceCache = new Map<string, SequenceState>();
  private readonly effectiveCache = new Map<string, string | null>();
  private readonly deviceRows = new Map<string, { mode: KioskMode; storeId: string | null }>();
  /** Alerts of the batch under way; the store logs them after the commit (and drops them on a rollback). */
  raisedAlerts: RaisedAlert[] = [];
  /** The current step's writes and how to undo its state changes; the writes held for the batch (pending-writes.ts). */
  private readonly buffer: PendingWrites;
  private readonly planning: PostgresPlanningReads;
  private readonly effects: PostgresEffectWrites;

  constructor(
    private readonly reads: SyncReads,
    readers: RowReaders,
    /** The hub's redemption-code key (postgres-codes-draws.ts). */
    codeKey: Buffer,
    bundleFor: (version: number) => RulesBundle,
    faults: LedgerFaults = {},
    latestPolicy: () => RulesBundle = () => bundleFor(0),
    regionOf: (storeId: string) => string | undefined = () => undefined,
    snapshotRules?: (deviceId: string, snapshotVersion: number | 'newest') => number | null,
  ) {
    this.buffer = new PendingWrites(reads);
    this.planning = new PostgresPlanningReads(
      reads,
      readers,
      codeKey,
      bundleFor,
      latestPolicy,
      regionOf,
      snapshotRules,
      (deviceId) => this.device(deviceId),
      (deviceId, code, detail) => this.raiseAlert(deviceId, code, detail),
    );
    this.effects = new PostgresEffectWrites(this.buffer, bundleFor, faults, () => this.appliedAt, (deviceId, code, detail) => this.raiseAlert(deviceId, code, detail));
  }

  /** One timestamp per batch: every transaction in it became durable at the same commit. */
  appliedAt = new Date().toISOString();

  /** A new database transaction (a batch, or its retry): its time, and nothing cached from another. */
  beginBatch(): void {
    this.appliedAt = new Date().toISOString();
    this.reads.clear();
    this.sequenceCache.clear();
    this.effectiveCache.clear();
    this.deviceRows.clear();
    this.effects.reset();
    this.buffer.reset();
  }

  /**
   * From now on the database transaction's completed steps do not write one by one: their writes are held and
   * sent in one round trip, before the next read that misses the cache and at sendHeld (before COMMIT); see
   * pending-writes.ts.
   */
  holdWrites(): void {
    this.buffer.hold();
  }

  /** Writes what completed steps left held, in order, in one round trip. */
  async sendHeld(client: pg.ClientBase): Promise<void> {
    await this.buffer.sendHeld(client);
  }

  beforeRead(client: pg.ClientBase): Promise<void> {
    return this.sendHeld(client);
  }

  /** The database transaction was rolled back: what it raised never happened. */
  afterRollback(alertsBefore: number): void {
    this.raisedAlerts.length = Math.min(this.raisedAlerts.length, alertsBefore);
    this.beginBatch();
  }

  // StepHooks (sync-reads.ts)

  discard(): void {
    this.buffer.discard();
  }

  async flush(client: pg.ClientBase): Promise<void> {
    await this.buffer.flush(client);
  }

  /** Buffers a statement (pending-writes.ts). */
  private write(sql: string, params: SqlValue[], check?: { expectRows: number; what: string }, keys?: WrittenKeys): void {
    this.buffer.write(sql, params, check, keys);
  }

  /** Sets a cached value, remembering how to put the old one back should the run be discarded. */
  private change<K, V>(map: Map<K, V>, key: K, value: V): void {
    this.buffer.change(map, key, value);
  }

  // LedgerWritePort

  findTransaction(txId: string): StoredTransaction | null {
    const row = this.reads.one<{ content_hash: string; result: string; device_id: string; epoch: string; seq: number }>(STORED_TX_SQL, [txId], storedTxKey(txId));
    if (!row) return null;
    return {
      slot: { id: txId, deviceId: row.device_id, epoch: row.epoch, seq: row.seq },
      contentHash: row.content_hash,
      result: JSON.parse(row.result) as TxResult,
      payload: () => this.payloadOf(txId),
    };
  }

  private payloadOf(txId: string): string {
    return this.reads.one<{ payload: string }>('SELECT payload FROM transactions WHERE tx_id = $1', [txId], storedTxKey(txId))?.payload ?? '';
  }

  sequence(deviceId: string, epoch: string): SequenceState {
    const key = sequenceKey(deviceId, epoch);
    let state = this.sequenceCache.get(key);
    if (state === undefined) {
      // The row was locked FOR UPDATE when the batch began (sequence-locks.ts) where it exists.
      const row = this.reads.one<{ last_seq: number; closed: number }>(SEQUENCE_SQL, [deviceId, epoch], sequencesKey(deviceId));
      state = { lastSeq: row?.last_seq ?? 0, closed: row?.closed === 1 };
      this.change(this.sequenceCache, key, state);
    }
    return state;
  }

  findSlot(deviceId: string, epoch: string, seq: number): SlotHolder | null {
    const key = slotKey(deviceId, epoch, seq);
    const tx = this.reads.one<{ tx_id: string; content_hash: string; result: string }>(SLOT_TX_SQL, [deviceId, epoch, seq], slotTxKey(key));
    if (tx) return { txId: tx.tx_id, contentHash: tx.content_hash, result: JSON.parse(tx.result) as TxResult, payload: () => this.payloadOf(tx.tx_id) };
    const record = this.reads.one<{ tx_id: string; content_hash: string; payload: string; result: string }>(SLOT_RECORD_SQL, [deviceId, epoch, seq], slotRecordKey(key));
    if (record) return { txId: record.tx_id, contentHash: record.content_hash, result: JSON.parse(record.result) as TxResult, payload: () => record.payload };
    return null;
  }

  lastSlotId(deviceId: string, epoch: string): string | null {
    const state = this.sequence(deviceId, epoch);
    if (state.lastId === undefined) {
      const lastId = state.lastSeq === 0 ? null : (this.findSlot(deviceId, epoch, state.lastSeq)?.txId ?? null);
      this.setState(state, { lastId });
    }
    return state.lastId ?? null;
  }

  /** Changes a device's order in place (the port's own object), with its undo. */
  private setState(state: SequenceState, change: Partial<SequenceState>): void {
    const before = { ...state };
    Object.assign(state, change);
    this.buffer.onUndo(() => {
      state.lastSeq = before.lastSeq;
      state.closed = before.closed;
      if ('lastId' in before) state.lastId = before.lastId;
      else delete state.lastId;
    });
  }

  closeEpoch(deviceId: string, epoch: string): void {
    this.write(
      `INSERT INTO device_sequences (device_id, epoch, last_seq, closed) VALUES ($1, $2, 0, 1)
       ON CONFLICT (device_id, epoch) DO UPDATE SET closed = 1`,
      [deviceId, epoch],
      undefined,
      { device_id: deviceId },
    );
    this.setState(this.sequence(deviceId, epoch), { closed: true });
  }

  lastEffectiveAt(deviceId: string): string | null {
    let at = this.effectiveCache.get(deviceId);
    if (at === undefined) {
      at =
        this.reads.one<{ last_effective_at: string | null }>(LAST_EFFECTIVE_SQL, [deviceId], sequencesKey(deviceId))?.last_effective_at ?? null;
      this.change(this.effectiveCache, deviceId, at);
    }
    return at;
  }

  deviceStore(deviceId: string): string | null {
    return this.device(deviceId).storeId;
  }

  /** HQ is a counter in no store; a device the hub does not know is unattended and in no store. */
  private device(deviceId: string): { mode: KioskMode; storeId: string | null } {
    let row = this.deviceRows.get(deviceId);
    if (!row) {
      const found = deviceId === HQ_DEVICE_ID ? undefined : this.reads.one<{ mode: KioskMode; store_id: string | null }>(DEVICE_ROW_SQL, [deviceId], deviceKey(deviceId));
      row = deviceId === HQ_DEVICE_ID ? { mode: 'attended', storeId: null } : { mode: found?.mode ?? 'unattended', storeId: found?.store_id ?? null };
      this.change(this.deviceRows, deviceId, row);
    }
    return row;
  }

  recordAudit(e: AuditEntryInput): void {
    const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
    this.write(
      `INSERT INTO audit_log (at, actor_kind, actor_id, surface, action, target, outcome, before_json, after_json, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [e.at, e.actorKind, e.actorId, e.surface, e.action, e.target, e.outcome, json(e.before), json(e.after), json(e.detail)],
    );
  }

  raiseAlert(deviceId: string, code: AlertCode, detail: Record<string, unknown>): void {
    this.write('INSERT INTO device_alerts (device_id, code, detail, at) VALUES ($1, $2, $3, $4)', [deviceId, code, JSON.stringify(detail), this.appliedAt]);
    const mark = this.raisedAlerts.length;
    this.raisedAlerts.push({ deviceId, code, detail });
    this.buffer.onUndo(() => (this.raisedAlerts.length = mark));
  }

  readContext(tx: Transaction): PlanningContext {
    return this.planning.readContext(tx);
  }

  readMemberContext(tx: HqOnlyTransaction): MemberPlanningContext {
    return this.planning.readMemberContext(tx);
  }

  writeEffect(tx: LedgerTransaction, effect: LedgerEffect, bundleVersion: number): void {
    this.effects.writeEffect(tx, effect, bundleVersion);
  }

  recordTransaction(row: TransactionRow): void {
    const { header } = row;
    this.write(
      `INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, code, member_id, bundle_version, created_at, applied_at, result)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        header.id, header.deviceId, header.seq, header.epoch, header.kind, row.contentHash, row.payload, row.status, row.code, row.memberId, row.bundleVersion,
        row.effectiveAt ?? header.createdAt, this.appliedAt, JSON.stringify(row.result),
      ],
      undefined,
      { tx_id: header.id, member_id: row.memberId, slot: slotKey(header.deviceId, header.epoch, header.seq) },
    );
    this.fillSlot(header.deviceId, header.epoch, header.seq, header.id, row.effectiveAt);
    if (row.effectiveAt !== null) this.change(this.effectiveCache, header.deviceId, row.effectiveAt);
  }

  recordSlot(row: SlotRow): void {
    const { header } = row;
    this.write(
      `INSERT INTO sequence_slots (device_id, epoch, seq, tx_id, kind, content_hash, payload, result, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [header.deviceId, header.epoch, header.seq, header.id, row.kind, row.contentHash, row.payload, JSON.stringify(row.result), this.appliedAt],
      undefined,
      { slot: slotKey(header.deviceId, header.epoch, header.seq) },
    );
    this.fillSlot(header.deviceId, header.epoch, header.seq, header.id);
  }

  private fillSlot(deviceId: string, epoch: string, seq: number, txId: string, effectiveAt: string | null = null): void {
    this.write(
      `INSERT INTO device_sequences (device_id, epoch, last_seq, last_effective_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (device_id, epoch) DO UPDATE SET last_seq = excluded.last_seq, last_effective_at = coalesce(excluded.last_effective_at, device_sequences.last_effective_at)`,
      [deviceId, epoch, seq, effectiveAt],
      undefined,
      { device_id: deviceId },
    );
    this.setState(this.sequence(deviceId, epoch), { lastSeq: seq, lastId: txId });
  }
}

function sequenceKey(deviceId: string, epoch: string): string {
  return `${deviceId}\u0000${epoch}`;
}

/** The key reads and writes of one sequence slot (a transaction's or a refused one's) agree on. */
export function slotKey(deviceId: string, epoch: string, seq: number): string {
  return `${deviceId}\u0000${epoch}\u0000${seq}`;
}

/**
 * What holds one sequence slot: an applied (or recorded) transaction, else a refusal recorded in the slot, as the
 * port reads them and the batch prefetch primes them for each kiosk's last seq (a kiosk's transaction names the id
 * it placed before, `prevId`, which is checked against that slot: unprimed, one round trip per transaction).
 */
export const SLOT_TX_SQL = 'SELECT tx_id, content_hash, result FROM transactions WHERE device_id = $1 AND epoch = $2 AND seq = $3';
export const SLOT_RECORD_SQL = 'SELECT tx_id, content_hash, payload, result FROM sequence_slots WHERE device_id = $1 AND epoch = $2 AND seq = $3';
export const slotTxKey = (slot: string): ReadKey => ({ table: 'transactions', column: 'slot', value: slot });
export const slotRecordKey = (slot: string): ReadKey => ({ table: 'sequence_slots', column: 'slot', value: slot });

/** A transaction stored under an id (applyReceived's idempotency check), as the port reads it and the batch prefetch primes it. */
export const STORED_TX_COLUMNS = 'content_hash, result, device_id, epoch, seq';
export const STORED_TX_SQL = `SELECT ${STORED_TX_COLUMNS} FROM transactions WHERE tx_id = $1`;
export const storedTxKey = (txId: string): ReadKey => ({ table: 'transactions', column: 'tx_id', value: txId });

/** A device epoch's order, and a device's last effective time over its epochs, as the port reads them and the batch prefetch primes them. */
export const SEQUENCE_SQL = 'SELECT last_seq, closed FROM device_sequences WHERE device_id = $1 AND epoch = $2';
export const LAST_EFFECTIVE_SQL = 'SELECT max(last_effective_at) AS last_effective_at FROM device_sequences WHERE device_id = $1';
export const sequencesKey = (deviceId: string): ReadKey => ({ table: 'device_sequences', column: 'device_id', value: deviceId });

/** A kiosk's row in the device registry (mode, store), as the port reads it and the batch prefetch primes it. */
export const DEVICE_ROW_SQL = 'SELECT mode, store_id FROM devices WHERE device_id = $1';
export const deviceKey = (deviceId: string): ReadKey => ({ table: 'devices', column: 'device_id', value: deviceId });
