/**
 * The PostgreSQL side of apply-received: the same reads and writes as ../sqlite/sqlite-write-port.ts, made
 * synchronous the way sync-reads.ts explains. Reads come from SyncReads (a miss throws, is fetched inside the
 * batch's database transaction, and the step runs again); writes are buffered per step with the rows each one
 * writes, and sent once the step completed without a miss (or held for the batch), in one round trip and merged into
 * one statement per table and kind where that is safe (set-based-writes.ts). The
 * port's own state (each device's order, last effective time, alerts raised, the tier-tracking mark) is changed
 * with an undo entry, so a discarded run leaves no trace.
 */
import type pg from 'pg';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { GiftState, KioskMode, MemberState } from '../../../core/ledger/types.ts';
import type { AuditEntryInput } from '../../identity/audit-entry.ts';
import { CodedError } from '../../../core/errors/coded-error.ts';
import type { MemberPlanningContext, PlanningContext } from '../../../core/ledger/planning-context.ts';
import type { LedgerEffect } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { HqOnlyTransaction, HqOnlyTransactionOf, LedgerTransaction, Transaction, TransactionOf } from '../../../core/wire/transaction.ts';
import { memberIdFor } from '../../../core/ledger/plan-register-member.ts';
import { dailyCapDay, tierPeriodAt } from '../../../core/rules/engine.ts';
import { localDayOf } from '../../../core/ledger/card-types.ts';
import { depositBonusDay } from '../../../core/ledger/deposit-bonus-day.ts';
import type { AlertCode } from '../../../core/wire/alerts.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import type { LedgerWritePort, SlotHolder, SlotRow, StoredTransaction, TransactionRow } from '../apply-received.ts';
import type { RowReaders } from '../sqlite/row-readers.ts';
import { CONSENT_PURPOSE_RECORDED, recordedByDevice } from '../sqlite/registration-consents.ts';
import { TIER_TRACKING_SINCE } from '../sqlite/sweep-reads.ts';
import type { RaisedAlert } from '../sqlite/sqlite-write-port.ts';
import { sendInOneRoundTrip } from './one-round-trip-writes.ts';
import { codesAndDrawsContext, codesAndDrawsWrites } from './postgres-codes-draws.ts';
import { planSetBased } from './set-based-writes.ts';
import { tablesOf, type ReadKey, type SqlValue, type StepHooks, type SyncReads, type WrittenKeys, type WrittenRows } from './sync-reads.ts';

/** How far up the referrer chain referral rules may pay (as on SQLite). */
const MAX_REFERRAL_LEVELS = 5;

interface SequenceState {
  lastSeq: number;
  closed: boolean;
  /** The id in slot lastSeq; undefined until read or filled. */
  lastId?: string | null;
}

interface PendingWrite {
  sql: string;
  params: SqlValue[];
  /** What the statement may change: the cached reads to drop once it ran (sync-reads.ts). */
  written: WrittenRows[];
  /** The rows the statement must change; another count is a defect, and the batch rolls back. */
  expectRows?: number;
  what?: string;
}

export class PostgresWritePort implements LedgerWritePort, StepHooks {
  private readonly sequenceCache = new Map<string, SequenceState>();
  private readonly effectiveCache = new Map<string, string | null>();
  private readonly deviceRows = new Map<string, { mode: KioskMode; storeId: string | null }>();
  private trackingStarted = false;
  /** Alerts of the batch under way; the store logs them after the commit (and drops them on a rollback). */
  raisedAlerts: RaisedAlert[] = [];
  /** The current step's writes and how to undo its state changes. */
  private pending: PendingWrite[] = [];
  private undo: (() => void)[] = [];
  /** While set (holdWrites), completed steps' writes wait in `held` and go in one round trip (sendHeld). */
  private holding = false;
  private held: PendingWrite[] = [];

  constructor(
    private readonly reads: SyncReads,
    private readonly readers: RowReaders,
    /** The hub's redemption-code key (postgres-codes-draws.ts). */
    private readonly codeKey: Buffer,
    private readonly bundleFor: (version: number) => RulesBundle,
    private readonly faults: LedgerFaults = {},
    private readonly latestPolicy: () => RulesBundle = () => bundleFor(0),
    private readonly regionOf: (storeId: string) => string | undefined = () => undefined,
    private readonly snapshotRules?: (deviceId: string, snapshotVersion: number | 'newest') => number | null,
  ) {}

  /** One timestamp per batch: every transaction in it became durable at the same commit. */
  appliedAt = new Date().toISOString();

  /** A new database transaction (a batch, or its retry): its time, and nothing cached from another. */
  beginBatch(): void {
    this.appliedAt = new Date().toISOString();
    this.reads.clear();
    this.sequenceCache.clear();
    this.effectiveCache.clear();
    this.deviceRows.clear();
    this.trackingStarted = false;
    this.pending = [];
    this.undo = [];
    this.holding = false;
    this.held = [];
  }

  /**
   * From now on the database transaction's completed steps do not write one by one: their writes are held and
   * sent in one round trip, before the next read that misses the cache and at sendHeld (before COMMIT). Only for a
   * batch that is one unit: a held write that fails surfaces later, at that send, and fails the whole batch
   * (rolled back, then replayed item by item in savepoints — where writes are sent step by step again).
   */
  holdWrites(): void {
    this.holding = true;
  }

  /** Writes what completed steps left held, in order, in one round trip. */
  async sendHeld(client: pg.ClientBase): Promise<void> {
    const writes = this.held;
    this.held = [];
    await this.send(client, writes);
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
    for (const undo of this.undo.reverse()) undo();
    this.undo = [];
    this.pending = [];
  }

  async flush(client: pg.ClientBase): Promise<void> {
    const writes = this.pending;
    this.pending = [];
    if (this.holding) {
      // Written later, before anything reads: from now on the cache must already not answer what they change.
      this.reads.invalidate(writes.flatMap((w) => w.written));
      this.held.push(...writes);
      this.undo = [];
      return;
    }
    try {
      await this.send(client, writes);
    } catch (error) {
      // The caller rolls the database back (the batch, or the item's savepoint): the port's state goes back with it.
      this.discard();
      throw error;
    } finally {
      // What the step wrote (or began to write) is no longer what the cache holds.
      this.reads.invalidate(writes.flatMap((w) => w.written));
    }
    this.undo = [];
  }

  /**
   * The statements in one round trip (one-round-trip-writes.ts), merged set-based where that is safe (one statement
   * per table and kind: set-based-writes.ts), each checked for the rows it must change.
   */
  private async send(client: pg.ClientBase, writes: readonly PendingWrite[]): Promise<void> {
    const planned = planSetBased(writes);
    const changed = await sendInOneRoundTrip(client, planned);
    for (const [i, write] of planned.entries()) {
      if (write.expectRows !== undefined && changed[i] !== write.expectRows) {
        throw new Error(`${write.what ?? 'a write'}: ${changed[i] ?? 0} rows changed, ${write.expectRows} expected`);
      }
    }
  }

  /**
   * Buffers a statement. `keys` names the key values of the rows it changes in the table it writes (see
   * sync-reads.ts WrittenKeys): then only the cached reads of those keys are dropped, not the whole table's.
   */
  private write(sql: string, params: SqlValue[], check?: { expectRows: number; what: string }, keys?: WrittenKeys): void {
    this.pending.push({ sql, params, written: writtenBy(sql, keys), ...check });
  }

  /** Sets a cached value, remembering how to put the old one back should the run be discarded. */
  private change<K, V>(map: Map<K, V>, key: K, value: V): void {
    const had = map.has(key);
    const old = map.get(key);
    map.set(key, value);
    this.undo.push(() => (had ? map.set(key, old as V) : map.delete(key)));
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
      // The row was locked FOR UPDATE when the batch began (PostgresLedgerStore.lockSequences) where it exists.
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
    this.undo.push(() => {
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
    this.undo.push(() => (this.raisedAlerts.length = mark));
  }

  private balanceOf(memberId: string, account: string): number {
    return this.reads.one<{ balance: number }>('SELECT balance FROM accounts WHERE member_id = $1 AND account = $2', [memberId, account], { table: 'accounts', column: 'member_id', value: memberId })
      ?.balance ?? 0;
  }

  readContext(tx: Transaction): PlanningContext {
    if (tx.kind === 'register_member') return this.registrationContext(tx);
    const found = this.readers.cardWithMember(tx.cardUid);
    if (!found) throw new CodedError('CARD_UNKNOWN', 'no card with this UID');
    const { card, member } = found;
    if (!member) throw new CodedError('MEMBER_UNKNOWN', `card points at missing member ${card.memberId}`);
    const actor = 'actor' in tx ? tx.actor : undefined;
    const bundle = this.rulesFor(tx);
    const capDay = tx.kind === 'purchase' ? dailyCapDay(bundle, tx.createdAt) : null;
    const depositDay = tx.kind === 'top_up' ? depositBonusDay(bundle, tx.createdAt) : null;
    const readers = this.readers;
    // Read eagerly where SQLite reads on demand: a miss inside the planner costs a run, not a wrong answer, but
    // the common reads up front keep the runs per transaction few.
    const lots = readers.lots(member.memberId);
    let serviceCards: PlanningContext['serviceCards'] | null = null;
    let rebateGifts: PlanningContext['rebateGifts'] | null = null;
    return {
      get serviceCards() {
        serviceCards ??= readers.serviceCards(member.memberId);
        return serviceCards;
      },
      card,
      member,
      lots,
      bundle,
      staff: actor ? readers.staff(actor.staffId) : null,
      staffSession: actor ? readers.staffSession(actor.sessionId) : null,
      memberPinProof: 'memberPinProof' in tx && tx.memberPinProof !== undefined ? readers.memberPinProof(tx.memberPinProof) : null,
      memberPinAboveCents: tx.kind === 'purchase' ? this.pinThreshold(bundle) : null,
      deviceMode: this.device(tx.deviceId).mode,
      ...this.regionOfStore(tx.storeId),
      ...(capDay !== null ? { dailyPoints: { day: capDay, earnedBefore: this.dailyFigure('member_daily_points', 'points', member.memberId, capDay) } } : {}),
      ...(depositDay !== null ? { depositBonusToday: { day: depositDay, cents: this.dailyFigure('member_daily_deposit_bonus', 'cents', member.memberId, depositDay) } } : {}),
      get rebateGifts() {
        rebateGifts ??= rebateGiftsOf(readers, bundle);
        return rebateGifts;
      },
      gift: tx.kind === 'redeem_gift' ? this.giftAt(readers.gift(tx.giftSku), tx.storeId) : null,
      purchase: tx.kind === 'refund' ? readers.purchase(tx.purchaseTxId) : null,
      newCardTaken: tx.kind === 'card_replace' || tx.kind === 'card_issue' ? readers.card(tx.newCardUid) !== null : false,
      ...(tx.kind === 'purchase' && card.cardType ? this.cardSpendContext(card.uid, bundle, tx.createdAt) : {}),
      ...(tx.kind === 'card_return' ? { shortfallValueCents: this.balanceOf(member.memberId, 'shortfall_value') } : {}),
      ...(readsCreditOwed(tx) ? { creditOwedCents: this.balanceOf(member.memberId, 'credit') } : {}),
      referrerChain: tx.kind === 'purchase' ? readers.referrerChain(member.memberId, MAX_REFERRAL_LEVELS) : [],
      get referrers() {
        return membersOf(readers, this.referrerChain);
      },
      ...codesAndDrawsContext(this.reads, this.codeKey, tx),
    };
  }

  private dailyFigure(table: 'member_daily_points' | 'member_daily_deposit_bonus', column: 'points' | 'cents', memberId: string, day: number): number {
    return this.reads.one<Record<string, number>>(`SELECT ${column} FROM ${table} WHERE member_id = $1 AND day = $2`, [memberId, day], { table, column: 'member_id', value: memberId })?.[column] ?? 0;
  }

  /** The gift as a redemption at `storeId` counts it: with the store's own stock when it keeps one. */
  private giftAt(gift: GiftState | null, storeId: string): GiftState | null {
    if (!gift) return null;
    const row = this.reads.one<{ stock: number }>('SELECT stock FROM gift_store_stock WHERE store_id = $1 AND sku = $2', [storeId, gift.sku], { table: 'gift_store_stock', column: 'sku', value: gift.sku });
    return row ? { ...gift, stock: row.stock, storeId } : gift;
  }

  private cardSpendContext(uid: string, bundle: RulesBundle, at: string): Pick<PlanningContext, 'cardSpend'> {
    const day = localDayOf(bundle, at);
    const spent = this.reads.one<{ cents: number }>('SELECT cents FROM card_daily_spend WHERE card_uid = $1 AND day = $2', [uid, day], { table: 'card_daily_spend', column: 'card_uid', value: uid })?.cents ?? 0;
    return { cardSpend: { day, spentCents: spent } };
  }

  private pinThreshold(named: RulesBundle): number | null {
    const latest = this.latestPolicy();
    return named.memberPin === undefined && latest.memberPin === undefined ? null : stricterPinThreshold(named, latest);
  }

  readMemberContext(tx: HqOnlyTransaction): MemberPlanningContext {
    if (tx.kind === 'member_import') return this.memberImportContext(tx);
    const member = this.readers.member(tx.memberId);
    if (!member) throw new CodedError('MEMBER_UNKNOWN', `no member ${tx.memberId}`);
    const context: MemberPlanningContext = { member, lots: this.readers.lots(member.memberId), bundle: this.bundleFor(tx.bundleVersion) };
    if (tx.kind === 'annual_fee') {
      context.card = this.readers.card(tx.cardUid);
      context.annualFeePaid = this.reads.one("SELECT 1 AS charged FROM fee_charges WHERE card_uid = $1 AND fee_year = $2 AND fee_kind = 'annual'", [tx.cardUid, tx.year]) !== undefined;
    }
    if (tx.kind === 'credit_charge') {
      context.creditOwedCents = this.balanceOf(member.memberId, 'credit');
      context.creditStatementCharged =
        this.reads.one(
          "SELECT 1 AS one FROM transactions WHERE member_id = $1 AND kind = 'credit_charge' AND status = 'applied' AND payload::jsonb ->> 'statement' = $2 LIMIT 1",
          [member.memberId, tx.statement],
        ) !== undefined;
    }
    return context;
  }

  /** As on SQLite (sqlite-write-port.ts rulesFor): the rules of the signed snapshot the kiosk names. */
  private rulesFor(tx: Pick<Transaction, 'id' | 'deviceId' | 'bundleVersion' | 'snapshotVersion'>): RulesBundle {
    if (!this.snapshotRules) return this.bundleFor(tx.bundleVersion);
    if (tx.snapshotVersion === undefined) {
      return this.bundleFor(tx.bundleVersion === 0 ? (this.snapshotRules(tx.deviceId, 'newest') ?? 0) : tx.bundleVersion);
    }
    const named = this.snapshotRules(tx.deviceId, tx.snapshotVersion);
    if (named === tx.bundleVersion) return this.bundleFor(named);
    const used = named ?? this.snapshotRules(tx.deviceId, 'newest') ?? 0;
    this.raiseAlert(tx.deviceId, 'TX_RULES_NOT_OF_SNAPSHOT', { txId: tx.id, snapshotVersion: tx.snapshotVersion, namedRulesVersion: tx.bundleVersion, usedRulesVersion: used });
    return this.bundleFor(used);
  }

  private regionOfStore(storeId: string): { regionId?: string } {
    const regionId = this.regionOf(storeId);
    return regionId === undefined ? {} : { regionId };
  }

  private memberImportContext(tx: HqOnlyTransactionOf<'member_import'>): MemberPlanningContext {
    return {
      member: {
        memberId: tx.memberId, name: tx.name, tier: tx.tier, storedValueCents: 0, bonusValueCents: 0, points: 0, creditLimitCents: 0, cumulativeSpendCents: 0, cumulativePointsEarned: 0,
      },
      lots: [],
      bundle: this.bundleFor(tx.bundleVersion),
      memberImport: {
        memberExists: this.readers.member(tx.memberId) !== null,
        phoneTaken: this.readers.memberIdByPhone(tx.phone) !== null,
        cardTaken: this.readers.card(tx.cardUid) !== null,
        ...(tx.referrerPhone === undefined ? {} : { referrerId: this.readers.memberIdByPhone(tx.referrerPhone) }),
      },
    };
  }

  private registrationContext(tx: TransactionOf<'register_member'>): PlanningContext {
    if (this.readers.card(tx.cardUid)) throw new CodedError('CARD_ALREADY_EXISTS', 'this card is already issued to a member');
    const memberId = memberIdFor(tx.id);
    let referrerChain: string[] = [];
    if (tx.referrer) {
      const referrerId = 'phone' in tx.referrer ? this.readers.memberIdByPhone(tx.referrer.phone) : this.readers.member(tx.referrer.memberId)?.memberId;
      if (!referrerId) throw new CodedError('REFERRER_UNKNOWN');
      referrerChain = [referrerId, ...this.readers.referrerChain(referrerId, MAX_REFERRAL_LEVELS - 1)];
    }
    return {
      card: { uid: tx.cardUid, memberId, status: 'active', validFrom: null, validUntil: null },
      member: {
        memberId, name: tx.name, tier: '', storedValueCents: 0, bonusValueCents: 0, points: 0, creditLimitCents: 0, cumulativeSpendCents: 0, cumulativePointsEarned: 0,
      },
      lots: [],
      bundle: this.rulesFor(tx),
      staff: null,
      staffSession: null,
      deviceMode: this.device(tx.deviceId).mode,
      ...this.regionOfStore(tx.storeId),
      gift: null,
      purchase: null,
      newCardTaken: false,
      referrerChain,
      referrers: membersOf(this.readers, referrerChain),
      phoneTaken: this.readers.memberIdByPhone(tx.phone) !== null,
    };
  }

  writeEffect(tx: LedgerTransaction, effect: LedgerEffect, bundleVersion: number): void {
    const member = effect.memberId;
    if (effect.newMember) {
      const m = effect.newMember;
      this.write(
        'INSERT INTO members (member_id, name, phone, tier, referrer_id, credit_limit_cents, created_at, home_store_id) VALUES ($1, $2, $3, $4, $5, 0, $6, $7)',
        [m.memberId, m.name, m.phone, m.tier, m.referrerId, tx.createdAt, m.homeStoreId],
        undefined,
        { member_id: m.memberId, phone: m.phone },
      );
      if (tx.kind === 'register_member') {
        // The consents given on the kiosk, in the same database transaction as the member (registration-consents.ts).
        for (const consent of tx.consents ?? []) {
          this.write('INSERT INTO member_consents (member_id, purpose, granted, at, staff_id, note) VALUES ($1, $2, $3, $4, $5, $6)', [
            m.memberId, CONSENT_PURPOSE_RECORDED[consent.purpose], consent.granted ? 1 : 0, tx.createdAt, recordedByDevice(tx.deviceId), `kiosk registration ${tx.id}`,
          ]);
        }
      }
    }
    // A lot this effect opens is inserted with what its own postings put in it (SQLite inserts 0 and adds each
    // posting): the same row, one statement fewer per posting. A posting by another owner still updates — and fails.
    const openedLots = new Map<string, { owner: string; remaining: number }>();
    for (const lot of effect.newLots) openedLots.set(lot.lotId, { owner: lot.memberId ?? member, remaining: 0 });
    const intoOpenedLot = (posting: LedgerEffect['postings'][number]) => {
      const lot = posting.lotId === undefined ? undefined : openedLots.get(posting.lotId);
      return lot !== undefined && lot.owner === (posting.memberId ?? member) ? lot : undefined;
    };
    for (const posting of effect.postings) {
      const lot = intoOpenedLot(posting);
      if (lot) lot.remaining += posting.amount;
    }
    for (const lot of effect.newLots) {
      const { owner, remaining } = openedLots.get(lot.lotId)!;
      this.write('INSERT INTO point_lots (lot_id, member_id, remaining, earned_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [lot.lotId, owner, remaining, lot.earnedAt, lot.expiresAt], undefined, {
        lot_id: lot.lotId,
        member_id: owner,
      });
    }
    for (const posting of effect.postings) {
      const owner = posting.memberId ?? member;
      this.write('INSERT INTO journal (tx_id, member_id, account, amount, lot_id, bundle_version) VALUES ($1, $2, $3, $4, $5, $6)', [
        tx.id, owner, posting.account, posting.amount, posting.lotId ?? null, bundleVersion,
      ], undefined, { tx_id: tx.id, member_id: owner });
      this.write(
        'INSERT INTO accounts (member_id, account, balance) VALUES ($1, $2, $3) ON CONFLICT (member_id, account) DO UPDATE SET balance = accounts.balance + excluded.balance',
        [owner, posting.account, posting.amount],
        undefined,
        { member_id: owner },
      );
      if (posting.lotId !== undefined && !intoOpenedLot(posting)) {
        this.write(
          'UPDATE point_lots SET remaining = remaining + $1 WHERE lot_id = $2 AND member_id = $3',
          [posting.amount, posting.lotId, owner],
          { expectRows: 1, what: `posting names lot ${posting.lotId} of member ${owner}` },
          { lot_id: posting.lotId, member_id: owner },
        );
      }
    }
    for (const card of effect.newCards) {
      this.write(
        "INSERT INTO cards (uid, member_id, status, valid_from, valid_until, replaced_by, issued_at, card_type, holder_name) VALUES ($1, $2, 'active', NULL, $3, NULL, $4, $5, $6)",
        [card.uid, card.memberId, card.validUntil ?? null, tx.createdAt, card.cardType ?? null, card.holderName ?? null],
        undefined,
        { uid: card.uid, member_id: card.memberId },
      );
    }
    for (const change of effect.cardChanges) this.write('UPDATE cards SET status = $1, replaced_by = coalesce($2, replaced_by) WHERE uid = $3', [change.status, change.replacedBy ?? null, change.uid], undefined, { uid: change.uid });
    for (const change of effect.cardValidityChanges ?? []) this.write('UPDATE cards SET valid_until = $1 WHERE uid = $2', [change.validUntil, change.uid], undefined, { uid: change.uid });
    for (const fee of effect.feeCharges ?? []) {
      this.write('INSERT INTO fee_charges (tx_id, member_id, card_uid, fee_kind, cents, tender, fee_year, charged_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        tx.id, member, fee.cardUid, fee.feeKind, fee.cents, fee.tender, fee.year ?? null, tx.createdAt,
      ]);
    }
    if (effect.cardDailySpend) {
      this.write(
        'INSERT INTO card_daily_spend (card_uid, day, cents) VALUES ($1, $2, $3) ON CONFLICT (card_uid, day) DO UPDATE SET cents = card_daily_spend.cents + excluded.cents',
        [effect.cardDailySpend.uid, effect.cardDailySpend.day, effect.cardDailySpend.cents],
        undefined,
        { card_uid: effect.cardDailySpend.uid },
      );
    }
    const visits = effect.memberChanges.visitsDelta ?? 0;
    const totals = effect.memberChanges;
    const totalsChange = totals.cumulativeSpendDeltaCents !== 0 || totals.cumulativePointsEarnedDelta !== 0;
    // A purchase changes both: one statement (nothing between reads the member's row).
    if (visits !== 0 && totalsChange) {
      this.write(
        'UPDATE members SET visits = visits + $1, cumulative_spend_cents = cumulative_spend_cents + $2, cumulative_points_earned = cumulative_points_earned + $3 WHERE member_id = $4',
        [visits, totals.cumulativeSpendDeltaCents, totals.cumulativePointsEarnedDelta, member],
        undefined,
        { member_id: member },
      );
    } else if (visits !== 0) this.write('UPDATE members SET visits = visits + $1 WHERE member_id = $2', [visits, member], undefined, { member_id: member });
    this.trackPeriodFigures(tx, member, totals.cumulativeSpendDeltaCents, totals.cumulativePointsEarnedDelta, bundleVersion);
    if (totalsChange && visits === 0) this.addMemberTotals(totals.cumulativeSpendDeltaCents, totals.cumulativePointsEarnedDelta, member);
    if (totals.tier) this.write('UPDATE members SET tier = $1 WHERE member_id = $2', [totals.tier, member], undefined, { member_id: member });
    for (const other of effect.otherMemberChanges ?? []) {
      this.trackPeriodFigures(tx, other.memberId, 0, other.cumulativePointsEarnedDelta, bundleVersion);
      if (other.cumulativePointsEarnedDelta !== 0) this.addMemberTotals(0, other.cumulativePointsEarnedDelta, other.memberId);
      if (other.tier) this.write('UPDATE members SET tier = $1 WHERE member_id = $2', [other.tier, other.memberId], undefined, { member_id: other.memberId });
    }
    for (const gift of effect.giftStockChanges) {
      if (gift.storeId === undefined) this.write('UPDATE gifts SET stock = stock + $1 WHERE sku = $2', [gift.delta, gift.sku]);
      else {
        this.write('UPDATE gift_store_stock SET stock = stock + $1, updated_at = $2 WHERE store_id = $3 AND sku = $4', [gift.delta, this.appliedAt, gift.storeId, gift.sku], {
          expectRows: 1,
          what: `stock row of ${gift.sku} at store ${gift.storeId}`,
        });
      }
    }
    if (effect.purchaseRecord) {
      this.write('INSERT INTO purchases (tx_id, member_id, record) VALUES ($1, $2, $3)', [tx.id, member, JSON.stringify(effect.purchaseRecord)], undefined, { tx_id: tx.id, member_id: member });
    }
    for (const change of effect.serviceCardChanges ?? []) {
      this.write(
        `INSERT INTO service_cards (member_id, service_id, counted, valid_until) VALUES ($1, $2, $3, $4)
         ON CONFLICT (member_id, service_id) DO UPDATE SET counted = excluded.counted, valid_until = excluded.valid_until`,
        [member, change.serviceId, change.counted ? 1 : 0, change.validUntil],
      );
    }
    if (effect.dailyPoints) {
      this.write(
        'INSERT INTO member_daily_points (member_id, day, points) VALUES ($1, $2, $3) ON CONFLICT (member_id, day) DO UPDATE SET points = member_daily_points.points + excluded.points',
        [member, effect.dailyPoints.day, effect.dailyPoints.points],
        undefined,
        { member_id: member },
      );
    }
    if (effect.dailyDepositBonus) {
      this.write(
        'INSERT INTO member_daily_deposit_bonus (member_id, day, cents) VALUES ($1, $2, $3) ON CONFLICT (member_id, day) DO UPDATE SET cents = member_daily_deposit_bonus.cents + excluded.cents',
        [member, effect.dailyDepositBonus.day, effect.dailyDepositBonus.cents],
        undefined,
        { member_id: member },
      );
    }
    if (effect.disagreement) {
      this.write('INSERT INTO rule_disagreements (tx_id, device_id, bundle_version, differences, recorded_at) VALUES ($1, $2, $3, $4, $5)', [
        tx.id, tx.deviceId, bundleVersion, JSON.stringify(effect.disagreement), this.appliedAt,
      ]);
    }
    if (effect.shortfall) {
      this.raiseAlert(tx.deviceId, 'OFFLINE_SHORTFALL', { txId: tx.id, memberId: member, shortfallCents: effect.shortfall.valueCents, shortfallPoints: effect.shortfall.points });
    }
    if (effect.refundOf) {
      for (const lineNo of effect.refundOf.lineNos) {
        this.write('INSERT INTO refunded_lines (purchase_tx_id, line_no, refund_tx_id) VALUES ($1, $2, $3)', [effect.refundOf.purchaseTxId, lineNo, tx.id]);
      }
    }
    if (effect.codeRedemption || effect.drawEntry) codesAndDrawsWrites((sql, params, check) => this.write(sql, params, check), tx, effect);
    // After the effect was written in part or whole: the batch's rollback must undo it (contract suite only).
    if (this.faults.failEffectWrite?.(tx)) throw new Error(`injected fault: the write of ${tx.id} fails`);
  }

  private addMemberTotals(spendDelta: number, pointsDelta: number, memberId: string): void {
    this.write(
      'UPDATE members SET cumulative_spend_cents = cumulative_spend_cents + $1, cumulative_points_earned = cumulative_points_earned + $2 WHERE member_id = $3',
      [spendDelta, pointsDelta, memberId],
      undefined,
      { member_id: memberId },
    );
  }

  private trackPeriodFigures(tx: LedgerTransaction, memberId: string, spendDelta: number, pointsDelta: number, bundleVersion: number): void {
    if (spendDelta === 0 && pointsDelta === 0) return;
    const period = tierPeriodAt(this.bundleFor(bundleVersion), tx.createdAt);
    if (!period) return;
    this.write(
      `INSERT INTO member_period_figures (member_id, period_key, points_earned, spend_cents) VALUES ($1, $2, $3, $4)
       ON CONFLICT (member_id, period_key) DO UPDATE SET points_earned = member_period_figures.points_earned + excluded.points_earned,
         spend_cents = member_period_figures.spend_cents + excluded.spend_cents`,
      [memberId, period.key, pointsDelta, spendDelta],
      undefined,
      { member_id: memberId },
    );
    if (!this.trackingStarted) {
      this.write('INSERT INTO schema_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [TIER_TRACKING_SINCE, this.appliedAt]);
      this.trackingStarted = true;
      this.undo.push(() => (this.trackingStarted = false));
    }
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

function membersOf(readers: RowReaders, memberIds: readonly string[]): MemberState[] {
  const members: MemberState[] = [];
  for (const memberId of memberIds) {
    const member = readers.member(memberId);
    if (member) members.push(member);
  }
  return members;
}

function rebateGiftsOf(readers: RowReaders, bundle: RulesBundle): GiftState[] {
  const rebate = bundle.pointsRebate;
  if (rebate?.reward !== 'gift') return [];
  const gifts: GiftState[] = [];
  for (const giftId of new Set([rebate.giftId, ...Object.values(rebate.giftIdByTier ?? {})])) {
    const gift = readers.gift(giftId);
    if (gift) gifts.push(gift);
  }
  return gifts;
}

function readsCreditOwed(tx: Transaction): boolean {
  if (tx.kind === 'purchase') return tx.payments.some((p) => p.method === 'credit');
  return tx.kind === 'credit_repay' || tx.kind === 'card_return' || tx.kind === 'refund';
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

/**
 * What a buffered statement may change: with keys, the rows of the table it writes (the first after INTO or
 * UPDATE) with those key values, and every other table its SQL names whole; without, every table its SQL names.
 */
export function writtenBy(sql: string, keys: WrittenKeys | undefined): WrittenRows[] {
  const target = keys ? /\b(?:INTO|UPDATE)\s+([a-z_][a-z0-9_]*)/i.exec(sql)?.[1]?.toLowerCase() : undefined;
  return tablesOf(sql).map((table) => (table === target ? { table, keys: keys! } : { table }));
}

function stricterPinThreshold(named: RulesBundle, latest: RulesBundle): number | null {
  const thresholds = [named.memberPin?.storedValueAboveCents, latest.memberPin?.storedValueAboveCents].filter((t): t is number => t !== undefined);
  return thresholds.length ? Math.min(...thresholds) : null;
}
