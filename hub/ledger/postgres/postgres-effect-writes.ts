/**
 * How the write port writes a planned effect (moved out of postgres-write-port.ts): the rows of
 * ../sqlite/sqlite-effect-writes.ts's writeEffect, in the same order, buffered in the port's PendingWrites
 * (pending-writes.ts) with the keys of the rows each statement changes, so that set-based-writes.ts may merge them and
 * only those rows' cached reads are dropped.
 */
import type { LedgerEffect } from '../../../core/ledger/types.ts';
import type { LedgerTransaction } from '../../../core/wire/transaction.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { tierPeriodAt } from '../../../core/rules/engine.ts';
import type { AlertCode } from '../../../core/wire/alerts.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import { CONSENT_PURPOSE_RECORDED, recordedByDevice } from '../sqlite/registration-consents.ts';
import { TIER_TRACKING_SINCE } from '../sqlite/sweep-reads.ts';
import type { PendingWrites } from './pending-writes.ts';
import { codesAndDrawsWrites } from './postgres-codes-draws.ts';
import type { SqlValue, WrittenKeys } from './sync-reads.ts';

export class PostgresEffectWrites {
  /** Whether this database transaction wrote the tier-tracking mark already (undone with a discarded run). */
  private trackingStarted = false;

  constructor(
    private readonly pending: PendingWrites,
    private readonly bundleFor: (version: number) => RulesBundle,
    private readonly faults: LedgerFaults,
    /** The port's one timestamp for the batch. */
    private readonly appliedAtOf: () => string,
    /** The port's raiseAlert: written with the transaction, logged once committed. */
    private readonly raiseAlert: (deviceId: string, code: AlertCode, detail: Record<string, unknown>) => void,
  ) {}

  /** A new database transaction (a batch, or its retry). */
  reset(): void {
    this.trackingStarted = false;
  }

  private get appliedAt(): string {
    return this.appliedAtOf();
  }

  private write(sql: string, params: SqlValue[], check?: { expectRows: number; what: string }, keys?: WrittenKeys): void {
    this.pending.write(sql, params, check, keys);
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
      this.pending.onUndo(() => (this.trackingStarted = false));
    }
  }
}
