/**
 * How the SQLite write port writes a planned effect (moved out of sqlite-write-port.ts): every balance change as a
 * journal entry with its account (and lot), the cards, fees, member totals and tier, gift stock, purchases and the
 * rest an effect carries, with the prepared statements only these writes use. Runs inside the batch's database
 * transaction; a row it cannot write throws, and the batch rolls back whole. ../postgres/postgres-effect-writes.ts
 * writes the same rows in the same order.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { LedgerEffect } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { tierPeriodAt } from '../../../core/rules/engine.ts';
import type { AlertCode } from '../../../core/wire/alerts.ts';
import type { LedgerTransaction } from '../../../core/wire/transaction.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import { prepareRegistrationConsents } from './registration-consents.ts';
import type { SqliteCodesAndDraws } from './sqlite-codes-draws.ts';
import type { StoreGiftStockStatements } from './sqlite-gift-stock.ts';
import { TIER_TRACKING_SINCE } from './sweep-reads.ts';

export class SqliteEffectWrites {
  private readonly insertJournal: Statement;
  private readonly addToAccount: Statement;
  private readonly insertLot: Statement;
  private readonly addToLot: Statement<[number, string, string]>;
  private readonly setCardStatus: Statement;
  private readonly insertCard: Statement;
  private readonly setCardValidity: Statement<[string, string]>;
  private readonly insertFeeCharge: Statement;
  private readonly addCardDailySpend: Statement<[string, number, number]>;
  private readonly addVisits: Statement<[number, string]>;
  private readonly updateMemberTotals: Statement;
  private readonly setTier: Statement<[string, string]>;
  private readonly addGiftStock: Statement<[number, string]>;
  private readonly insertPurchase: Statement;
  private readonly insertRefundedLine: Statement;
  private readonly insertDisagreement: Statement;
  private readonly insertMember: Statement;
  private readonly addPeriodFigures: Statement<[string, string, number, number]>;
  private readonly startTracking: Statement<[string, string]>;
  /** Whether the tier-tracking mark is known written (cached like the port's sequences: forgotten with them). */
  private trackingStarted = false;
  private readonly addDailyPoints: Statement<[string, number, number]>;
  private readonly addDailyDepositBonus: Statement<[string, number, number]>;
  private readonly upsertServiceCard: Statement<[string, string, number, string | null]>;
  /** A registration's consents, in its own database transaction (registration-consents.ts). */
  private readonly recordConsents: ReturnType<typeof prepareRegistrationConsents>;

  constructor(
    db: Database,
    private readonly bundleFor: (version: number) => RulesBundle,
    private readonly faults: LedgerFaults,
    /** The port's one timestamp for the batch (read each time: whoever runs the batch may set it). */
    private readonly appliedAtOf: () => string,
    /** The port's raiseAlert: written with the transaction, logged once committed. */
    private readonly raiseAlert: (deviceId: string, code: AlertCode, detail: Record<string, unknown>) => void,
    /** The port's gift stock per store (schema 8): a redemption at a store that keeps its own stock of the gift takes from it. */
    private readonly storeGiftStock: StoreGiftStockStatements,
    /** The port's codes and draws: what their effects write. */
    private readonly codesAndDraws: SqliteCodesAndDraws,
  ) {
    // Positional parameters: binding by name costs a property lookup per column on every transaction.
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
    this.addVisits = db.prepare('UPDATE members SET visits = visits + ? WHERE member_id = ?');
    this.updateMemberTotals = db.prepare(
      'UPDATE members SET cumulative_spend_cents = cumulative_spend_cents + ?, cumulative_points_earned = cumulative_points_earned + ? WHERE member_id = ?',
    );
    this.setTier = db.prepare('UPDATE members SET tier = ? WHERE member_id = ?');
    this.addGiftStock = db.prepare('UPDATE gifts SET stock = stock + ? WHERE sku = ?');
    this.insertPurchase = db.prepare('INSERT INTO purchases (tx_id, member_id, record) VALUES (?, ?, ?)');
    this.insertRefundedLine = db.prepare('INSERT INTO refunded_lines (purchase_tx_id, line_no, refund_tx_id) VALUES (?, ?, ?)');
    this.addDailyPoints = db.prepare(
      'INSERT INTO member_daily_points (member_id, day, points) VALUES (?, ?, ?) ON CONFLICT(member_id, day) DO UPDATE SET points = points + excluded.points',
    );
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
    this.recordConsents = prepareRegistrationConsents(db);
  }

  /** Another connection wrote the file, or the database transaction was rolled back: the tracking mark is read again. */
  forgetTrackingMark(): void {
    this.trackingStarted = false;
  }

  private get appliedAt(): string {
    return this.appliedAtOf();
  }

  writeEffect(tx: LedgerTransaction, effect: LedgerEffect, bundleVersion: number): void {
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
}

function visitsDeltaOf(effect: LedgerEffect): number {
  return effect.memberChanges.visitsDelta ?? 0;
}
