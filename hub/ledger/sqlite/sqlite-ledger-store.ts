/**
 * The embedded ledger: better-sqlite3 in WAL mode with synchronous=FULL, so a batch is on disk before
 * any result leaves the hub. One database transaction per batch keeps the fsync cost per transaction low.
 */
import Database, { type Database as DatabaseHandle } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { GiftState, StaffState } from '../../../core/ledger/types.ts';
import { parseStoredBundle } from '../../rules/stored-bundle.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { MemberView } from '../../../core/wire/lookup.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { TX_FORMAT } from '../../../core/wire/transaction.ts';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import { parseTransaction } from '../../../core/wire/parse-transaction.ts';
import { applyReceived, recordDefect } from '../apply-received.ts';
import type { AuditFinding, DeviceAlertRow, HqTransactionBody, LedgerStore, NewMember, ReceivedTransaction } from '../ledger-store.ts';
import { migrateSchema } from './migrate-schema.ts';
import { auditJournal } from './audit-journal.ts';
import { expirePoints } from './expire-points.ts';
import { reviewTiers, type TierReviewOutcome } from './review-tiers.ts';
import { buildMemberView } from './member-view.ts';
import { createRowReaders, type RowReaders } from './row-readers.ts';
import { SqliteWritePort, type RaisedAlert } from './sqlite-write-port.ts';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import { randomBytes } from 'node:crypto';

const nextHqId = createUlidFactory(Date.now, (n) => randomBytes(n));

interface AlertRowDb {
  alert_id: number;
  device_id: string;
  code: string;
  detail: string;
  at: string;
}

export interface SqliteLedgerOptions {
  /** File path, or ':memory:' for throwaway stores. */
  path: string;
  logger: Logger;
  /** The bundle used when a transaction names a version this hub does not have. */
  fallbackBundle: RulesBundle;
}

export class SqliteLedgerStore implements LedgerStore {
  private db: DatabaseHandle | null = null;
  private readers: RowReaders | null = null;
  private port: SqliteWritePort | null = null;
  private applyBatchTx: ((batch: ReceivedTransaction[]) => TxResult[]) | null = null;
  private recordDefectTx: ((item: ReceivedTransaction) => TxResult | null) | null = null;
  private applyHqTx: ((body: HqTransactionBody) => TxResult) | null = null;
  private readonly bundles = new Map<number, RulesBundle>();
  private readonly unknownVersionsWarned = new Set<number>();
  private readonly log: Logger;

  constructor(private readonly options: SqliteLedgerOptions) {
    this.log = options.logger.child({ component: 'hub.ledger' });
  }

  open(): void {
    if (this.db) return;
    const db = new Database(this.options.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrateSchema(db, this.log);
    this.db = db;
    this.readers = createRowReaders(db);
    this.port = new SqliteWritePort(db, this.readers, (version) => this.bundleFor(version));
    const port = this.port;
    const onError = (error: unknown, txId: string) => this.log.error({ err: error, txId }, 'defect while applying a transaction; recorded as INTERNAL');
    this.applyBatchTx = db.transaction((batch: ReceivedTransaction[]) => {
      port.appliedAt = new Date().toISOString();
      return batch.map((item) => applyReceived(port, item, onError));
    });
    this.recordDefectTx = db.transaction((item: ReceivedTransaction) => recordDefect(port, item));
    // HQ's seq is taken inside the same database transaction that applies it, so HQ writers (the console,
    // the expiry sweep, tier reviews, flows) can never take the same seq twice.
    const applyHqTx = db.transaction((body: HqTransactionBody) => {
      port.appliedAt = new Date().toISOString();
      const bundle = this.latestRulesBundle();
      const tx = {
        ...body,
        v: TX_FORMAT,
        id: nextHqId(),
        deviceId: HQ_DEVICE_ID,
        epoch: '',
        // Read from the database, not the port's cache: another writer on this file may have taken seqs since.
        seq: port.sequence(HQ_DEVICE_ID, '', { fresh: true }).lastSeq + 1,
        createdAt: port.appliedAt,
        bundleVersion: bundle?.version ?? 0,
      };
      return applyReceived(port, { topicDeviceId: HQ_DEVICE_ID, parsed: parseTransaction(JSON.stringify(tx)) }, onError);
    });
    // IMMEDIATE: the write lock is taken before HQ's seq is read, so two HQ writers queue instead of colliding.
    this.applyHqTx = (body) => applyHqTx.immediate(body);
    if (!this.latestRulesBundle()) this.saveRulesBundle(this.options.fallbackBundle);
  }

  close(): void {
    this.db?.close();
    this.db = null;
    this.readers = null;
    this.port = null;
    this.applyBatchTx = null;
    this.recordDefectTx = null;
    this.applyHqTx = null;
  }

  applyHq(body: HqTransactionBody): TxResult {
    const applyHqTx = this.applyHqTx;
    if (!applyHqTx) throw new Error('ledger store is not open');
    try {
      const result = applyHqTx(body);
      this.logAlerts();
      return result;
    } catch (error) {
      this.forgetRolledBack(0);
      throw error;
    }
  }

  /** A rolled-back database transaction: cached sequences may be ahead of the database, and its alerts never happened. */
  private forgetRolledBack(alertsBefore: number): void {
    this.port?.forgetCachedState();
    if (this.port) this.port.raisedAlerts.length = alertsBefore;
  }

  applyBatch(batch: ReceivedTransaction[]): TxResult[] {
    const results = this.applyBatchAndReplay(batch);
    this.logAlerts();
    return results;
  }

  /** Alerts of the committed work, told once it is durable (a rolled-back batch raised nothing). */
  private logAlerts(): void {
    const port = this.port;
    if (!port || port.raisedAlerts.length === 0) return;
    const alerts: RaisedAlert[] = port.raisedAlerts;
    port.raisedAlerts = [];
    for (const alert of alerts) this.log.warn({ code: alert.code, deviceId: alert.deviceId, ...alert.detail }, 'device alert');
  }

  private applyBatchAndReplay(batch: ReceivedTransaction[]): TxResult[] {
    const applyBatchTx = this.applyBatchTx;
    if (!applyBatchTx) throw new Error('ledger store is not open');
    const mark = this.port?.raisedAlerts.length ?? 0;
    try {
      return applyBatchTx(batch);
    } catch (error) {
      this.forgetRolledBack(mark);
      if (batch.length === 1 && !this.recordDefectTx) throw error;
      this.log.error({ err: error, size: batch.length }, 'batch rolled back; applying its transactions one at a time');
    }
    // One transaction per item: a write that fails again rolls back alone and is recorded as INTERNAL
    // (payload kept) so the device's order moves on; database-wide failures still throw to the caller.
    return batch.map((item) => {
      const itemMark = this.port?.raisedAlerts.length ?? 0;
      try {
        return applyBatchTx([item]);
      } catch (error) {
        this.forgetRolledBack(itemMark);
        this.log.error({ err: error }, 'transaction could not be written; recording it as INTERNAL');
        const recorded = this.recordDefectTx?.(item);
        if (!recorded) throw error;
        return [recorded];
      }
    }).flat();
  }

  memberViewByCard(cardUid: string, historyLimit = 10): MemberView | null {
    const card = this.reader().card(cardUid);
    return card ? buildMemberView(this.handle(), this.reader(), card, historyLimit) : null;
  }

  memberViewById(memberId: string, historyLimit = 10): MemberView | null {
    const cards = this.reader().cardsOfMember(memberId);
    const card = cards.find((c) => c.status === 'active') ?? cards.at(-1);
    return card ? buildMemberView(this.handle(), this.reader(), card, historyLimit) : null;
  }

  member(memberId: string) {
    return this.reader().member(memberId);
  }

  card(uid: string) {
    return this.reader().card(uid);
  }

  audit(): AuditFinding[] {
    return auditJournal(this.handle());
  }

  createMember(member: NewMember): void {
    const db = this.handle();
    const now = new Date().toISOString();
    db.transaction(() => {
      db.prepare(
        'INSERT INTO members (member_id, name, phone, tier, referrer_id, credit_limit_cents, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(member.memberId, member.name, member.phone, member.tier, member.referrerId ?? null, member.creditLimitCents ?? 0, now);
      for (const card of member.cards) {
        db.prepare("INSERT INTO cards (uid, member_id, status, valid_from, valid_until, issued_at) VALUES (?, ?, 'active', NULL, ?, ?)").run(
          card.uid, member.memberId, card.validUntil ?? null, now,
        );
      }
    })();
  }

  upsertStaff(staff: StaffState & { pinHash?: string }): void {
    this.handle()
      .prepare(
        `INSERT INTO staff (card_uid, name, role, store_ids, pin_hash, active) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(card_uid) DO UPDATE SET name = excluded.name, role = excluded.role, store_ids = excluded.store_ids,
           pin_hash = coalesce(excluded.pin_hash, staff.pin_hash), active = excluded.active`,
      )
      .run(staff.cardUid, staff.name, staff.role, JSON.stringify(staff.storeIds), staff.pinHash ?? null, staff.active ? 1 : 0);
  }

  upsertGift(gift: GiftState): void {
    this.handle()
      .prepare('INSERT INTO gifts (sku, name, points_price, stock) VALUES (?, ?, ?, ?) ON CONFLICT(sku) DO UPDATE SET name = excluded.name, points_price = excluded.points_price, stock = excluded.stock')
      .run(gift.sku, gift.name, gift.pointsPrice, gift.stock);
  }

  listGifts(): GiftState[] {
    return this.handle()
      .prepare<[], { sku: string; name: string; points_price: number; stock: number }>('SELECT sku, name, points_price, stock FROM gifts ORDER BY points_price, sku')
      .all()
      .map((r) => ({ sku: r.sku, name: r.name, pointsPrice: r.points_price, stock: r.stock }));
  }

  saveRulesBundle(bundle: RulesBundle): void {
    this.handle().prepare('INSERT OR REPLACE INTO rules_bundles (version, bundle, saved_at) VALUES (?, ?, ?)').run(bundle.version, JSON.stringify(bundle), new Date().toISOString());
    this.bundles.set(bundle.version, bundle);
  }

  rulesBundle(version: number): RulesBundle | null {
    const cached = this.bundles.get(version);
    if (cached) return cached;
    const row = this.handle().prepare<[number], { bundle: string }>('SELECT bundle FROM rules_bundles WHERE version = ?').get(version);
    if (!row) return null;
    const bundle = parseStoredBundle(row.bundle);
    this.bundles.set(version, bundle);
    return bundle;
  }

  latestRulesBundle(): RulesBundle | null {
    const row = this.handle().prepare<[], { version: number }>('SELECT max(version) AS version FROM rules_bundles').get();
    return row?.version ? this.rulesBundle(row.version) : null;
  }

  lastSeq(deviceId: string, epoch = ''): number {
    return this.handle().prepare<[string, string], { last_seq: number }>('SELECT last_seq FROM device_sequences WHERE device_id = ? AND epoch = ?').get(deviceId, epoch)?.last_seq ?? 0;
  }

  consumedSeqs(deviceId: string): number {
    return this.handle().prepare<[string], { n: number | null }>('SELECT sum(last_seq) AS n FROM device_sequences WHERE device_id = ?').get(deviceId)?.n ?? 0;
  }

  recordClockMeasurement(deviceId: string, offsetMs: number, at: string): void {
    this.handle()
      .prepare(
        `INSERT INTO devices (device_id, clock_offset_ms, clock_measured_at) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET clock_offset_ms = excluded.clock_offset_ms, clock_measured_at = excluded.clock_measured_at`,
      )
      .run(deviceId, offsetMs, at);
  }

  raiseDeviceAlert(deviceId: string, code: DeviceAlertRow['code'], detail: Record<string, unknown>): void {
    const at = new Date().toISOString();
    this.handle().prepare('INSERT INTO device_alerts (device_id, code, detail, at) VALUES (?, ?, ?, ?)').run(deviceId, code, JSON.stringify(detail), at);
    this.log.warn({ code, deviceId, ...detail }, 'device alert');
  }

  deviceAlerts(limit: number, deviceId?: string): DeviceAlertRow[] {
    const rows = deviceId
      ? this.handle()
          .prepare<[string, number], AlertRowDb>('SELECT alert_id, device_id, code, detail, at FROM device_alerts WHERE device_id = ? ORDER BY alert_id DESC LIMIT ?')
          .all(deviceId, limit)
      : this.handle().prepare<[number], AlertRowDb>('SELECT alert_id, device_id, code, detail, at FROM device_alerts ORDER BY alert_id DESC LIMIT ?').all(limit);
    return rows.map((r) => ({ alertId: r.alert_id, deviceId: r.device_id, code: r.code as DeviceAlertRow['code'], detail: JSON.parse(r.detail) as Record<string, unknown>, at: r.at }));
  }

  listMemberIds(limit: number): string[] {
    return this.handle().prepare<[number], { member_id: string }>('SELECT member_id FROM members ORDER BY member_id LIMIT ?').all(limit).map((r) => r.member_id);
  }

  reviewTiers(now: string): TierReviewOutcome {
    const bundle = this.latestRulesBundle();
    if (!bundle) return { status: 'nothing_due' };
    const outcome = reviewTiers(this.handle(), this.reader(), bundle, now);
    // Reviews record their transactions under device "hq" directly: the write port's cached seq is stale.
    this.port?.forgetCachedState();
    return outcome;
  }

  expirePoints(asOf: string): { members: number; points: number } {
    const swept = expirePoints(this.handle(), asOf);
    // The sweep records its transactions under device "hq" directly: the write port's cached seq is stale.
    this.port?.forgetCachedState();
    return swept;
  }

  ruleDisagreements(limit: number) {
    return this.handle()
      .prepare<[number], { tx_id: string; device_id: string; bundle_version: number; differences: string }>(
        'SELECT tx_id, device_id, bundle_version, differences FROM rule_disagreements ORDER BY recorded_at DESC, tx_id DESC LIMIT ?',
      )
      .all(limit)
      .map((r) => ({ txId: r.tx_id, deviceId: r.device_id, bundleVersion: r.bundle_version, differences: JSON.parse(r.differences) as { field: string; claimed: number; computed: number }[] }));
  }

  transactionCount(): number {
    return this.handle().prepare<[], { n: number }>('SELECT count(*) AS n FROM transactions').get()?.n ?? 0;
  }

  /** The bundle a transaction was evaluated with on the kiosk; the hub recomputes with that same version. */
  private bundleFor(version: number): RulesBundle {
    const bundle = this.rulesBundle(version);
    if (bundle) return bundle;
    // Version 0: a kiosk that holds no rules bundle yet (bundles reach kiosks with the signed config) — the
    // hub's latest is the one to use, and that is expected, not worth a warning.
    if (version !== 0 && !this.unknownVersionsWarned.has(version)) {
      this.unknownVersionsWarned.add(version);
      this.log.warn({ version }, 'transactions name a rules version this hub does not have; using the latest');
    }
    return this.latestRulesBundle() ?? this.options.fallbackBundle;
  }

  private handle(): DatabaseHandle {
    if (!this.db) throw new Error('ledger store is not open');
    return this.db;
  }

  private reader(): RowReaders {
    if (!this.readers) throw new Error('ledger store is not open');
    return this.readers;
  }
}
