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
import { applyReceived, recordDefect } from '../apply-received.ts';
import type { AuditFinding, LedgerStore, NewMember, ReceivedTransaction } from '../ledger-store.ts';
import { auditJournal } from './audit-journal.ts';
import { expirePoints } from './expire-points.ts';
import { reviewTiers, type TierReviewOutcome } from './review-tiers.ts';
import { buildMemberView } from './member-view.ts';
import { createRowReaders, type RowReaders } from './row-readers.ts';
import { SCHEMA_SQL, SCHEMA_VERSION } from './schema.ts';
import { SqliteWritePort } from './sqlite-write-port.ts';

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
    db.exec(SCHEMA_SQL);
    db.prepare("INSERT OR IGNORE INTO schema_meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
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
    if (!this.latestRulesBundle()) this.saveRulesBundle(this.options.fallbackBundle);
  }

  close(): void {
    this.db?.close();
    this.db = null;
    this.readers = null;
    this.port = null;
    this.applyBatchTx = null;
    this.recordDefectTx = null;
  }

  applyBatch(batch: ReceivedTransaction[]): TxResult[] {
    const applyBatchTx = this.applyBatchTx;
    if (!applyBatchTx) throw new Error('ledger store is not open');
    try {
      return applyBatchTx(batch);
    } catch (error) {
      this.port?.forgetCachedState();
      if (batch.length === 1 && !this.recordDefectTx) throw error;
      this.log.error({ err: error, size: batch.length }, 'batch rolled back; applying its transactions one at a time');
    }
    // One transaction per item: a write that fails again rolls back alone and is recorded as INTERNAL
    // (payload kept) so the device's order moves on; database-wide failures still throw to the caller.
    return batch.map((item) => {
      try {
        return applyBatchTx([item]);
      } catch (error) {
        this.port?.forgetCachedState();
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

  lastSeq(deviceId: string): number {
    return this.handle().prepare<[string], { last_seq: number }>('SELECT last_seq FROM devices WHERE device_id = ?').get(deviceId)?.last_seq ?? 0;
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
