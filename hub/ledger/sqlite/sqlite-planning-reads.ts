/**
 * What the SQLite write port reads to plan a transaction (moved out of sqlite-write-port.ts): the planning context of
 * apply-received's planners, with the statements only the planning reads. The parts both back ends read alike come
 * from ../planning-lookups.ts; what stays here is what SQLite reads its own way (on demand where a planner may not
 * ask). It only reads — except the alert raised when a kiosk's transaction names rules that are not those of its
 * signed snapshot, which goes through the port like any other (as ../postgres/postgres-planning-reads.ts does).
 */
import type { Database, Statement } from 'better-sqlite3';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { localDayOf } from '../../../core/ledger/card-types.ts';
import type { MemberPlanningContext, PlanningContext } from '../../../core/ledger/planning-context.ts';
import type { KioskMode } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { AlertCode } from '../../../core/wire/alerts.ts';
import type { HqOnlyTransaction, Transaction } from '../../../core/wire/transaction.ts';
import { MAX_REFERRAL_LEVELS, memberImportContext, membersOf, pinThresholdOf, readsCreditOwed, rebateGiftsOf, regionOfStore, registrationContext, cardPlanningBasics, type PlanningLookups } from '../planning-lookups.ts';
import type { RowReaders } from './row-readers.ts';
import type { SqliteCodesAndDraws } from './sqlite-codes-draws.ts';
import { creditStatementChargedSql } from './sqlite-credit.ts';
import type { StoreGiftStockStatements } from './sqlite-gift-stock.ts';

export class SqlitePlanningReads {
  /** A member's balance on one account (card_return reads what the member owes on `shortfall_value`). */
  private readonly accountBalance: Statement<[string, string], { balance: number }>;
  /** Prepared on first use (credit_charge is rare): whether a statement was charged already. */
  private creditStatementCharged: ((memberId: string, statement: string) => boolean) | null = null;
  private readonly cardDailySpendOf: Statement<[string, number], { cents: number }>;
  private readonly annualFeeCharged: Statement<[string, number], { charged: number }>;
  private readonly dailyPointsOf: Statement<[string, number], { points: number }>;
  private readonly dailyDepositBonusOf: Statement<[string, number], { cents: number }>;

  private readonly lookups: PlanningLookups;

  constructor(
    private readonly db: Database,
    private readonly readers: RowReaders,
    private readonly bundleFor: (version: number) => RulesBundle,
    /** The hub's latest rules: their security settings (the member PIN) hold whatever older rules a kiosk names. */
    private readonly latestPolicy: () => RulesBundle,
    /** A store's region in the fleet (undefined: unknown): region-scoped rules apply at the hub as on the kiosk. */
    private readonly regionOf: (storeId: string) => string | undefined,
    snapshotRules: ((deviceId: string, snapshotVersion: number | 'newest') => number | null) | undefined,
    /** The port's row of a device (its mode and store), cached for the batch. */
    private readonly device: (deviceId: string) => { mode: KioskMode; storeId: string | null },
    /** The port's raiseAlert: written with the transaction, logged once committed. */
    raiseAlert: (deviceId: string, code: AlertCode, detail: Record<string, unknown>) => void,
    /** The port's gift stock per store: a redemption's gift is read with the store's own stock. */
    private readonly storeGiftStock: StoreGiftStockStatements,
    /** The port's codes and draws: what their planners read. */
    private readonly codesAndDraws: SqliteCodesAndDraws,
  ) {
    // What the planning shared with the PostgreSQL port reads through (../planning-lookups.ts).
    this.lookups = { readers, bundleFor, snapshotRules, regionOf, deviceMode: (deviceId) => device(deviceId).mode, raiseAlert };
    this.accountBalance = db.prepare('SELECT balance FROM accounts WHERE member_id = ? AND account = ?');
    this.cardDailySpendOf = db.prepare('SELECT cents FROM card_daily_spend WHERE card_uid = ? AND day = ?');
    this.annualFeeCharged = db.prepare("SELECT 1 AS charged FROM fee_charges WHERE card_uid = ? AND fee_year = ? AND fee_kind = 'annual'");
    this.dailyPointsOf = db.prepare('SELECT points FROM member_daily_points WHERE member_id = ? AND day = ?');
    this.dailyDepositBonusOf = db.prepare('SELECT cents FROM member_daily_deposit_bonus WHERE member_id = ? AND day = ?');
  }

  readContext(tx: Transaction): PlanningContext {
    if (tx.kind === 'register_member') return registrationContext(this.lookups, tx);
    const { card, member, actor, bundle, capDay, depositDay } = cardPlanningBasics(this.lookups, tx);
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
}
