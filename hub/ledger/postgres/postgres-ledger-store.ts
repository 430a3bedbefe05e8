/**
 * The ledger on PostgreSQL (issue 15), for chains that outgrow one SQLite file and run several hub workers on one
 * database. It keeps the spine's guarantees with the database's own means, not a home-made lock service:
 *
 * - One batch is one database transaction, at READ COMMITTED with explicit row locks (row-locks.ts). Every rule is
 *   applyReceived's (../apply-received.ts), run synchronously over the port the way sync-reads.ts explains; the
 *   port's reads happen inside that transaction, and each read that a decision rests on (a member's balances and
 *   lots, a gift's stock, a code, a draw, a phone) is fetched after the row that guards it is locked — so what a
 *   batch decides from is what it commits against, also where two workers touch the same member from two kiosks
 *   (a hot account): the second waits for the first's commit and reads after it. Batches with no member, kiosk,
 *   gift, code or draw in common lock nothing in common and run at the same time. (SERIALIZABLE, used before, made
 *   unrelated batches fail each other: PostgreSQL tracks serialisable reads by index page.)
 * - Exactly once and in order hold by keys, whatever the timing: transactions are keyed by tx_id and unique on
 *   (device_id, epoch, seq). Two workers handed the same kiosk's messages cannot both fill a slot: the kiosk's
 *   claim (device-claims.ts) makes the second wait for the first, and should it not, the sequence row's lock or a
 *   unique violation does; a batch that hits a unique violation rolls back and runs again from the start on fresh
 *   reads — where it finds the slot filled and answers `exists`, `TX_OUT_OF_ORDER` (retry) or the next slot, exactly
 *   as the single SQLite writer would have.
 * - A batch first locks its kiosks' sequence rows (device_sequences, FOR UPDATE, in key order so two batches
 *   cannot deadlock), then its cards' members (in member order); a lock taken later (a referrer) may close a circle,
 *   and PostgreSQL's deadlock answer runs the batch again like a conflict.
 * - A write that fails for another reason rolls the batch back and replays it one item per savepoint, so only the
 *   failing transaction is recorded (as INTERNAL), as on SQLite.
 *
 * Results are returned only after COMMIT: nothing is published for a batch that may still roll back.
 *
 * This class is the composition: every sub-store of the Ledger port is in its own file, on the same pool (issue 15,
 * part 1), and so is each piece of the store's own work — the write path (postgres-batch-apply.ts), how a database
 * transaction runs and retries (postgres-ledger-transactions.ts), the rules bundles (postgres-rules-bundles.ts), the
 * member views (postgres-member-views.ts), the journal audit (postgres-audit-journal.ts), the sweeps' reads
 * (postgres-sweep-reads.ts), the device registry (postgres-device-registry.ts) and the administration
 * (postgres-ledger-admin.ts).
 */
import pg from 'pg';
import { newClaimsPool } from './device-claims.ts';
import type { Logger } from 'pino';
import type { MemberScope, MemberStores } from '../../../core/identity/member-scope.ts';
import type { DueLot } from '../../../core/ledger/plan-points-expiry.ts';
import type { TierReviewMember, TierReviewStatus } from '../../../core/ledger/plan-tier-review.ts';
import type { CardState, GiftState, MemberState } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { HistoryPosition } from '../../../core/wire/history-cursor.ts';
import type { MemberView, PurchaseLines } from '../../../core/wire/lookup.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { AutomationReads } from '../../automation/member-reads.ts';
import type { CommissionReads } from '../../commission/commission-reads.ts';
import type { IdentityStore } from '../../identity/identity-store.ts';
import type { MessagingStore } from '../../messaging/outbound-messages.ts';
import type { CardFeeStore } from '../card-fee-store.ts';
import type { CodeStore } from '../code-store.ts';
import type { CreditStore } from '../credit-store.ts';
import type { DeviceAlertRow } from '../device-registry.ts';
import type { DrawStore } from '../draw-store.ts';
import type { GiftStockStore } from '../gift-stock-store.ts';
import type { Ledger } from '../ledger.ts';
import type { NewMember } from '../ledger-admin.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import type { AuditFinding, HistoryPage, HqApplyOptions, HqTransactionBody, ReceivedTransaction, RuleDisagreement } from '../ledger-store.ts';
import type { MemberConsoleStore } from '../member-console-store.ts';
import type { MemberImportStore } from '../member-import-store.ts';
import type { MemberProfileStore } from '../member-profile-store.ts';
import type { ReceiptReads } from '../receipt-reads.ts';
import type { RetentionStore } from '../retention-store.ts';
import type { RowReaders } from '../sqlite/row-readers.ts';
import { LEDGER_PG_TYPES } from './pg-integer-types.ts';
import { auditPostgresJournal } from './postgres-audit-journal.ts';
import { PostgresBatchApply } from './postgres-batch-apply.ts';
import { PostgresCardFees } from './postgres-card-fees.ts';
import { PostgresCodesAndDraws, postgresRedemptionCodeKey } from './postgres-codes-draws.ts';
import { PostgresCommissionReads } from './postgres-commission-reads.ts';
import { PostgresCredit } from './postgres-credit.ts';
import { PostgresDeviceRegistry } from './postgres-device-registry.ts';
import { PostgresGiftStock } from './postgres-gift-stock.ts';
import { PostgresAutomationReads } from './postgres-automation-reads.ts';
import { PostgresLedgerAdmin } from './postgres-ledger-admin.ts';
import { inLedgerTransaction, inReadSnapshot, type IsolationMode, type LedgerTransactionHooks, type Work } from './postgres-ledger-transactions.ts';
import { PostgresMemberConsole } from './postgres-member-console.ts';
import { PostgresMemberImports } from './postgres-member-import.ts';
import { PostgresMemberProfiles } from './postgres-member-profiles.ts';
import { PostgresMemberViews } from './postgres-member-views.ts';
import { PostgresMessaging } from './postgres-messaging.ts';
import { PostgresRetention } from './postgres-retention.ts';
import { PostgresReceiptReads } from './postgres-receipt-reads.ts';
import { PostgresIdentityStore, postgresStaffCardKey } from './postgres-identity-store.ts';
import { memberHistoryPage, memberIdsInScope, memberPurchase, memberStores } from './postgres-member-reads.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { createPostgresRowReaders } from './postgres-row-readers.ts';
import { PostgresRulesBundles } from './postgres-rules-bundles.ts';
import { PostgresSweepReads } from './postgres-sweep-reads.ts';
import { PostgresWritePort } from './postgres-write-port.ts';
import type { RowLockOptions } from './row-locks.ts';
import type { SyncReads } from './sync-reads.ts';

export interface PostgresLedgerOptions {
  /** postgres://user@host:port/database */
  url: string;
  logger: Logger;
  /** The bundle used when a transaction names a version this hub does not have (and saved on a fresh ledger). */
  fallbackBundle: RulesBundle;
  /** For the contract suite only. */
  faults?: LedgerFaults;
  regionOf?: (storeId: string) => string | undefined;
  snapshotRules?: (deviceId: string, snapshotVersion: number | 'newest') => number | null;
  /** Connections this worker keeps (default 10). */
  poolSize?: number;
}

export class PostgresLedgerStore implements Ledger {
  private pool: pg.Pool | null = null;
  private claimsPool: pg.Pool | null = null;
  private identityStore: PostgresIdentityStore | null = null;
  private creditStore: PostgresCredit | null = null;
  private codesAndDraws: PostgresCodesAndDraws | null = null;
  private codeKey: Buffer | null = null;
  /** Every rules bundle, kept across close and open (postgres-rules-bundles.ts). */
  private readonly bundles: PostgresRulesBundles;
  /** The write path: kiosk batches and HQ's transactions (postgres-batch-apply.ts). */
  private readonly writes: PostgresBatchApply;
  /** A member as the kiosk and the console see them (postgres-member-views.ts). */
  private readonly views: PostgresMemberViews;
  private readonly transactionHooks: LedgerTransactionHooks;
  private readonly log: Logger;
  private readonly faults: LedgerFaults;

  constructor(private readonly options: PostgresLedgerOptions) {
    this.log = options.logger.child({ component: 'hub.ledger.postgres' });
    this.faults = options.faults ?? {};
    this.bundles = new PostgresRulesBundles(() => this.handle(), options.fallbackBundle, this.log);
    this.transactionHooks = { pool: () => this.handle(), beforeAttempt: () => this.bundles.refresh(), newPort: (reads) => this.newPort(reads), log: this.log };
    this.writes = new PostgresBatchApply({
      claims: () => this.claims(),
      inTransaction: (work, mode) => this.inTransaction(work, mode),
      latestBundle: () => this.bundles.latest(),
      faults: this.faults,
      log: this.log,
    });
    this.views = new PostgresMemberViews({ snapshot: (read) => this.snapshot(read), bundles: this.bundles, snapshotRules: options.snapshotRules, credit: () => this.credit });
  }

  async open(): Promise<void> {
    if (this.pool) return;
    const pool = new pg.Pool({ connectionString: this.options.url, max: this.options.poolSize ?? 10, types: LEDGER_PG_TYPES });
    // An idle connection the server dropped: the pool replaces it; a batch on it fails and is retried by its sender.
    pool.on('error', (error) => this.log.error({ err: error }, 'an idle PostgreSQL connection failed'));
    try {
      await migratePostgres(pool, this.log);
      this.identityStore = new PostgresIdentityStore(pool, await postgresStaffCardKey(pool));
    } catch (error) {
      await pool.end();
      throw error;
    }
    this.pool = pool;
    // Kiosk and card claims wait on connections of their own, each with the claim's lock_timeout set once
    // (device-claims.ts): the ledger's own connections wait on row locks as long as they must.
    this.claimsPool = newClaimsPool(this.options.url);
    this.claimsPool.on('error', (error) => this.log.error({ err: error }, 'an idle PostgreSQL connection (claims) failed'));
    this.creditStore = new PostgresCredit(pool);
    this.codeKey = await postgresRedemptionCodeKey(pool);
    this.codesAndDraws = new PostgresCodesAndDraws(this.codeKey, {
      transaction: (work) => this.inTransaction(work),
      lockingTransaction: (work) => this.inTransaction(work, 'locking'),
      snapshot: (read) => this.snapshot((reads) => read(reads)),
    });
    await this.bundles.refresh();
    if (this.bundles.size === 0) await this.saveRulesBundle(this.options.fallbackBundle);
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await this.claimsPool?.end();
    this.claimsPool = null;
    this.identityStore = null;
    this.creditStore = null;
    this.codesAndDraws = null;
    this.codeKey = null;
    await pool?.end();
  }

  // the write path (postgres-batch-apply.ts)

  async applyBatch(batch: ReceivedTransaction[]): Promise<TxResult[]> {
    return this.writes.applyBatch(batch);
  }

  async applyHq(body: HqTransactionBody, options: HqApplyOptions = {}): Promise<TxResult> {
    const [result] = await this.applyHqBatch([body], options);
    return result!;
  }

  async applyHqBatch(bodies: HqTransactionBody[], options: HqApplyOptions = {}): Promise<TxResult[]> {
    return this.writes.applyHqBatch(bodies, options);
  }

  /** A database transaction of this store (postgres-ledger-transactions.ts). */
  private async inTransaction<T>(work: (work: Work) => Promise<T>, mode: IsolationMode = 'serializable', lockOptions: RowLockOptions = {}): Promise<T> {
    return inLedgerTransaction(this.transactionHooks, work, mode, lockOptions);
  }

  private newPort(reads: SyncReads): PostgresWritePort {
    const regionOf = this.options.regionOf;
    const port = new PostgresWritePort(
      reads,
      createPostgresRowReaders(reads),
      this.codeKeyOf(),
      (version) => this.bundles.bundleFor(version),
      this.faults,
      () => this.bundles.latest() ?? this.options.fallbackBundle,
      regionOf ? (storeId) => regionOf(storeId) : undefined,
      this.options.snapshotRules,
    );
    port.beginBatch();
    return port;
  }

  // reads: each in one read-only snapshot

  private async snapshot<T>(read: (reads: SyncReads, readers: RowReaders) => T): Promise<T> {
    return inReadSnapshot(this.handle(), read);
  }

  private async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.handle().query<T>(sql, params)).rows;
  }

  async memberViewByCard(cardUid: string, historyLimit = 10, forDevice?: string): Promise<MemberView | null> {
    return this.views.byCard(cardUid, historyLimit, forDevice);
  }

  async memberViewById(memberId: string, historyLimit = 10): Promise<MemberView | null> {
    return this.views.byId(memberId, historyLimit);
  }

  async memberHistory(memberId: string, before: HistoryPosition | null, limit: number): Promise<HistoryPage> {
    return this.snapshot((reads) => memberHistoryPage(reads, memberId, before, limit));
  }

  async memberPurchase(memberId: string, txId: string): Promise<PurchaseLines | null> {
    return this.snapshot((reads) => memberPurchase(reads, memberId, txId));
  }

  async member(memberId: string): Promise<MemberState | null> {
    return this.snapshot((_reads, readers) => readers.member(memberId));
  }

  async card(uid: string): Promise<CardState | null> {
    return this.snapshot((_reads, readers) => readers.card(uid));
  }

  async memberStores(memberId: string): Promise<MemberStores | null> {
    return this.snapshot((reads) => memberStores(reads, memberId));
  }

  async memberIdsInScope(scope: MemberScope, limit: number): Promise<string[]> {
    return this.snapshot((reads) => memberIdsInScope(reads, scope, limit));
  }

  /** The journal audit of ../sqlite/audit-journal.ts, in one snapshot (postgres-audit-journal.ts). */
  async audit(): Promise<AuditFinding[]> {
    return auditPostgresJournal(this.handle());
  }

  async transactionCount(): Promise<number> {
    return (await this.query<{ n: number }>('SELECT count(*) AS n FROM transactions'))[0]?.n ?? 0;
  }

  async lastSeq(deviceId: string, epoch = ''): Promise<number> {
    return (await this.query<{ last_seq: number }>('SELECT last_seq FROM device_sequences WHERE device_id = $1 AND epoch = $2', [deviceId, epoch]))[0]?.last_seq ?? 0;
  }

  async consumedSeqs(deviceId: string): Promise<number> {
    return (await this.query<{ n: number | null }>('SELECT sum(last_seq)::bigint AS n FROM device_sequences WHERE device_id = $1', [deviceId]))[0]?.n ?? 0;
  }

  async ruleDisagreements(limit: number): Promise<RuleDisagreement[]> {
    const rows = await this.query<{ tx_id: string; device_id: string; bundle_version: number; differences: string }>(
      'SELECT tx_id, device_id, bundle_version, differences FROM rule_disagreements ORDER BY recorded_at DESC, tx_id DESC LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({ txId: r.tx_id, deviceId: r.device_id, bundleVersion: r.bundle_version, differences: JSON.parse(r.differences) as RuleDisagreement['differences'] }));
  }

  // the sweeps' planning reads (../sweep-store.ts; postgres-sweep-reads.ts)

  async dueLots(asOf: string): Promise<DueLot[]> {
    return this.sweeps().dueLots(asOf);
  }

  async tierReviewStatus(periodKey: string): Promise<TierReviewStatus> {
    return this.sweeps().tierReviewStatus(periodKey);
  }

  async tierReviewMembers(closedPeriodKey: string, currentPeriodKey: string | null): Promise<TierReviewMember[]> {
    return this.sweeps().tierReviewMembers(closedPeriodKey, currentPeriodKey);
  }

  async recordTierReview(review: { periodKey: string; reviewedAt: string; changed: number }): Promise<boolean> {
    return this.sweeps().recordTierReview(review);
  }

  // administration (../ledger-admin.ts; postgres-ledger-admin.ts)

  async createMember(member: NewMember): Promise<void> {
    return this.admin().createMember(member);
  }

  async upsertGift(gift: GiftState): Promise<void> {
    return this.admin().upsertGift(gift);
  }

  async listGifts(): Promise<GiftState[]> {
    return this.admin().listGifts();
  }

  async listMemberIds(limit: number): Promise<string[]> {
    return this.admin().listMemberIds(limit);
  }

  // rules bundles (../rules-store.ts; postgres-rules-bundles.ts)

  async saveRulesBundle(bundle: RulesBundle): Promise<void> {
    return this.bundles.save(bundle);
  }

  async rulesBundle(version: number): Promise<RulesBundle | null> {
    await this.bundles.refresh();
    return this.bundles.get(version);
  }

  async latestRulesBundle(): Promise<RulesBundle | null> {
    await this.bundles.refresh();
    return this.bundles.latest();
  }

  // devices (../device-registry.ts; postgres-device-registry.ts)

  async recordClockMeasurement(deviceId: string, offsetMs: number, at: string): Promise<void> {
    return this.devices().recordClockMeasurement(deviceId, offsetMs, at);
  }

  async raiseDeviceAlert(deviceId: string, code: DeviceAlertRow['code'], detail: Record<string, unknown>): Promise<void> {
    return this.devices().raiseDeviceAlert(deviceId, code, detail);
  }

  async deviceAlerts(limit: number, deviceId?: string): Promise<DeviceAlertRow[]> {
    return this.devices().deviceAlerts(limit, deviceId);
  }

  // the sub-stores

  get identity(): IdentityStore {
    if (!this.identityStore) throw new Error('the ledger is not open');
    return this.identityStore;
  }

  get credit(): CreditStore {
    if (!this.creditStore) throw new Error('the ledger is not open');
    return this.creditStore;
  }

  get codes(): CodeStore {
    if (!this.codesAndDraws) throw new Error('the ledger is not open');
    return this.codesAndDraws;
  }

  get draws(): DrawStore {
    if (!this.codesAndDraws) throw new Error('the ledger is not open');
    return this.codesAndDraws;
  }

  get commission(): CommissionReads {
    return new PostgresCommissionReads(this.handle());
  }

  get memberConsole(): MemberConsoleStore {
    this.handle();
    return new PostgresMemberConsole((read) => this.snapshot(read));
  }

  get memberProfiles(): MemberProfileStore {
    return new PostgresMemberProfiles(this.handle(), (work) => this.inTransaction(work));
  }

  get memberImports(): MemberImportStore {
    // The members go through this store's own HQ apply, inside the import's one database transaction.
    return new PostgresMemberImports(this.handle(), (work) =>
      // Up to 10,000 rows in one transaction: all phones under one lock, not one each (row-locks.ts ALL_PHONES_LOCK).
      this.inTransaction((w) => work(w.client, (bodies, createdAt) => this.writes.applyHqItems(w, bodies, createdAt, undefined, false)), 'locking', { allPhones: true }),
    );
  }

  get retention(): RetentionStore {
    return new PostgresRetention(
      this.handle(),
      (work) => this.inTransaction(work),
      (work) => this.inTransaction(work, 'locking'),
    );
  }

  get cardFees(): CardFeeStore {
    return new PostgresCardFees(this.handle());
  }

  get giftStock(): GiftStockStore {
    return new PostgresGiftStock(this.handle(), (work) => this.inTransaction(work));
  }

  get receipts(): ReceiptReads {
    return new PostgresReceiptReads(this.handle());
  }

  get messaging(): MessagingStore {
    return new PostgresMessaging(this.handle(), (work) => this.inTransaction(work));
  }

  get automation(): AutomationReads {
    return new PostgresAutomationReads(this.handle());
  }

  private sweeps(): PostgresSweepReads {
    return new PostgresSweepReads(this.handle(), (read) => this.snapshot((reads) => read(reads)));
  }

  private admin(): PostgresLedgerAdmin {
    return new PostgresLedgerAdmin(this.handle());
  }

  private devices(): PostgresDeviceRegistry {
    return new PostgresDeviceRegistry(this.handle(), this.log);
  }

  private codeKeyOf(): Buffer {
    if (!this.codeKey) throw new Error('ledger store is not open');
    return this.codeKey;
  }

  private handle(): pg.Pool {
    if (!this.pool) throw new Error('ledger store is not open');
    return this.pool;
  }

  private claims(): pg.Pool {
    if (!this.claimsPool) throw new Error('ledger store is not open');
    return this.claimsPool;
  }
}
