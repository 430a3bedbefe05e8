/**
 * The SQLite side of apply-received: reads the planning context and writes effects with prepared
 * statements. Every call runs inside the batch transaction opened by SqliteLedgerStore.applyBatch.
 *
 * The port composes two pieces of its own, as the PostgreSQL port does: the planning reads (sqlite-planning-reads.ts)
 * and the effect writes (sqlite-effect-writes.ts). What stays here is the spine's own bookkeeping and the state it
 * keeps for the batch: each device's order and slots (cached), the transactions stored, the device rows, audit
 * entries and alerts, and the reports' hourly totals of the batch.
 */
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { KioskMode } from '../../../core/ledger/types.ts';
import type { AuditEntryInput } from '../../identity/audit-entry.ts';
import { prepareAuditAppend } from './audit-log-sql.ts';
import type { Database, Statement } from 'better-sqlite3';
import type { MemberPlanningContext, PlanningContext } from '../../../core/ledger/planning-context.ts';
import type { LedgerEffect } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { HqOnlyTransaction, LedgerTransaction, Transaction } from '../../../core/wire/transaction.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import type { AlertCode } from '../../../core/wire/alerts.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { LedgerWritePort, SlotHolder, SlotRow, StoredTransaction, TransactionRow } from '../apply-received.ts';
import type { RowReaders } from './row-readers.ts';
import { SqliteCodesAndDraws } from './sqlite-codes-draws.ts';
import { StoreGiftStockStatements } from './sqlite-gift-stock.ts';
import { BatchReportRollup } from './batch-report-rollup.ts';
import { SqliteEffectWrites } from './sqlite-effect-writes.ts';
import { SqlitePlanningReads } from './sqlite-planning-reads.ts';

/** An alert raised inside a batch: written with it, logged by the store once the batch is durable. */
export interface RaisedAlert {
  deviceId: string;
  code: AlertCode;
  detail: Record<string, unknown>;
}

/** Where a database transaction (or a savepoint in it) began: what afterRollback takes back. */
export interface RollbackMark {
  alerts: number;
  rollup: number;
}

interface SequenceState {
  lastSeq: number;
  closed: boolean;
  /** The id in slot lastSeq; undefined until read or filled (read once, then kept with the slot). */
  lastId?: string | null;
}

export class SqliteWritePort implements LedgerWritePort {
  private readonly findTx: Statement<[string], { content_hash: string; result: string; device_id: string; epoch: string; seq: number }>;
  private readonly sequenceRow: Statement<[string, string], { last_seq: number; closed: number }>;
  private readonly findPayload: Statement<[string], { payload: string }>;
  private readonly txAtSlot: Statement<[string, string, number], { tx_id: string; content_hash: string; result: string }>;
  private readonly slotRecord: Statement<[string, string, number], { tx_id: string; content_hash: string; payload: string; result: string }>;
  /** Each device's order per epoch and last effective time, read once: the ledger is the only writer of both. */
  private readonly sequenceCache = new Map<string, SequenceState>();
  private readonly effectiveCache = new Map<string, string | null>();
  private readonly setEpochClosed: Statement<[string, string]>;
  private readonly deviceEffective: Statement<[string], { last_effective_at: string | null }>;
  private readonly fillSlotAt: Statement<[string, string, number, string | null]>;
  private readonly insertSlot: Statement;
  private readonly insertAlert: Statement<[string, string, string, string]>;
  private readonly appendAudit: (entry: AuditEntryInput) => void;
  private readonly deviceRowStmt: Statement<[string], { mode: KioskMode; store_id: string | null }>;
  /** Devices' mode and store, read once per batch (a batch holds many transactions of few kiosks). */
  private readonly deviceRows = new Map<string, { mode: KioskMode; storeId: string | null }>();
  /** Alerts of the batch under way; the store takes them after the commit (and drops them on a rollback). */
  raisedAlerts: RaisedAlert[] = [];
  private readonly insertTx: Statement;
  /** Gift stock per store (schema 8): the planning reads a redemption's gift with it, the effect writes take from it. */
  private readonly storeGiftStock: StoreGiftStockStatements;
  /** Redemption codes and points draws: what their planners read, what their effects write. */
  private readonly codesAndDraws: SqliteCodesAndDraws;
  /** The reports' hourly totals of the batch under way, written before it commits (batch-report-rollup.ts). */
  private readonly rollup: BatchReportRollup;
  /** What a transaction is planned with (sqlite-planning-reads.ts). */
  private readonly planning: SqlitePlanningReads;
  /** How a planned effect is written (sqlite-effect-writes.ts). */
  private readonly effects: SqliteEffectWrites;

  constructor(
    db: Database,
    readers: RowReaders,
    bundleFor: (version: number) => RulesBundle,
    faults: LedgerFaults = {},
    /** The hub's latest rules: their security settings (the member PIN) hold whatever older rules a kiosk names. */
    latestPolicy: () => RulesBundle = () => bundleFor(0),
    /** A store's region in the fleet (undefined: unknown): region-scoped rules apply at the hub as on the kiosk. */
    regionOf: (storeId: string) => string | undefined = () => undefined,
    snapshotRules?: (deviceId: string, snapshotVersion: number | 'newest') => number | null,
  ) {
    this.findTx = db.prepare('SELECT content_hash, result, device_id, epoch, seq FROM transactions WHERE tx_id = ?');
    this.sequenceRow = db.prepare('SELECT last_seq, closed FROM device_sequences WHERE device_id = ? AND epoch = ?');
    this.findPayload = db.prepare('SELECT payload FROM transactions WHERE tx_id = ?');
    this.txAtSlot = db.prepare('SELECT tx_id, content_hash, result FROM transactions WHERE device_id = ? AND epoch = ? AND seq = ?');
    this.slotRecord = db.prepare('SELECT tx_id, content_hash, payload, result FROM sequence_slots WHERE device_id = ? AND epoch = ? AND seq = ?');
    this.setEpochClosed = db.prepare(
      'INSERT INTO device_sequences (device_id, epoch, last_seq, closed) VALUES (?, ?, 0, 1) ON CONFLICT(device_id, epoch) DO UPDATE SET closed = 1',
    );
    this.deviceEffective = db.prepare('SELECT max(last_effective_at) AS last_effective_at FROM device_sequences WHERE device_id = ?');
    this.fillSlotAt = db.prepare(
      `INSERT INTO device_sequences (device_id, epoch, last_seq, last_effective_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(device_id, epoch) DO UPDATE SET last_seq = excluded.last_seq, last_effective_at = coalesce(excluded.last_effective_at, last_effective_at)`,
    );
    this.insertSlot = db.prepare(
      `INSERT INTO sequence_slots (device_id, epoch, seq, tx_id, kind, content_hash, payload, result, recorded_at)
       VALUES (@deviceId, @epoch, @seq, @txId, @kind, @contentHash, @payload, @result, @recordedAt)`,
    );
    this.insertAlert = db.prepare('INSERT INTO device_alerts (device_id, code, detail, at) VALUES (?, ?, ?, ?)');
    this.appendAudit = prepareAuditAppend(db);
    this.deviceRowStmt = db.prepare('SELECT mode, store_id FROM devices WHERE device_id = ?');
    // Positional parameters: binding by name costs a property lookup per column on every transaction.
    this.insertTx = db.prepare(
      `INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, code, member_id, bundle_version, created_at, applied_at, result)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.storeGiftStock = new StoreGiftStockStatements(db);
    this.codesAndDraws = new SqliteCodesAndDraws(db);
    this.rollup = new BatchReportRollup(db);
    const raiseAlert = (deviceId: string, code: AlertCode, detail: Record<string, unknown>) => this.raiseAlert(deviceId, code, detail);
    this.planning = new SqlitePlanningReads(
      db,
      readers,
      bundleFor,
      latestPolicy,
      regionOf,
      snapshotRules,
      (deviceId) => this.device(deviceId),
      raiseAlert,
      this.storeGiftStock,
      this.codesAndDraws,
    );
    this.effects = new SqliteEffectWrites(db, bundleFor, faults, () => this.appliedAt, raiseAlert, this.storeGiftStock, this.codesAndDraws);
  }

  findTransaction(txId: string): StoredTransaction | null {
    const row = this.findTx.get(txId);
    if (!row) return null;
    return {
      slot: { id: txId, deviceId: row.device_id, epoch: row.epoch, seq: row.seq },
      contentHash: row.content_hash,
      result: JSON.parse(row.result) as TxResult,
      payload: () => this.findPayload.get(txId)?.payload ?? '',
    };
  }

  sequence(deviceId: string, epoch: string, options: { fresh?: boolean } = {}): SequenceState {
    const key = sequenceKey(deviceId, epoch);
    let state = options.fresh ? undefined : this.sequenceCache.get(key);
    if (state === undefined) {
      const row = this.sequenceRow.get(deviceId, epoch);
      state = { lastSeq: row?.last_seq ?? 0, closed: row?.closed === 1 };
      this.sequenceCache.set(key, state);
    }
    return state;
  }

  findSlot(deviceId: string, epoch: string, seq: number): SlotHolder | null {
    const tx = this.txAtSlot.get(deviceId, epoch, seq);
    if (tx) return { txId: tx.tx_id, contentHash: tx.content_hash, result: JSON.parse(tx.result) as TxResult, payload: () => this.findPayload.get(tx.tx_id)?.payload ?? '' };
    const record = this.slotRecord.get(deviceId, epoch, seq);
    if (record) return { txId: record.tx_id, contentHash: record.content_hash, result: JSON.parse(record.result) as TxResult, payload: () => record.payload };
    return null;
  }

  lastSlotId(deviceId: string, epoch: string): string | null {
    const state = this.sequence(deviceId, epoch);
    if (state.lastId === undefined) state.lastId = state.lastSeq === 0 ? null : (this.findSlot(deviceId, epoch, state.lastSeq)?.txId ?? null);
    return state.lastId;
  }

  closeEpoch(deviceId: string, epoch: string): void {
    this.setEpochClosed.run(deviceId, epoch);
    this.sequence(deviceId, epoch).closed = true;
  }

  lastEffectiveAt(deviceId: string): string | null {
    let at = this.effectiveCache.get(deviceId);
    if (at === undefined) {
      at = this.deviceEffective.get(deviceId)?.last_effective_at ?? null;
      this.effectiveCache.set(deviceId, at);
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
      const found = deviceId === HQ_DEVICE_ID ? null : this.deviceRowStmt.get(deviceId);
      row = deviceId === HQ_DEVICE_ID ? { mode: 'attended', storeId: null } : { mode: found?.mode ?? 'unattended', storeId: found?.store_id ?? null };
      this.deviceRows.set(deviceId, row);
    }
    return row;
  }

  /** A new batch: its commit time, and device rows read afresh (an enrolment may have changed them). */
  beginBatch(): void {
    this.appliedAt = new Date().toISOString();
    this.deviceRows.clear();
    this.rollup.begin();
  }

  /** The batch's last write before its commit: the reports' hourly totals of what it recorded. */
  endBatch(): void {
    this.rollup.flush();
  }

  rollbackMark(): RollbackMark {
    return { alerts: this.raisedAlerts.length, rollup: this.rollup.mark() };
  }

  recordAudit(entry: AuditEntryInput): void {
    this.appendAudit(entry);
  }

  raiseAlert(deviceId: string, code: AlertCode, detail: Record<string, unknown>): void {
    this.insertAlert.run(deviceId, code, JSON.stringify(detail), this.appliedAt);
    this.raisedAlerts.push({ deviceId, code, detail });
  }

  /**
   * The database transaction under way was rolled back: what it cached (sequences moved in place, last
   * effective times, the tracking mark) and the alerts it raised never happened. Called by the store only.
   */
  afterRollback(mark: RollbackMark): void {
    this.forgetCaches();
    this.raisedAlerts.length = Math.min(this.raisedAlerts.length, mark.alerts);
    this.rollup.rollbackTo(mark.rollup);
  }

  /**
   * Forgets what it cached of the database (sequences, last effective times, the tracking mark): another connection
   * wrote this file since (the hub's writer thread and the hub's own thread take turns: sqlite-ledger-store.ts).
   */
  forgetCaches(): void {
    this.sequenceCache.clear();
    this.effectiveCache.clear();
    this.effects.forgetTrackingMark();
  }

  readContext(tx: Transaction): PlanningContext {
    return this.planning.readContext(tx);
  }

  readMemberContext(tx: HqOnlyTransaction): MemberPlanningContext {
    return this.planning.readMemberContext(tx);
  }

  writeEffect(tx: LedgerTransaction, effect: LedgerEffect, bundleVersion: number): void {
    this.rollup.capture(tx, effect);
    this.effects.writeEffect(tx, effect, bundleVersion);
  }

  /** One timestamp per batch: every transaction in it became durable at the same commit. */
  appliedAt = new Date().toISOString();

  recordTransaction(row: TransactionRow): void {
    const { header } = row;
    this.insertTx.run(
      header.id, header.deviceId, header.seq, header.epoch, header.kind, row.contentHash, row.payload, row.status, row.code, row.memberId, row.bundleVersion,
      // The time the ledger dated it with; the kiosk's own claim stays in the payload.
      row.effectiveAt ?? header.createdAt,
      this.appliedAt,
      JSON.stringify(row.result),
    );
    this.rollup.count({ txId: header.id, kind: header.kind, status: row.status, createdAt: row.effectiveAt ?? header.createdAt, memberId: row.memberId, payload: row.payload });
    this.fillSlot(header.deviceId, header.epoch, header.seq, header.id, row.effectiveAt);
    if (row.effectiveAt !== null) this.effectiveCache.set(header.deviceId, row.effectiveAt);
  }

  recordSlot(row: SlotRow): void {
    const { header } = row;
    this.insertSlot.run({
      deviceId: header.deviceId,
      epoch: header.epoch,
      seq: header.seq,
      txId: header.id,
      kind: row.kind,
      contentHash: row.contentHash,
      payload: row.payload,
      result: JSON.stringify(row.result),
      recordedAt: this.appliedAt,
    });
    this.fillSlot(header.deviceId, header.epoch, header.seq, header.id);
  }

  private fillSlot(deviceId: string, epoch: string, seq: number, txId: string, effectiveAt: string | null = null): void {
    this.fillSlotAt.run(deviceId, epoch, seq, effectiveAt);
    // The cached state is the port's own object: updated in place, as the row just was.
    const state = this.sequence(deviceId, epoch);
    state.lastSeq = seq;
    state.lastId = txId;
  }
}

function sequenceKey(deviceId: string, epoch: string): string {
  return `${deviceId}\u0000${epoch}`;
}
