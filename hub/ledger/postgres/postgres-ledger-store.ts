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
 * Every sub-store of the Ledger port is here (issue 15, part 1): each in its own file, on the same pool.
 */
import pg from 'pg';
import { claimDevices, newClaimsPool } from './device-claims.ts';
import type { Logger } from 'pino';
import { randomBytes } from 'node:crypto';
import { CodedError } from '../../../core/errors/coded-error.ts';
import type { MemberScope, MemberStores } from '../../../core/identity/member-scope.ts';
import { createUlidFactory, ULID_PATTERN } from '../../../core/ids/ulid.ts';
import type { DueLot } from '../../../core/ledger/plan-points-expiry.ts';
import type { TierReviewMember, TierReviewStatus } from '../../../core/ledger/plan-tier-review.ts';
import type { CardState, GiftState, MemberState } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { HistoryPosition } from '../../../core/wire/history-cursor.ts';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { MemberView, PurchaseLines } from '../../../core/wire/lookup.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { TX_FORMAT } from '../../../core/wire/transaction.ts';
import type { AutomationReads } from '../../automation/member-reads.ts';
import type { CommissionReads } from '../../commission/commission-reads.ts';
import { memberCreditSummary } from '../../credit/member-credit.ts';
import type { IdentityStore } from '../../identity/identity-store.ts';
import type { MessagingStore } from '../../messaging/outbound-messages.ts';
import { parseStoredBundle } from '../../rules/stored-bundle.ts';
import { applyReceived, recordDefect } from '../apply-received.ts';
import type { CardFeeStore } from '../card-fee-store.ts';
import type { CodeStore } from '../code-store.ts';
import type { CreditStore } from '../credit-store.ts';
import type { DeviceAlertRow } from '../device-registry.ts';
import type { DrawStore } from '../draw-store.ts';
import type { GiftStockStore } from '../gift-stock-store.ts';
import type { Ledger } from '../ledger.ts';
import type { NewMember } from '../ledger-admin.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import { parseLedgerTransaction } from '../ledger-parse.ts';
import type { AuditFinding, HistoryPage, HqApplyOptions, HqTransactionBody, ReceivedTransaction, RuleDisagreement } from '../ledger-store.ts';
import type { MemberConsoleStore } from '../member-console-store.ts';
import type { MemberImportStore } from '../member-import-store.ts';
import type { MemberProfileStore } from '../member-profile-store.ts';
import type { ReceiptReads } from '../receipt-reads.ts';
import type { RetentionStore } from '../retention-store.ts';
import type { RowReaders } from '../sqlite/row-readers.ts';
import type { RaisedAlert } from '../sqlite/sqlite-write-port.ts';
import { TIER_TRACKING_SINCE } from '../sqlite/sweep-reads.ts';
import { LEDGER_PG_TYPES } from './pg-integer-types.ts';
import { textArray, type StatementToSend } from './one-round-trip-writes.ts';
import { prefetchBatch } from './postgres-batch-prefetch.ts';
import { PostgresCardFees } from './postgres-card-fees.ts';
import { PostgresCodesAndDraws, postgresRedemptionCodeKey } from './postgres-codes-draws.ts';
import { PostgresCommissionReads } from './postgres-commission-reads.ts';
import { PostgresCredit } from './postgres-credit.ts';
import { PostgresGiftStock } from './postgres-gift-stock.ts';
import { PostgresAutomationReads } from './postgres-automation-reads.ts';
import { PostgresMemberConsole } from './postgres-member-console.ts';
import { PostgresMemberImports } from './postgres-member-import.ts';
import { PostgresMemberProfiles } from './postgres-member-profiles.ts';
import { PostgresMessaging } from './postgres-messaging.ts';
import { PostgresRetention } from './postgres-retention.ts';
import { PostgresReceiptReads } from './postgres-receipt-reads.ts';
import { PostgresIdentityStore, postgresStaffCardKey } from './postgres-identity-store.ts';
import { buildMemberView, memberHistoryPage, memberIdsInScope, memberPurchase, memberStores } from './postgres-member-reads.ts';
import { migratePostgres } from './postgres-migrations.ts';
import { createPostgresRowReaders } from './postgres-row-readers.ts';
import { PostgresWritePort } from './postgres-write-port.ts';
import { RowLocks, type RowLockOptions } from './row-locks.ts';
import { ReadMiss, runSynchronously, SyncReads, type StepHooks } from './sync-reads.ts';

const nextHqId = createUlidFactory(Date.now, (n) => randomBytes(n));

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

/**
 * PostgreSQL's answers that mean "another transaction got there first; run yours again": serialisation failure (the
 * console's SERIALIZABLE edits) and deadlock (a batch's late row lock, row-locks.ts), retried with the whole batch up
 * to MAX_ATTEMPTS times; and a unique key another worker's commit just took (a card uid, a tx id), retried a few
 * times only — a unique violation that persists is more likely a defect, which the per-item replay then records.
 */
const SERIALIZATION_CODES: ReadonlySet<string> = new Set(['40001', '40P01']);
const UNIQUE_VIOLATION = '23505';
const MAX_ATTEMPTS = 30;
const MAX_UNIQUE_VIOLATION_ATTEMPTS = 3;

/** How a ledger database transaction keeps concurrent writers apart (inTransaction). */
type IsolationMode = 'locking' | 'serializable';

/** One database transaction's working set: its connection, its read cache, its port. */
interface Work {
  client: pg.PoolClient;
  reads: SyncReads;
  port: PostgresWritePort;
}

/** A read-only step writes nothing. */
const NO_WRITES: StepHooks = { discard: () => undefined, flush: async () => undefined };

export class PostgresLedgerStore implements Ledger {
  private pool: pg.Pool | null = null;
  private claimsPool: pg.Pool | null = null;
  private identityStore: PostgresIdentityStore | null = null;
  private creditStore: PostgresCredit | null = null;
  private codesAndDraws: PostgresCodesAndDraws | null = null;
  private codeKey: Buffer | null = null;
  /** Every rules bundle, by version, with when it was saved (a worker re-reads one another worker saved again). */
  private readonly bundles = new Map<number, { bundle: RulesBundle; savedAt: string }>();
  private readonly unknownVersionsWarned = new Set<number>();
  private readonly log: Logger;
  private readonly faults: LedgerFaults;

  constructor(private readonly options: PostgresLedgerOptions) {
    this.log = options.logger.child({ component: 'hub.ledger.postgres' });
    this.faults = options.faults ?? {};
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
    await this.refreshBundles();
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

  // the write path

  async applyBatch(batch: ReceivedTransaction[]): Promise<TxResult[]> {
    if (batch.length === 0) return [];
    // The batch's kiosks and cards claimed first (device-claims.ts): a batch sharing most of its kiosks with another
    // writer's waits for them before it reads anything; one still held after the wait is answered TX_DEVICE_BUSY.
    // The items of a kiosk or a card left to another writer are answered TX_DEVICE_BUSY now (the ingest holds them
    // back and applies them again in moments), and so is every later item of a busy card's kiosk epoch: they cannot
    // go before it.
    const claims = await claimDevices(this.claims(), batch.map(itemSlot).flatMap((slot) => (slot ? [slot.deviceId] : [])), batch.flatMap(itemCard));
    try {
      const mine = claims.granted ? withoutBusy(batch, claims.busyDevices, claims.busyCards) : batch.filter((item) => itemSlot(item) === null);
      const applied =
        mine.length === 0
          ? []
          : await this.applyThenReplay(
              mine.length,
              (work) => this.applyItems(work, mine, false),
              (work) => this.applyItems(work, mine, true),
              'locking',
            );
      if (mine.length === batch.length) return applied;
      const byItem = new Map(mine.map((item, index) => [item, applied[index]!] as const));
      return batch.map((item) => byItem.get(item) ?? deviceBusy(item));
    } finally {
      await claims.release();
    }
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
    return this.applyThenReplay(
      bodies.length,
      (work) => this.applyHqItems(work, bodies, options.createdAt, id, false),
      (work) => this.applyHqItems(work, bodies, options.createdAt, id, true),
      'locking',
    );
  }

  /**
   * The batch in one database transaction; if a write fails (other than a conflict, which retries the whole
   * batch), it is rolled back and replayed in one more, each item in a savepoint, so only the failing item is
   * recorded (as INTERNAL). Throws when that fails too: then nothing of the batch was applied.
   */
  private async applyThenReplay(size: number, apply: (work: Work) => Promise<TxResult[]>, replay: (work: Work) => Promise<TxResult[]>, mode: IsolationMode): Promise<TxResult[]> {
    try {
      return await this.inTransaction(apply, mode);
    } catch (error) {
      this.log.error({ err: error, size }, 'batch rolled back; applying its transactions one at a time');
      return this.inTransaction(replay, mode);
    }
  }

  /**
   * Runs `work` in one database transaction, again from the start on a conflict; logs its alerts once committed.
   * 'locking': READ COMMITTED, every decision's rows locked before they are read (row-locks.ts) — the write path of
   * kiosk and HQ transactions, so two workers' unrelated batches run at once. 'serializable': the console's and
   * HQ's own edits (profiles, gift stock, code batches, retention, messages), rare and small, kept SERIALIZABLE;
   * where one changes what a batch decides on, it locks the same row first (row-locks.ts lists them).
   */
  private async inTransaction<T>(work: (work: Work) => Promise<T>, mode: IsolationMode = 'serializable', lockOptions: RowLockOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.refreshBundles();
      const client = await this.handle().connect();
      const reads = new SyncReads(mode === 'locking' ? new RowLocks(lockOptions) : null);
      const port = this.newPort(reads);
      let broken = false;
      try {
        await client.query(mode === 'locking' ? 'BEGIN ISOLATION LEVEL READ COMMITTED' : 'BEGIN ISOLATION LEVEL SERIALIZABLE');
        const value = await work({ client, reads, port });
        await client.query('COMMIT');
        this.logAlerts(port.raisedAlerts);
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => (broken = true));
        if (isConflict(error) && attempt < (errorCode(error) === UNIQUE_VIOLATION ? MAX_UNIQUE_VIOLATION_ATTEMPTS : MAX_ATTEMPTS)) {
          this.log.debug({ attempt, code: errorCode(error) }, 'ledger transaction conflicted with another writer; running it again');
          await backOff(attempt);
          continue;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    }
  }

  private newPort(reads: SyncReads): PostgresWritePort {
    const regionOf = this.options.regionOf;
    const port = new PostgresWritePort(
      reads,
      createPostgresRowReaders(reads),
      this.codeKeyOf(),
      (version) => this.bundleFor(version),
      this.faults,
      () => this.latestBundle() ?? this.options.fallbackBundle,
      regionOf ? (storeId) => regionOf(storeId) : undefined,
      this.options.snapshotRules,
    );
    port.beginBatch();
    return port;
  }

  private readonly onError = (error: unknown, txId: string): void => {
    // A read miss inside the planner is not a defect: the run is discarded and made again (sync-reads.ts).
    if (error instanceof ReadMiss) return;
    this.log.error({ err: error, txId }, 'defect while applying a transaction; recorded as INTERNAL');
  };

  /** One synchronous step of the write path, run to completion over the batch's transaction (sync-reads.ts). */
  private step<T>(work: Work, run: () => T): Promise<T> {
    return runSynchronously(work.client, work.reads, work.port, run);
  }

  private async applyItems(work: Work, batch: ReceivedTransaction[], replay: boolean): Promise<TxResult[]> {
    // The locks first, then the bulk reads, in one round trip.
    await prefetchBatch(work.client, work.reads, batch, lockSequencesStatement(batch.map(itemSlot).filter((slot) => slot !== null)));
    // One unit: the items' writes go in one round trip (a failing one fails the batch, which the replay then splits).
    if (!replay) work.port.holdWrites();
    const results: TxResult[] = [];
    for (const item of batch) results.push(replay ? await this.replayOne(work, item) : await this.step(work, () => applyReceived(work.port, item, this.onError)));
    await work.port.sendHeld(work.client);
    return results;
  }

  /** One item of a replay, in its savepoint: applied, or — its write failing — recorded as INTERNAL instead. */
  private async replayOne(work: Work, item: ReceivedTransaction): Promise<TxResult> {
    await work.client.query('SAVEPOINT replay_item');
    try {
      const result = await this.step(work, () => applyReceived(work.port, item, this.onError));
      await work.client.query('RELEASE SAVEPOINT replay_item');
      return result;
    } catch (error) {
      await work.client.query('ROLLBACK TO SAVEPOINT replay_item');
      // A serialisation failure retries the whole transaction. A unique violation is taken for this item's defect:
      // should it be a race after all, recording the defect collides too, and that retries the whole transaction.
      if (SERIALIZATION_CODES.has(errorCode(error) ?? '')) throw error;
      // Rows read in the savepoint may be gone with it: read afresh.
      work.reads.clear();
      this.log.error({ err: error }, 'transaction could not be written; recording it as INTERNAL');
      const txId = itemTxId(item);
      if (txId !== null && this.faults.failDefectRecord?.(txId)) throw new Error(`injected fault: recording ${txId} as INTERNAL fails`);
      const recorded = await this.step(work, () => recordDefect(work.port, item));
      if (!recorded) throw error;
      return recorded;
    }
  }

  private async applyHqItems(work: Work, bodies: HqTransactionBody[], createdAt: string | undefined, id: string | undefined, replay: boolean): Promise<TxResult[]> {
    // HQ's seq is read and taken inside this transaction, its row locked: two HQ writers (the console, a sweep,
    // another worker) queue here, and should both still pick one seq, the slot's unique key sends one back to retry.
    await lockSequences(work.client, [{ deviceId: HQ_DEVICE_ID, epoch: '' }]);
    if (id !== undefined) {
      const stored = await this.step(work, () => storedHq(work.port, id));
      if (stored) return [stored];
    }
    const results: TxResult[] = [];
    for (const body of bodies) {
      const item = await this.step(work, () => this.hqItem(work.port, body, createdAt, id));
      results.push(replay ? await this.replayOne(work, item) : await this.step(work, () => applyReceived(work.port, item, this.onError)));
    }
    return results;
  }

  private hqItem(port: PostgresWritePort, body: HqTransactionBody, createdAt: string | undefined, id: string | undefined): ReceivedTransaction {
    const tx = {
      ...body,
      v: TX_FORMAT,
      id: id ?? nextHqId(),
      deviceId: HQ_DEVICE_ID,
      epoch: '',
      seq: port.sequence(HQ_DEVICE_ID, '').lastSeq + 1,
      createdAt: createdAt ?? port.appliedAt,
      bundleVersion: this.latestBundle()?.version ?? 0,
    };
    return { topicDeviceId: HQ_DEVICE_ID, parsed: parseLedgerTransaction(JSON.stringify(tx)) };
  }

  private logAlerts(alerts: RaisedAlert[]): void {
    for (const alert of alerts) this.log.warn({ code: alert.code, deviceId: alert.deviceId, ...alert.detail }, 'device alert');
  }

  // reads: each in one read-only snapshot

  private async snapshot<T>(read: (reads: SyncReads, readers: RowReaders) => T): Promise<T> {
    const client = await this.handle().connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const reads = new SyncReads();
      const readers = createPostgresRowReaders(reads);
      const value = await runSynchronously(client, reads, NO_WRITES, () => read(reads, readers));
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.handle().query<T>(sql, params)).rows;
  }

  async memberViewByCard(cardUid: string, historyLimit = 10, forDevice?: string): Promise<MemberView | null> {
    const asOf = new Date().toISOString();
    const rules = this.rulesForDevice(forDevice);
    const view = await this.snapshot((reads, readers) => {
      const card = readers.card(cardUid);
      return card ? buildMemberView(reads, readers, card, historyLimit, rules, this.latestBundle(), asOf) : null;
    });
    return this.withCredit(view);
  }

  async memberViewById(memberId: string, historyLimit = 10): Promise<MemberView | null> {
    const asOf = new Date().toISOString();
    const rules = this.rulesForDevice(undefined);
    const view = await this.snapshot((reads, readers) => {
      const cards = readers.cardsOfMember(memberId);
      const card = cards.find((c) => c.status === 'active') ?? cards.at(-1);
      return card ? buildMemberView(reads, readers, card, historyLimit, rules, this.latestBundle(), asOf) : null;
    });
    return this.withCredit(view);
  }

  private rulesForDevice(deviceId: string | undefined): RulesBundle {
    const snapshotVersion = deviceId === undefined ? null : (this.options.snapshotRules?.(deviceId, 'newest') ?? null);
    return this.bundleFor(snapshotVersion ?? 0);
  }

  private async withCredit(view: MemberView | null): Promise<MemberView | null> {
    const bundle = this.latestBundle();
    if (!view || !bundle) return view;
    const credit = await memberCreditSummary(this.credit, bundle, view.memberId, view.asOf);
    return credit ? { ...view, credit } : view;
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

  /** The journal audit of ../sqlite/audit-journal.ts, in one snapshot. */
  async audit(): Promise<AuditFinding[]> {
    const client = await this.handle().connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const all = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql)).rows;
      const accounts = await all<{ member_id: string; account: string; journal_sum: number; balance: number }>(
        `WITH sums AS (SELECT member_id, account, sum(amount)::bigint AS total FROM journal GROUP BY member_id, account),
              keys AS (SELECT member_id, account FROM sums UNION SELECT member_id, account FROM accounts)
         SELECT k.member_id, k.account, coalesce(s.total, 0) AS journal_sum, coalesce(a.balance, 0) AS balance
         FROM keys k
         LEFT JOIN sums s ON s.member_id = k.member_id AND s.account = k.account
         LEFT JOIN accounts a ON a.member_id = k.member_id AND a.account = k.account
         WHERE coalesce(s.total, 0) <> coalesce(a.balance, 0)`,
      );
      const lots = await all<{ member_id: string; lot_id: string; journal_sum: number; remaining: number }>(
        `WITH sums AS (SELECT lot_id, member_id, sum(amount)::bigint AS total FROM journal WHERE lot_id IS NOT NULL GROUP BY lot_id, member_id)
         SELECT l.member_id, l.lot_id, coalesce(s.total, 0) AS journal_sum, l.remaining
         FROM point_lots l LEFT JOIN sums s ON s.lot_id = l.lot_id AND s.member_id = l.member_id
         WHERE coalesce(s.total, 0) <> l.remaining
         UNION ALL
         SELECT s.member_id, s.lot_id, s.total, 0 FROM sums s LEFT JOIN point_lots l ON l.lot_id = s.lot_id WHERE l.lot_id IS NULL`,
      );
      const lotsVsPoints = await all<{ member_id: string; lots: number; balance: number }>(
        `WITH lots AS (SELECT member_id, sum(remaining)::bigint AS total FROM point_lots GROUP BY member_id)
         SELECT m.member_id, coalesce(l.total, 0) AS lots, coalesce(a.balance, 0) AS balance
         FROM members m
         LEFT JOIN lots l ON l.member_id = m.member_id
         LEFT JOIN accounts a ON a.member_id = m.member_id AND a.account = 'points'
         WHERE coalesce(l.total, 0) <> coalesce(a.balance, 0)`,
      );
      const punchesNegative = await all<{ member_id: string; account: string; journal_sum: number; balance: number }>(
        `SELECT a.member_id, a.account, coalesce((SELECT sum(amount)::bigint FROM journal j WHERE j.member_id = a.member_id AND j.account = a.account), 0) AS journal_sum, a.balance
         FROM accounts a WHERE a.account LIKE 'punches:%' AND a.balance < 0`,
      );
      const punchesWithoutCard = await all<{ member_id: string; account: string; balance: number }>(
        `SELECT a.member_id, a.account, a.balance FROM accounts a
         WHERE a.account LIKE 'punches:%' AND a.balance <> 0
           AND NOT EXISTS (SELECT 1 FROM service_cards s WHERE s.member_id = a.member_id AND 'punches:' || s.service_id = a.account AND s.counted = 1)`,
      );
      await client.query('COMMIT');
      return [
        ...accounts.map((r) => ({ memberId: r.member_id, account: r.account, journalSum: r.journal_sum, storedBalance: r.balance })),
        ...lots.map((r) => ({ memberId: r.member_id, account: 'points_lot', lotId: r.lot_id, journalSum: r.journal_sum, storedBalance: r.remaining })),
        ...lotsVsPoints.map((r) => ({ memberId: r.member_id, account: 'points_vs_lots', journalSum: r.lots, storedBalance: r.balance })),
        ...punchesNegative.map((r) => ({ memberId: r.member_id, account: `${r.account} (below zero)`, journalSum: r.journal_sum, storedBalance: r.balance })),
        ...punchesWithoutCard.map((r) => ({ memberId: r.member_id, account: `${r.account} (no count card)`, journalSum: r.balance, storedBalance: r.balance })),
      ];
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
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

  // the sweeps' planning reads (../sweep-store.ts; the SQL of ../sqlite/sweep-reads.ts)

  async dueLots(asOf: string): Promise<DueLot[]> {
    const rows = await this.query<{ lot_id: string; member_id: string; remaining: number; expires_at: string }>(
      'SELECT lot_id, member_id, remaining, expires_at FROM point_lots WHERE remaining > 0 AND expires_at IS NOT NULL AND expires_at <= $1 ORDER BY member_id, expires_at, lot_id',
      [asOf],
    );
    return rows.map((r) => ({ lotId: r.lot_id, memberId: r.member_id, remaining: r.remaining, expiresAt: r.expires_at }));
  }

  async tierReviewStatus(periodKey: string): Promise<TierReviewStatus> {
    return this.snapshot((reads) => ({
      reviewed: reads.one('SELECT period_key FROM tier_reviews WHERE period_key = $1', [periodKey]) !== undefined,
      trackingSince: reads.one<{ value: string }>('SELECT value FROM schema_meta WHERE key = $1', [TIER_TRACKING_SINCE])?.value ?? null,
    }));
  }

  async tierReviewMembers(closedPeriodKey: string, currentPeriodKey: string | null): Promise<TierReviewMember[]> {
    const rows = await this.query<{
      member_id: string; tier: string; cumulative_spend_cents: number; cumulative_points_earned: number;
      closed_points: number | null; closed_spend: number | null; current_points: number | null; current_spend: number | null;
    }>(
      `SELECT m.member_id, m.tier, m.cumulative_spend_cents, m.cumulative_points_earned,
              c.points_earned AS closed_points, c.spend_cents AS closed_spend, n.points_earned AS current_points, n.spend_cents AS current_spend
       FROM members m
       LEFT JOIN member_period_figures c ON c.member_id = m.member_id AND c.period_key = $1
       LEFT JOIN member_period_figures n ON n.member_id = m.member_id AND n.period_key = $2
       ORDER BY m.member_id`,
      [closedPeriodKey, currentPeriodKey ?? ''],
    );
    return rows.map((r) => ({
      memberId: r.member_id,
      tier: r.tier,
      cumulativeSpendCents: r.cumulative_spend_cents,
      cumulativePointsEarned: r.cumulative_points_earned,
      closed: { pointsEarned: r.closed_points ?? 0, spendCents: r.closed_spend ?? 0 },
      current: { pointsEarned: r.current_points ?? 0, spendCents: r.current_spend ?? 0 },
    }));
  }

  async recordTierReview(review: { periodKey: string; reviewedAt: string; changed: number }): Promise<boolean> {
    const result = await this.handle().query('INSERT INTO tier_reviews (period_key, reviewed_at, changed) VALUES ($1, $2, $3) ON CONFLICT (period_key) DO NOTHING', [
      review.periodKey, review.reviewedAt, review.changed,
    ]);
    return result.rowCount === 1;
  }

  // administration (../ledger-admin.ts)

  async createMember(member: NewMember): Promise<void> {
    const client = await this.handle().connect();
    try {
      await client.query('BEGIN');
      const now = new Date().toISOString();
      await client.query(
        'INSERT INTO members (member_id, name, phone, tier, referrer_id, credit_limit_cents, created_at, home_store_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [member.memberId, member.name, member.phone, member.tier, member.referrerId ?? null, member.creditLimitCents ?? 0, now, member.homeStoreId ?? null],
      );
      for (const card of member.cards) {
        await client.query("INSERT INTO cards (uid, member_id, status, valid_from, valid_until, issued_at) VALUES ($1, $2, 'active', NULL, $3, $4)", [
          card.uid, member.memberId, card.validUntil ?? null, now,
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async upsertGift(gift: GiftState): Promise<void> {
    await this.handle().query(
      `INSERT INTO gifts (sku, name, points_price, stock) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sku) DO UPDATE SET name = excluded.name, points_price = excluded.points_price, stock = excluded.stock`,
      [gift.sku, gift.name, gift.pointsPrice, gift.stock],
    );
  }

  async listGifts(): Promise<GiftState[]> {
    const rows = await this.query<{ sku: string; name: string; points_price: number; stock: number }>('SELECT sku, name, points_price, stock FROM gifts ORDER BY points_price, sku');
    return rows.map((r) => ({ sku: r.sku, name: r.name, pointsPrice: r.points_price, stock: r.stock }));
  }

  async listMemberIds(limit: number): Promise<string[]> {
    return (await this.query<{ member_id: string }>('SELECT member_id FROM members ORDER BY member_id LIMIT $1', [limit])).map((r) => r.member_id);
  }

  // rules bundles (../rules-store.ts)

  async saveRulesBundle(bundle: RulesBundle): Promise<void> {
    const savedAt = new Date().toISOString();
    await this.handle().query(
      'INSERT INTO rules_bundles (version, bundle, saved_at) VALUES ($1, $2, $3) ON CONFLICT (version) DO UPDATE SET bundle = excluded.bundle, saved_at = excluded.saved_at',
      [bundle.version, JSON.stringify(bundle), savedAt],
    );
    this.bundles.set(bundle.version, { bundle, savedAt });
  }

  async rulesBundle(version: number): Promise<RulesBundle | null> {
    await this.refreshBundles();
    return this.bundles.get(version)?.bundle ?? null;
  }

  async latestRulesBundle(): Promise<RulesBundle | null> {
    await this.refreshBundles();
    return this.latestBundle();
  }

  /** Reads the bundles saved (or saved again) since this worker last looked: another worker may have saved one. */
  private async refreshBundles(): Promise<void> {
    const saved = await this.query<{ version: number; saved_at: string }>('SELECT version, saved_at FROM rules_bundles');
    const stale = saved.filter((r) => this.bundles.get(r.version)?.savedAt !== r.saved_at).map((r) => r.version);
    if (stale.length === 0) return;
    const rows = await this.query<{ version: number; bundle: string; saved_at: string }>('SELECT version, bundle, saved_at FROM rules_bundles WHERE version = ANY($1::bigint[])', [stale]);
    for (const row of rows) this.bundles.set(row.version, { bundle: parseStoredBundle(row.bundle), savedAt: row.saved_at });
  }

  private latestBundle(): RulesBundle | null {
    let latest: RulesBundle | null = null;
    for (const [version, { bundle }] of this.bundles) if (version !== 0 && (!latest || version > latest.version)) latest = bundle;
    return latest;
  }

  /** The bundle a transaction was evaluated with on the kiosk (as on SQLite): that version, else the latest. */
  private bundleFor(version: number): RulesBundle {
    const bundle = this.bundles.get(version)?.bundle;
    if (bundle) return bundle;
    if (version !== 0 && !this.unknownVersionsWarned.has(version)) {
      this.unknownVersionsWarned.add(version);
      this.log.warn({ version }, 'transactions name a rules version this hub does not have; using the latest');
    }
    return this.latestBundle() ?? this.options.fallbackBundle;
  }

  // devices (../device-registry.ts)

  async recordClockMeasurement(deviceId: string, offsetMs: number, at: string): Promise<void> {
    await this.handle().query(
      `INSERT INTO devices (device_id, clock_offset_ms, clock_measured_at) VALUES ($1, $2, $3)
       ON CONFLICT (device_id) DO UPDATE SET clock_offset_ms = excluded.clock_offset_ms, clock_measured_at = excluded.clock_measured_at`,
      [deviceId, offsetMs, at],
    );
  }

  async raiseDeviceAlert(deviceId: string, code: DeviceAlertRow['code'], detail: Record<string, unknown>): Promise<void> {
    await this.handle().query('INSERT INTO device_alerts (device_id, code, detail, at) VALUES ($1, $2, $3, $4)', [deviceId, code, JSON.stringify(detail), new Date().toISOString()]);
    this.log.warn({ code, deviceId, ...detail }, 'device alert');
  }

  async deviceAlerts(limit: number, deviceId?: string): Promise<DeviceAlertRow[]> {
    const rows = deviceId
      ? await this.query<AlertRow>('SELECT alert_id, device_id, code, detail, at FROM device_alerts WHERE device_id = $1 ORDER BY alert_id DESC LIMIT $2', [deviceId, limit])
      : await this.query<AlertRow>('SELECT alert_id, device_id, code, detail, at FROM device_alerts ORDER BY alert_id DESC LIMIT $1', [limit]);
    return rows.map((r) => ({ alertId: r.alert_id, deviceId: r.device_id, code: r.code as DeviceAlertRow['code'], detail: JSON.parse(r.detail) as Record<string, unknown>, at: r.at }));
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
      this.inTransaction((w) => work(w.client, (bodies, createdAt) => this.applyHqItems(w, bodies, createdAt, undefined, false)), 'locking', { allPhones: true }),
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

interface AlertRow {
  alert_id: number;
  device_id: string;
  code: string;
  detail: string;
  at: string;
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isConflict(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (SERIALIZATION_CODES.has(code) || code === UNIQUE_VIOLATION);
}

/** A short random wait that grows with the attempts, so two conflicting workers do not collide again in step. */
function backOff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 2 * attempt * attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Locks the existing sequence rows of these slots' device epochs, in key order (no two batches lock in opposite orders). */
async function lockSequences(client: pg.ClientBase, slots: { deviceId: string; epoch: string }[]): Promise<void> {
  const lock = lockSequencesStatement(slots);
  if (lock) await client.query(lock.sql, [...lock.params]);
}

/** lockSequences' statement, its arrays as text[] literals (to be sent with other statements in one round trip). */
function lockSequencesStatement(slots: { deviceId: string; epoch: string }[]): StatementToSend | null {
  const keys = [...new Map(slots.map((s) => [`${s.deviceId}\u0000${s.epoch}`, s])).values()];
  if (keys.length === 0) return null;
  return {
    sql: `SELECT 1 FROM device_sequences
     WHERE (device_id, epoch) IN (SELECT * FROM unnest($1::text[], $2::text[]))
     ORDER BY device_id, epoch FOR UPDATE`,
    params: [textArray(keys.map((k) => k.deviceId)), textArray(keys.map((k) => k.epoch))],
  };
}

/** A caller-given HQ id already stored, answered from the stored result (as on SQLite). */
function storedHq(port: PostgresWritePort, id: string): TxResult | null {
  const stored = port.findTransaction(id);
  if (!stored) return null;
  if (stored.slot.deviceId !== HQ_DEVICE_ID) {
    return { id, seq: null, status: 'rejected', code: 'TX_ID_CONFLICT', message: `transaction ${id} is ${stored.slot.deviceId}'s, not HQ's`, recorded: false };
  }
  const original = stored.result.original ?? (stored.result.status === 'rejected' ? 'rejected' : 'applied');
  return { ...stored.result, status: 'exists', original, recorded: true };
}

function itemTxId(item: ReceivedTransaction): string | null {
  const { parsed } = item;
  if (parsed.ok) return parsed.tx.id;
  return parsed.stage === 'body' ? parsed.header.id : null;
}

/** The answer for an item whose kiosk another writer holds: nothing recorded, sent again in a moment. */
function deviceBusy(item: ReceivedTransaction): TxResult {
  const { parsed } = item;
  const header = parsed.ok ? parsed.tx : parsed.stage === 'body' ? parsed.header : null;
  return {
    id: header?.id ?? null,
    seq: header?.seq ?? null,
    ...(header ? { epoch: header.epoch } : {}),
    status: 'rejected',
    code: 'TX_DEVICE_BUSY',
    message: "another hub worker is applying this kiosk's or this card's transactions",
    retry: true,
    recorded: false,
  };
}

/** The batch without the items of a kiosk left to another writer, nor those naming a busy card or following one in its kiosk epoch. */
function withoutBusy(batch: ReceivedTransaction[], busyDevices: ReadonlySet<string>, busyCards: ReadonlySet<string>): ReceivedTransaction[] {
  if (busyDevices.size === 0 && busyCards.size === 0) return batch;
  const stopped = new Set<string>();
  return batch.filter((item) => {
    const slot = itemSlot(item);
    if (slot && busyDevices.has(slot.deviceId)) return false;
    const epochKey = slot ? `${slot.deviceId}\u0000${slot.epoch}` : null;
    const waits = (epochKey !== null && stopped.has(epochKey)) || itemCard(item).some((uid) => busyCards.has(uid));
    if (waits && epochKey !== null) stopped.add(epochKey);
    return !waits;
  });
}

/** The card a kiosk transaction names (its member's accounts are what two writers' batches would both change). */
function itemCard(item: ReceivedTransaction): string[] {
  const { parsed } = item;
  return parsed.ok && 'cardUid' in parsed.tx && typeof parsed.tx.cardUid === 'string' ? [parsed.tx.cardUid] : [];
}

function itemSlot(item: ReceivedTransaction): { deviceId: string; epoch: string } | null {
  const { parsed } = item;
  if (parsed.ok) return { deviceId: parsed.tx.deviceId, epoch: parsed.tx.epoch };
  return parsed.stage === 'body' ? { deviceId: parsed.header.deviceId, epoch: parsed.header.epoch } : null;
}
