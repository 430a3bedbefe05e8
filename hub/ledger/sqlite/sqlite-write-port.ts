/**
 * The SQLite side of apply-received: reads the planning context and writes effects with prepared
 * statements. Every call runs inside the batch transaction opened by SqliteLedgerStore.applyBatch.
 */
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { KioskMode } from '../../../core/ledger/types.ts';
import type { AuditEntryInput } from '../../identity/audit-entry.ts';
import { prepareAuditAppend } from './audit-log-sql.ts';
import type { Database, Statement } from 'better-sqlite3';
import { CodedError } from '../../../core/errors/coded-error.ts';
import type { MemberPlanningContext, PlanningContext } from '../../../core/ledger/planning-context.ts';
import type { LedgerEffect } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { HqOnlyTransaction, LedgerTransaction, Transaction } from '../../../core/wire/transaction.ts';
import { dailyCapDay, tierPeriodAt } from '../../../core/rules/engine.ts';
import { localDayOf } from '../../../core/ledger/card-types.ts';
import { depositBonusDay } from '../../../core/ledger/deposit-bonus-day.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import { TIER_TRACKING_SINCE } from './sweep-reads.ts';
import { MAX_REFERRAL_LEVELS, memberImportContext, membersOf, pinThresholdOf, readsCreditOwed, rebateGiftsOf, regionOfStore, registrationContext, rulesForTransaction, type PlanningLookups } from '../planning-lookups.ts';
import type { AlertCode } from '../../../core/wire/alerts.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { LedgerWritePort, SlotHolder, SlotRow, StoredTransaction, TransactionRow } from '../apply-received.ts';
import type { RowReaders } from './row-readers.ts';
import { SqliteCodesAndDraws } from './sqlite-codes-draws.ts';
import { creditStatementChargedSql } from './sqlite-credit.ts';
import { StoreGiftStockStatements } from './sqlite-gift-stock.ts';
import { prepareRegistrationConsents } from './registration-consents.ts';
import { BatchReportRollup } from './batch-report-rollup.ts';

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
  /** A member's balance on one account (card_return reads what the member owes on `shortfall_value`). */
  private readonly accountBalance: Statement<[string, string], { balance: number }>;
  /** Prepared on first use (credit_charge is rare): whether a statement was charged already. */
  private creditStatementCharged: ((memberId: string, statement: string) => boolean) | null = null;
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
  private readonly insertJournal: Statement;
  private readonly addToAccount: Statement;
  private readonly insertLot: Statement;
  private readonly addToLot: Statement<[number, string, string]>;
  private readonly setCardStatus: Statement;
  private readonly insertCard: Statement;
  private readonly setCardValidity: Statement<[string, string]>;
  private readonly insertFeeCharge: Statement;
  private readonly addCardDailySpend: Statement<[string, number, number]>;
  private readonly cardDailySpendOf: Statement<[string, number], { cents: number }>;
  private readonly addVisits: Statement<[number, string]>;
  private readonly annualFeeCharged: Statement<[string, number], { charged: number }>;
  private readonly updateMemberTotals: Statement;
  private readonly setTier: Statement<[string, string]>;
  private readonly addGiftStock: Statement<[number, string]>;
  /** Gift stock per store (schema 8): a redemption at a store that keeps its own stock of the gift takes from it. */
  private readonly storeGiftStock: StoreGiftStockStatements;
  private readonly insertPurchase: Statement;
  private readonly insertRefundedLine: Statement;
  private readonly insertDisagreement: Statement;
  private readonly insertMember: Statement;
  private readonly addPeriodFigures: Statement<[string, string, number, number]>;
  private readonly startTracking: Statement<[string, string]>;
  private trackingStarted = false;
  private readonly dailyPointsOf: Statement<[string, number], { points: number }>;
  private readonly addDailyPoints: Statement<[string, number, number]>;
  private readonly dailyDepositBonusOf: Statement<[string, number], { cents: number }>;
  private readonly addDailyDepositBonus: Statement<[string, number, number]>;
  private readonly upsertServiceCard: Statement<[string, string, number, string | null]>;
  /** Redemption codes and points draws: what their planners read, what their effects write. */
  private readonly codesAndDraws: SqliteCodesAndDraws;
  /** A registration's consents, in its own database transaction (registration-consents.ts). */
  private readonly recordConsents: ReturnType<typeof prepareRegistrationConsents>;
  /** The reports' hourly totals of the batch under way, written before it commits (batch-report-rollup.ts). */
  private readonly rollup: BatchReportRollup;

  private readonly lookups: PlanningLookups;

  constructor(
    private readonly db: Database,
    private readonly readers: RowReaders,
    private readonly bundleFor: (version: number) => RulesBundle,
    private readonly faults: LedgerFaults = {},
    /** The hub's latest rules: their security settings (the member PIN) hold whatever older rules a kiosk names. */
    private readonly latestPolicy: () => RulesBundle = () => bundleFor(0),
    /** A store's region in the fleet (undefined: unknown): region-scoped rules apply at the hub as on the kiosk. */
    private readonly regionOf: (storeId: string) => string | undefined = () => undefined,
    private readonly snapshotRules?: (deviceId: string, snapshotVersion: number | 'newest') => number | null,
  ) {
    // What the planning shared with the PostgreSQL port reads through (../planning-lookups.ts).
    this.lookups = {
      readers,
      bundleFor,
      snapshotRules,
      regionOf,
      deviceMode: (deviceId) => this.device(deviceId).mode,
      raiseAlert: (deviceId, code, detail) => this.raiseAlert(deviceId, code, detail),
    };
    this.findTx = db.prepare('SELECT content_hash, result, device_id, epoch, seq FROM transactions WHERE tx_id = ?');
    this.accountBalance = db.prepare('SELECT balance FROM accounts WHERE member_id = ? AND account = ?');
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
    this.insertJournal = db.prepare(
      'INSERT INTO journal (tx_id, member_id, account, amount, lot_id, bundle_version) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.addToAccount = db.prepare(
      'INSERT INTO accounts (member_id, account, balance) VALUES (?, ?, ?) ON CONFLICT(member_id, account) DO UPDATE SET balance = balance + excluded.balance',
    );
    this.insertLot = db.prepare('INSERT INTO point_lots (lot_id, member_id, remaining, earned_at, expires_at) VALUES (?, ?, 0, ?, ?)');
    this.addToLot = db.prepare('UPDATE point_lots SET remaining = remaining + ? WHERE lot_id = ? AND member_id = ?');
    this.setCardStatus = db.prepare('UPDATE cards SET status = ?, replaced_by = coalesce(?, replaced_by) WHERE uid = ?');
    this.insertCard = db.prepare(
      "INSERT INTO cards (uid, member_id, status, valid_from, valid_until, replaced_by, issued_at, card_type, holder_name) VALUES (?, ?, 'active', NULL, ?, NULL, ?, ?, ?)",
    );
    this.setCardValidity = db.prepare('UPDATE cards SET valid_until = ? WHERE uid = ?');
    this.insertFeeCharge = db.prepare(
      'INSERT INTO fee_charges (tx_id, member_id, card_uid, fee_kind, cents, tender, fee_year, charged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.addCardDailySpend = db.prepare(
      'INSERT INTO card_daily_spend (card_uid, day, cents) VALUES (?, ?, ?) ON CONFLICT(card_uid, day) DO UPDATE SET cents = cents + excluded.cents',
    );
    this.cardDailySpendOf = db.prepare('SELECT cents FROM card_daily_spend WHERE card_uid = ? AND day = ?');
    this.annualFeeCharged = db.prepare("SELECT 1 AS charged FROM fee_charges WHERE card_uid = ? AND fee_year = ? AND fee_kind = 'annual'");
    this.addVisits = db.prepare('UPDATE members SET visits = visits + ? WHERE member_id = ?');
    this.updateMemberTotals = db.prepare(
      'UPDATE members SET cumulative_spend_cents = cumulative_spend_cents + ?, cumulative_points_earned = cumulative_points_earned + ? WHERE member_id = ?',
    );
    this.setTier = db.prepare('UPDATE members SET tier = ? WHERE member_id = ?');
    this.addGiftStock = db.prepare('UPDATE gifts SET stock = stock + ? WHERE sku = ?');
    this.storeGiftStock = new StoreGiftStockStatements(db);
    this.insertPurchase = db.prepare('INSERT INTO purchases (tx_id, member_id, record) VALUES (?, ?, ?)');
    this.insertRefundedLine = db.prepare('INSERT INTO refunded_lines (purchase_tx_id, line_no, refund_tx_id) VALUES (?, ?, ?)');
    this.dailyPointsOf = db.prepare('SELECT points FROM member_daily_points WHERE member_id = ? AND day = ?');
    this.addDailyPoints = db.prepare(
      'INSERT INTO member_daily_points (member_id, day, points) VALUES (?, ?, ?) ON CONFLICT(member_id, day) DO UPDATE SET points = points + excluded.points',
    );
    this.dailyDepositBonusOf = db.prepare('SELECT cents FROM member_daily_deposit_bonus WHERE member_id = ? AND day = ?');
    this.addDailyDepositBonus = db.prepare(
      'INSERT INTO member_daily_deposit_bonus (member_id, day, cents) VALUES (?, ?, ?) ON CONFLICT(member_id, day) DO UPDATE SET cents = cents + excluded.cents',
    );
    this.addPeriodFigures = db.prepare(
      `INSERT INTO member_period_figures (member_id, period_key, points_earned, spend_cents) VALUES (?, ?, ?, ?)
       ON CONFLICT(member_id, period_key) DO UPDATE SET points_earned = points_earned + excluded.points_earned, spend_cents = spend_cents + excluded.spend_cents`,
    );
    this.startTracking = db.prepare('INSERT OR IGNORE INTO schema_meta (key, value) VALUES (?, ?)');
    this.insertMember = db.prepare(
      'INSERT INTO members (member_id, name, phone, tier, referrer_id, credit_limit_cents, created_at, home_store_id) VALUES (?, ?, ?, ?, ?, 0, ?, ?)',
    );
    this.upsertServiceCard = db.prepare(
      `INSERT INTO service_cards (member_id, service_id, counted, valid_until) VALUES (?, ?, ?, ?)
       ON CONFLICT(member_id, service_id) DO UPDATE SET counted = excluded.counted, valid_until = excluded.valid_until`,
    );
    this.insertDisagreement = db.prepare('INSERT INTO rule_disagreements (tx_id, device_id, bundle_version, differences, recorded_at) VALUES (?, ?, ?, ?, ?)');
    this.codesAndDraws = new SqliteCodesAndDraws(db);
    this.recordConsents = prepareRegistrationConsents(db);
    this.rollup = new BatchReportRollup(db);
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
    this.trackingStarted = false;
  }

  readContext(tx: Transaction): PlanningContext {
    if (tx.kind === 'register_member') return registrationContext(this.lookups, tx);
    const found = this.readers.cardWithMember(tx.cardUid);
    if (!found) throw new CodedError('CARD_UNKNOWN', 'no card with this UID');
    const { card, member } = found;
    if (!member) throw new CodedError('MEMBER_UNKNOWN', `card points at missing member ${card.memberId}`);
    const actor = 'actor' in tx ? tx.actor : undefined;
    const bundle = rulesForTransaction(this.lookups, tx);
    const capDay = tx.kind === 'purchase' ? dailyCapDay(bundle, tx.createdAt) : null;
    const depositDay = tx.kind === 'top_up' ? depositBonusDay(bundle, tx.createdAt) : null;
    let rebateGifts: PlanningContext['rebateGifts'] | null = null;
    const readers = this.readers;
    let lots: PlanningContext['lots'] | null = null;
    let serviceCards: PlanningContext['serviceCards'] | null = null;
    return {
      // Only purchases that sell a count card, refunds of one and punches read these: read on demand too.
      get serviceCards() {
        serviceCards ??= readers.serviceCards(member.memberId);
        return serviceCards;
      },
      card,
      member,
      // Most purchases are paid in money and never touch lots: read them only when a planner asks.
      get lots() {
        lots ??= readers.lots(member.memberId);
        return lots;
      },
      bundle,
      staff: actor ? this.readers.staff(actor.staffId) : null,
      staffSession: actor ? this.readers.staffSession(actor.sessionId) : null,
      memberPinProof: 'memberPinProof' in tx && tx.memberPinProof !== undefined ? this.readers.memberPinProof(tx.memberPinProof) : null,
      memberPinAboveCents: tx.kind === 'purchase' ? pinThresholdOf(bundle, this.latestPolicy()) : null,
      deviceMode: this.device(tx.deviceId).mode,
      ...regionOfStore(this.regionOf, tx.storeId),
      ...(capDay !== null ? { dailyPoints: { day: capDay, earnedBefore: this.dailyPointsOf.get(member.memberId, capDay)?.points ?? 0 } } : {}),
      // deposit_ratio capPerDayCents: the deposit bonus the member already got on the top-up's local day.
      ...(depositDay !== null ? { depositBonusToday: { day: depositDay, cents: this.dailyDepositBonusOf.get(member.memberId, depositDay)?.cents ?? 0 } } : {}),
      // A gift 积分返点 reads the ledger's stock of its gifts, only when a credit reaches the threshold.
      get rebateGifts() {
        rebateGifts ??= rebateGiftsOf(readers, bundle);
        return rebateGifts;
      },
      gift: tx.kind === 'redeem_gift' ? this.storeGiftStock.giftAt(this.readers.gift(tx.giftSku), tx.storeId) : null,
      purchase: tx.kind === 'refund' ? this.readers.purchase(tx.purchaseTxId) : null,
      newCardTaken: tx.kind === 'card_replace' || tx.kind === 'card_issue' ? this.readers.card(tx.newCardUid) !== null : false,
      // An attached card with a per-day limit: what it spent today (the bundle's local day).
      ...(tx.kind === 'purchase' && card.cardType ? this.cardSpendContext(card.uid, bundle, tx.createdAt) : {}),
      ...(tx.kind === 'card_return' ? { shortfallValueCents: this.accountBalance.get(member.memberId, 'shortfall_value')?.balance ?? 0 } : {}),
      ...(readsCreditOwed(tx) ? { creditOwedCents: this.accountBalance.get(member.memberId, 'credit')?.balance ?? 0 } : {}),
      // Only purchases can pay referral points; no other kind needs the chain.
      referrerChain: tx.kind === 'purchase' ? this.readers.referrerChain(member.memberId, MAX_REFERRAL_LEVELS) : [],
      // The referrers as they stand, for the upgrade check their referral awards run: read when a planner asks.
      get referrers() {
        return membersOf(readers, this.referrerChain);
      },
      ...this.codesAndDraws.contextFor(tx),
    };
  }

  /** What a card spent on its local day so far: read only for typed cards (a default card has no limits). */
  private cardSpendContext(uid: string, bundle: RulesBundle, at: string): Pick<PlanningContext, 'cardSpend'> {
    const day = localDayOf(bundle, at);
    return { cardSpend: { day, spentCents: this.cardDailySpendOf.get(uid, day)?.cents ?? 0 } };
  }

  readMemberContext(tx: HqOnlyTransaction): MemberPlanningContext {
    if (tx.kind === 'member_import') return memberImportContext(this.lookups, tx);
    const member = this.readers.member(tx.memberId);
    if (!member) throw new CodedError('MEMBER_UNKNOWN', `no member ${tx.memberId}`);
    const context: MemberPlanningContext = { member, lots: this.readers.lots(member.memberId), bundle: this.bundleFor(tx.bundleVersion) };
    if (tx.kind === 'annual_fee') {
      context.card = this.readers.card(tx.cardUid);
      context.annualFeePaid = this.annualFeeCharged.get(tx.cardUid, tx.year) !== undefined;
    }
    if (tx.kind === 'credit_charge') {
      context.creditOwedCents = this.accountBalance.get(member.memberId, 'credit')?.balance ?? 0;
      context.creditStatementCharged = (this.creditStatementCharged ??= creditStatementChargedSql(this.db))(member.memberId, tx.statement);
    }
    return context;
  }

  writeEffect(tx: LedgerTransaction, effect: LedgerEffect, bundleVersion: number): void {
    this.rollup.capture(tx, effect);
    const member = effect.memberId;
    if (effect.newMember) {
      const m = effect.newMember;
      this.insertMember.run(m.memberId, m.name, m.phone, m.tier, m.referrerId, tx.createdAt, m.homeStoreId);
      if (tx.kind === 'register_member') this.recordConsents(tx, m.memberId);
    }
    for (const lot of effect.newLots) this.insertLot.run(lot.lotId, lot.memberId ?? member, lot.earnedAt, lot.expiresAt);
    for (const posting of effect.postings) {
      const owner = posting.memberId ?? member;
      this.insertJournal.run(tx.id, owner, posting.account, posting.amount, posting.lotId ?? null, bundleVersion);
      this.addToAccount.run(owner, posting.account, posting.amount);
      if (posting.lotId !== undefined && this.addToLot.run(posting.amount, posting.lotId, owner).changes !== 1) {
        throw new Error(`posting names lot ${posting.lotId} that member ${owner} does not have`);
      }
    }
    for (const card of effect.newCards) this.insertCard.run(card.uid, card.memberId, card.validUntil ?? null, tx.createdAt, card.cardType ?? null, card.holderName ?? null);
    for (const change of effect.cardChanges) this.setCardStatus.run(change.status, change.replacedBy ?? null, change.uid);
    for (const change of effect.cardValidityChanges ?? []) this.setCardValidity.run(change.validUntil, change.uid);
    for (const fee of effect.feeCharges ?? []) {
      this.insertFeeCharge.run(tx.id, member, fee.cardUid, fee.feeKind, fee.cents, fee.tender, fee.year ?? null, tx.createdAt);
    }
    if (effect.cardDailySpend) this.addCardDailySpend.run(effect.cardDailySpend.uid, effect.cardDailySpend.day, effect.cardDailySpend.cents);
    if (visitsDeltaOf(effect) !== 0) this.addVisits.run(visitsDeltaOf(effect), member);
    const totals = effect.memberChanges;
    this.trackPeriodFigures(tx, member, totals.cumulativeSpendDeltaCents, totals.cumulativePointsEarnedDelta, bundleVersion);
    if (totals.cumulativeSpendDeltaCents !== 0 || totals.cumulativePointsEarnedDelta !== 0) {
      this.updateMemberTotals.run(totals.cumulativeSpendDeltaCents, totals.cumulativePointsEarnedDelta, member);
    }
    if (totals.tier) this.setTier.run(totals.tier, member);
    // Referrers whose referral award counts towards their tier: their points figure, and their tier when it rose.
    for (const other of effect.otherMemberChanges ?? []) {
      this.trackPeriodFigures(tx, other.memberId, 0, other.cumulativePointsEarnedDelta, bundleVersion);
      if (other.cumulativePointsEarnedDelta !== 0) this.updateMemberTotals.run(0, other.cumulativePointsEarnedDelta, other.memberId);
      if (other.tier) this.setTier.run(other.tier, other.memberId);
    }
    for (const gift of effect.giftStockChanges) {
      if (gift.storeId === undefined) this.addGiftStock.run(gift.delta, gift.sku);
      else this.storeGiftStock.take(gift.storeId, gift.sku, gift.delta, this.appliedAt);
    }
    if (effect.purchaseRecord) this.insertPurchase.run(tx.id, member, JSON.stringify(effect.purchaseRecord));
    for (const change of effect.serviceCardChanges ?? []) this.upsertServiceCard.run(member, change.serviceId, change.counted ? 1 : 0, change.validUntil);
    if (effect.dailyPoints) this.addDailyPoints.run(member, effect.dailyPoints.day, effect.dailyPoints.points);
    if (effect.dailyDepositBonus) this.addDailyDepositBonus.run(member, effect.dailyDepositBonus.day, effect.dailyDepositBonus.cents);
    if (effect.disagreement) {
      this.insertDisagreement.run(tx.id, tx.deviceId, bundleVersion, JSON.stringify(effect.disagreement), this.appliedAt);
    }
    if (effect.shortfall) {
      this.raiseAlert(tx.deviceId, 'OFFLINE_SHORTFALL', { txId: tx.id, memberId: member, shortfallCents: effect.shortfall.valueCents, shortfallPoints: effect.shortfall.points });
    }
    if (effect.refundOf) {
      for (const lineNo of effect.refundOf.lineNos) this.insertRefundedLine.run(effect.refundOf.purchaseTxId, lineNo, tx.id);
    }
    if (effect.codeRedemption || effect.drawEntry) this.codesAndDraws.write(tx, effect);
    // After the effect was written in part or whole: the batch's rollback must undo it (contract suite only).
    if (this.faults.failEffectWrite?.(tx)) throw new Error(`injected fault: the write of ${tx.id} fails`);
  }

  /** One timestamp per batch: every transaction in it became durable at the same commit. */
  appliedAt = new Date().toISOString();

  /** Under a "reevaluate" tier policy, what each member earned and spent per review period (read by the tier reviews, hub/hq/review-tiers.ts). */
  private trackPeriodFigures(tx: LedgerTransaction, memberId: string, spendDelta: number, pointsDelta: number, bundleVersion: number): void {
    if (spendDelta === 0 && pointsDelta === 0) return;
    const period = tierPeriodAt(this.bundleFor(bundleVersion), tx.createdAt);
    if (!period) return;
    this.addPeriodFigures.run(memberId, period.key, pointsDelta, spendDelta);
    if (!this.trackingStarted) {
      this.startTracking.run(TIER_TRACKING_SINCE, this.appliedAt);
      this.trackingStarted = true;
    }
  }

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

function visitsDeltaOf(effect: LedgerEffect): number {
  return effect.memberChanges.visitsDelta ?? 0;
}

function sequenceKey(deviceId: string, epoch: string): string {
  return `${deviceId}\u0000${epoch}`;
}
