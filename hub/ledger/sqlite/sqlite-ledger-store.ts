/**
 * The embedded ledger: better-sqlite3 in WAL mode with synchronous=FULL, so a batch is on disk before
 * any result leaves the hub. One database transaction per batch keeps the fsync cost per transaction low.
 *
 * It implements the async ports of ../ledger.ts synchronously inside: better-sqlite3's db.transaction() cannot
 * span an await, and nothing here needs one. Every method does all its work before it returns its (already
 * settled) promise, so a database transaction is never open while the event loop runs anything else — which
 * is also why no read can observe a batch in flight (see docs/ARCHITECTURE.md, Ledger).
 *
 * With `writerThread` (the hub's), the batches and HQ's transactions are applied on a thread of their own
 * (ledger-writer-thread.ts) by another store of this class, on its own connection; everything else stays here.
 */
import type { MemberConsoleStore } from '../member-console-store.ts';
import type { MemberImportStore } from '../member-import-store.ts';
import type { MemberProfileStore } from '../member-profile-store.ts';
import type { RetentionStore } from '../retention-store.ts';
import type { CommissionReads } from '../../commission/commission-reads.ts';
import type { AutomationReads } from '../../automation/member-reads.ts';
import type { MessagingStore } from '../../messaging/outbound-messages.ts';
import Database, { type Database as DatabaseHandle } from 'better-sqlite3';
import type { CardFeeStore } from '../card-fee-store.ts';
import { SqliteCardFees } from './sqlite-card-fees.ts';
import type { Logger } from 'pino';
import type { CardState, GiftState, MemberState } from '../../../core/ledger/types.ts';
import type { MemberScope, MemberStores } from '../../../core/identity/member-scope.ts';
import type { IdentityStore } from '../../identity/identity-store.ts';
import { SqliteGiftStock } from './sqlite-gift-stock.ts';
import type { GiftStockStore } from '../gift-stock-store.ts';
import type { CreditStore } from '../credit-store.ts';
import type { CodeStore } from '../code-store.ts';
import type { DrawStore } from '../draw-store.ts';
import type { DueLot } from '../../../core/ledger/plan-points-expiry.ts';
import type { TierReviewMember, TierReviewStatus } from '../../../core/ledger/plan-tier-review.ts';
import { ULID_PATTERN } from '../../../core/ids/ulid.ts';
import { CodedError } from '../../../core/errors/coded-error.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { MemberView, PurchaseLines } from '../../../core/wire/lookup.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { DeviceAlertRow } from '../device-registry.ts';
import type { Ledger } from '../ledger.ts';
import type { NewMember } from '../ledger-admin.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import type { AuditFinding, HistoryPage, HqApplyOptions, HqTransactionBody, ReceivedTransaction, RuleDisagreement } from '../ledger-store.ts';
import { auditJournal } from './audit-journal.ts';
import { SqliteReceiptReads } from './sqlite-receipt-reads.ts';
import type { ReceiptReads } from '../receipt-reads.ts';
import { createMemberScopeReads, type MemberScopeReads } from './member-scope-reads.ts';
import * as memberViews from './member-view-reads.ts';
import { memberHistoryPage } from './member-history.ts';
import { memberPurchase } from './member-purchase.ts';
import type { HistoryPosition } from '../../../core/wire/history-cursor.ts';
import { migrateSchema } from './migrate-schema.ts';
import { createRowReaders, type RowReaders } from './row-readers.ts';
import { SqliteWritePort, type RaisedAlert } from './sqlite-write-port.ts';
import { LedgerWriterThread } from './ledger-writer-thread.ts';
import { LedgerWriteRouting, WRITER_THREAD_MIN_BATCH } from './ledger-write-routing.ts';
import { createSweepReads, type SweepReads } from './sweep-reads.ts';
import { openSqliteLedgerParts, type SqliteLedgerParts } from './sqlite-ledger-parts.ts';
import { prepareLedgerTransactions, type LedgerDbTransactions } from './ledger-db-transactions.ts';
import { SqliteRulesBundles } from './sqlite-rules-bundles.ts';
import * as deviceRecords from './sqlite-device-records.ts';
import * as admin from './sqlite-ledger-admin.ts';
import * as counts from './sqlite-ledger-counts.ts';


export { WRITER_THREAD_MIN_BATCH } from './ledger-write-routing.ts';

export interface SqliteLedgerOptions {
  /** File path, or ':memory:' for throwaway stores. */
  path: string;
  logger: Logger;
  /** The bundle used when a transaction names a version this hub does not have. */
  fallbackBundle: RulesBundle;
  /** For the contract suite only. */
  faults?: LedgerFaults;
  /** A store's region in the fleet (hub/main.ts), for region-scoped rules; absent: no store has a region. */
  regionOf?: (storeId: string) => string | undefined;
  /**
   * The rules version of a kiosk's signed snapshot (null: the hub signed no such snapshot for it), or of its newest
   * with 'newest' (hub/config/config-store.ts); absent: transactions are recomputed with the version they name.
   */
  snapshotRules?: (deviceId: string, snapshotVersion: number | 'newest') => number | null;
  /**
   * Apply batches and HQ's transactions on a writer thread (ledger-writer-thread.ts): the hub's setting. Needs a file
   * (not ':memory:'). Ignored with `faults`: the contract suite's fault predicates cannot be called across threads,
   * so a store given faults applies on the calling thread.
   */
  writerThread?: boolean;
  /** The smallest batch handed to the writer thread (default WRITER_THREAD_MIN_BATCH; the thread's tests hand it all). */
  writerThreadMinBatch?: number;
  /**
   * Wait in open() until the writer thread runs (the thread's tests). Without it open() only starts it, and batches
   * are applied here until it runs.
   */
  writerThreadAtOpen?: boolean;
}

export class SqliteLedgerStore implements Ledger {
  private db: DatabaseHandle | null = null;
  private readers: RowReaders | null = null;
  private sweeps: SweepReads | null = null;
  private scopeReads: MemberScopeReads | null = null;
  private port: SqliteWritePort | null = null;
  private txs: LedgerDbTransactions | null = null;
  private parts: SqliteLedgerParts | null = null;
  private writer: LedgerWriterThread | null = null;
  /** With a writer thread: where each write is applied, one at a time in call order. */
  private routing: LedgerWriteRouting | null = null;
  private readonly rules: SqliteRulesBundles;
  private readonly log: Logger;
  private readonly faults: LedgerFaults;

  constructor(private readonly options: SqliteLedgerOptions) {
    this.log = options.logger.child({ component: 'hub.ledger' });
    this.faults = options.faults ?? {};
    this.rules = new SqliteRulesBundles({ db: () => this.handle(), log: this.log, fallbackBundle: options.fallbackBundle, onSaved: () => this.writer?.rulesChanged() });
  }

  async open(): Promise<void> {
    if (this.db) return;
    const db = new Database(this.options.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrateSchema(db, this.log);
    this.db = db;
    this.readers = createRowReaders(db);
    this.sweeps = createSweepReads(db);
    this.scopeReads = createMemberScopeReads(db);
    const regionOf = this.options.regionOf;
    const port = new SqliteWritePort(
      db,
      this.readers,
      (version) => this.rules.bundleFor(version),
      this.faults,
      () => this.rules.latestPolicyBundle(),
      regionOf ? (storeId) => regionOf(storeId) : undefined,
      this.options.snapshotRules,
    );
    this.port = port;
    this.txs = prepareLedgerTransactions(db, port, { log: this.log, faults: this.faults, latestBundleVersion: () => this.rules.latest()?.version ?? 0 });
    this.parts = openSqliteLedgerParts(db, {
      reader: () => this.reader(),
      applyHq: (bodies, createdAt) => this.transactions().applyHq(bodies, createdAt),
      beforeImportTransaction: () => {
        const mark = port.rollbackMark();
        return () => port.afterRollback(mark);
      },
    });
    if (!this.rules.latest()) this.rules.save(this.options.fallbackBundle);
    if (this.options.writerThread && !this.options.faults) this.startWriterThread();
    if (this.writer && this.options.writerThreadAtOpen) await this.writer.started();
  }

  private startWriterThread(): void {
    if (this.options.path === ':memory:') throw new Error('a ledger writer thread needs a ledger file, not :memory:');
    const { regionOf, snapshotRules } = this.options;
    this.writer = new LedgerWriterThread(
      { path: this.options.path, logLevel: this.log.level, fallbackBundle: this.options.fallbackBundle, hasSnapshotRules: snapshotRules !== undefined },
      { ...(regionOf ? { regionOf } : {}), ...(snapshotRules ? { snapshotRules } : {}) },
      this.log,
    );
    this.routing = new LedgerWriteRouting(this.writer, {
      minBatch: this.options.writerThreadMinBatch ?? WRITER_THREAD_MIN_BATCH,
      forgetCachesHere: () => this.writePort().forgetCaches(),
    });
    // Started now, not waited for: batches are applied here until it runs (a hub started into a burst of queued
    // sales has it within about half a second).
    this.writer.warmUp();
  }

  async close(): Promise<void> {
    const writer = this.writer;
    this.writer = null;
    this.routing = null;
    await writer?.close();
    this.db?.close();
    this.db = null;
    this.readers = null;
    this.sweeps = null;
    this.scopeReads = null;
    this.port = null;
    this.txs = null;
    this.parts = null;
  }

  async applyBatch(batch: ReceivedTransaction[]): Promise<TxResult[]> {
    return this.write(batch.length, (writer, fresh) => writer.applyBatch(batch, fresh), () => this.applyBatchHere(batch));
  }

  private applyBatchHere(batch: ReceivedTransaction[]): TxResult[] {
    const txs = this.transactions();
    return this.applyThenReplay(
      () => txs.applyBatch(batch),
      () => txs.replayBatch(batch),
      batch.length,
    );
  }

  async applyHq(body: HqTransactionBody, options: HqApplyOptions = {}): Promise<TxResult> {
    const [result] = await this.applyHqBatch([body], options);
    return result!;
  }

  async applyHqBatch(bodies: HqTransactionBody[], options: HqApplyOptions = {}): Promise<TxResult[]> {
    if (bodies.length === 0) return [];
    const { id } = options;
    if (id !== undefined && bodies.length !== 1) throw new Error('a caller-given HQ transaction id names one transaction, not a batch');
    if (id !== undefined && !ULID_PATTERN.test(id)) throw new CodedError('TX_INVALID', 'an HQ transaction id is a ULID');
    return this.write(bodies.length, (writer, fresh) => writer.applyHqBatch(bodies, options, fresh), () => this.applyHqBatchHere(bodies, options));
  }

  private applyHqBatchHere(bodies: HqTransactionBody[], options: HqApplyOptions): TxResult[] {
    const { id } = options;
    const txs = this.transactions();
    return this.applyThenReplay(
      () => txs.applyHq(bodies, options.createdAt, id),
      () => txs.replayHq(bodies, options.createdAt, id),
      bodies.length,
    );
  }

  /** One write of `size` transactions: here, or — with a writer thread — where its routing says (ledger-write-routing.ts). */
  private write(size: number, onThread: (writer: LedgerWriterThread, fresh: boolean) => Promise<TxResult[]>, here: () => TxResult[]): Promise<TxResult[]> | TxResult[] {
    return this.routing ? this.routing.write(size, onThread, here) : here();
  }

  /**
   * The batch in one database transaction; if a write fails, the whole of it is rolled back and the batch
   * replayed in one more, each item in a savepoint, so only the failing item is recorded (as INTERNAL). Throws
   * when that fails too: then nothing of the batch was applied.
   */
  private applyThenReplay(apply: () => TxResult[], replay: () => TxResult[], size: number): TxResult[] {
    const port = this.writePort();
    const mark = port.rollbackMark();
    let results: TxResult[];
    try {
      results = apply();
    } catch (error) {
      port.afterRollback(mark);
      this.log.error({ err: error, size }, 'batch rolled back; applying its transactions one at a time');
      try {
        results = replay();
      } catch (replayError) {
        port.afterRollback(mark);
        throw replayError;
      }
    }
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

  async memberViewByCard(cardUid: string, historyLimit = 10, forDevice?: string): Promise<MemberView | null> {
    return memberViews.memberViewByCard(this.memberViewReads(), cardUid, historyLimit, forDevice);
  }

  async memberViewById(memberId: string, historyLimit = 10): Promise<MemberView | null> {
    return memberViews.memberViewById(this.memberViewReads(), memberId, historyLimit);
  }

  async memberHistory(memberId: string, before: HistoryPosition | null, limit: number): Promise<HistoryPage> {
    return memberHistoryPage(this.handle(), memberId, before, limit);
  }

  async memberPurchase(memberId: string, txId: string): Promise<PurchaseLines | null> {
    return memberPurchase(this.handle(), memberId, txId);
  }

  async member(memberId: string): Promise<MemberState | null> {
    return this.reader().member(memberId);
  }

  async card(uid: string): Promise<CardState | null> {
    return this.reader().card(uid);
  }

  async memberStores(memberId: string): Promise<MemberStores | null> {
    return this.memberScopeReads().memberStores(memberId);
  }

  async memberIdsInScope(scope: MemberScope, limit: number): Promise<string[]> {
    return this.memberScopeReads().memberIdsInScope(scope, limit);
  }

  async audit(): Promise<AuditFinding[]> {
    return auditJournal(this.handle());
  }

  async transactionCount(): Promise<number> {
    return counts.transactionCount(this.handle());
  }

  async lastSeq(deviceId: string, epoch = ''): Promise<number> {
    return counts.lastSeq(this.handle(), deviceId, epoch);
  }

  async consumedSeqs(deviceId: string): Promise<number> {
    return counts.consumedSeqs(this.handle(), deviceId);
  }

  async ruleDisagreements(limit: number): Promise<RuleDisagreement[]> {
    return counts.ruleDisagreements(this.handle(), limit);
  }

  // the sweeps' planning reads (../sweep-store.ts)

  async dueLots(asOf: string): Promise<DueLot[]> {
    return this.sweepReads().dueLots(asOf);
  }

  async tierReviewStatus(periodKey: string): Promise<TierReviewStatus> {
    return this.sweepReads().tierReviewStatus(periodKey);
  }

  async tierReviewMembers(closedPeriodKey: string, currentPeriodKey: string | null): Promise<TierReviewMember[]> {
    return this.sweepReads().tierReviewMembers(closedPeriodKey, currentPeriodKey);
  }

  async recordTierReview(review: { periodKey: string; reviewedAt: string; changed: number }): Promise<boolean> {
    return this.sweepReads().recordTierReview(review);
  }

  // administration (../ledger-admin.ts)

  async createMember(member: NewMember): Promise<void> {
    admin.createMember(this.handle(), member);
  }

  /** Staff, sessions, kiosk modes and the audit log, on this database (open between open() and close()). */
  get identity(): IdentityStore {
    return this.part().identity;
  }

  /** Credit (赊账) reads and limits (../credit-store.ts), on this database. */
  get credit(): CreditStore {
    return this.part().credit;
  }

  /** The fee features' reads (../card-fee-store.ts): cards an annual fee may fall on, the fee report. */
  get cardFees(): CardFeeStore {
    return new SqliteCardFees(this.handle());
  }

  /** One transaction as recorded, for checking a receipt (../receipt-reads.ts), on this database. */
  get receipts(): ReceiptReads {
    return new SqliteReceiptReads(this.handle());
  }

  /** Gift stock per store (../gift-stock-store.ts), on this database. */
  get giftStock(): GiftStockStore {
    return new SqliteGiftStock(this.handle());
  }

  /** Redemption codes (../code-store.ts), on this database. */
  get codes(): CodeStore {
    return this.part().codesAndDraws;
  }

  /** Member search and records for the HQ console (open between open() and close()). */
  get memberConsole(): MemberConsoleStore {
    return this.part().memberConsole;
  }

  /** Member profiles, contact log, consents and erasure (../member-profile-store.ts), on this database. */
  get memberProfiles(): MemberProfileStore {
    return this.part().memberProfiles;
  }

  /** Retention rules, contact-log purge and inactive members' erasure (../retention-store.ts), on this database. */
  get retention(): RetentionStore {
    return this.part().retention;
  }

  /** Messages from the hub's flows and the member reads they need (../../messaging/outbound-messages.ts), on this database. */
  get messaging(): MessagingStore {
    return this.part().messaging;
  }

  /** What the hub's flows read of members (../../automation/member-reads.ts), on this database. */
  get automation(): AutomationReads {
    return this.part().automation;
  }

  /** Member files imported from a chain's old system (../member-import-store.ts), on this database. */
  get memberImports(): MemberImportStore {
    return this.part().memberImports;
  }

  /** Points draws (../draw-store.ts), on this database. */
  get draws(): DrawStore {
    return this.part().codesAndDraws;
  }

  /** The staff commission report's reads (../../commission/sqlite-commission-reads.ts), on this database. */
  get commission(): CommissionReads {
    return this.part().commission;
  }

  async upsertGift(gift: GiftState): Promise<void> {
    admin.upsertGift(this.handle(), gift);
  }

  async listGifts(): Promise<GiftState[]> {
    return admin.listGifts(this.handle());
  }

  async listMemberIds(limit: number): Promise<string[]> {
    return admin.listMemberIds(this.handle(), limit);
  }

  // rules bundles (../rules-store.ts)

  async saveRulesBundle(bundle: RulesBundle): Promise<void> {
    this.rules.save(bundle);
  }

  async rulesBundle(version: number): Promise<RulesBundle | null> {
    return this.rules.bundle(version);
  }

  async latestRulesBundle(): Promise<RulesBundle | null> {
    return this.rules.latest();
  }

  // devices (../device-registry.ts)

  async recordClockMeasurement(deviceId: string, offsetMs: number, at: string): Promise<void> {
    deviceRecords.recordClockMeasurement(this.handle(), deviceId, offsetMs, at);
  }

  async raiseDeviceAlert(deviceId: string, code: DeviceAlertRow['code'], detail: Record<string, unknown>): Promise<void> {
    deviceRecords.raiseDeviceAlert(this.handle(), this.log, deviceId, code, detail);
  }

  async deviceAlerts(limit: number, deviceId?: string): Promise<DeviceAlertRow[]> {
    return deviceRecords.deviceAlerts(this.handle(), limit, deviceId);
  }

  /** Forgets what the write path cached of sequences (a writer thread's store, after the hub's thread wrote batches). */
  forgetWriteCaches(): void {
    this.port?.forgetCaches();
  }

  /** Forgets the bundles read so far (a writer thread's store, told that the hub's thread saved one). */
  forgetRulesCache(): void {
    this.rules.forget();
  }

  private memberViewReads(): memberViews.MemberViewReads {
    return { db: this.handle(), reader: this.reader(), rules: this.rules, credit: this.parts?.credit, snapshotRules: this.options.snapshotRules };
  }

  /** The stores beside the transactions (sqlite-ledger-parts.ts), between open() and close(). */
  private part(): SqliteLedgerParts {
    if (!this.parts) throw new Error('the ledger is not open');
    return this.parts;
  }

  private handle(): DatabaseHandle {
    if (!this.db) throw new Error('ledger store is not open');
    return this.db;
  }

  private reader(): RowReaders {
    if (!this.readers) throw new Error('ledger store is not open');
    return this.readers;
  }

  private sweepReads(): SweepReads {
    if (!this.sweeps) throw new Error('ledger store is not open');
    return this.sweeps;
  }

  private memberScopeReads(): MemberScopeReads {
    if (!this.scopeReads) throw new Error('ledger store is not open');
    return this.scopeReads;
  }

  private writePort(): SqliteWritePort {
    if (!this.port) throw new Error('ledger store is not open');
    return this.port;
  }

  private transactions(): LedgerDbTransactions {
    if (!this.txs) throw new Error('ledger store is not open');
    return this.txs;
  }
}
