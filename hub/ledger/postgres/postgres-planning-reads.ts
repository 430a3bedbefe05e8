/**
 * What the write port reads to plan a transaction (moved out of postgres-write-port.ts): the planning context of
 * apply-received's planners, as ../sqlite/sqlite-planning-reads.ts reads it, from the batch's read cache (sync-reads.ts).
 * Kept apart from the writes because it only reads — except the alert raised when a kiosk's transaction names rules
 * that are not those of its signed snapshot, which goes through the port like any other.
 */
import type { GiftState, KioskMode } from '../../../core/ledger/types.ts';
import { CodedError } from '../../../core/errors/coded-error.ts';
import type { MemberPlanningContext, PlanningContext } from '../../../core/ledger/planning-context.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { HqOnlyTransaction, Transaction } from '../../../core/wire/transaction.ts';
import { localDayOf } from '../../../core/ledger/card-types.ts';
import type { AlertCode } from '../../../core/wire/alerts.ts';
import type { RowReaders } from '../sqlite/row-readers.ts';
import { codesAndDrawsContext } from './postgres-codes-draws.ts';
import { MAX_REFERRAL_LEVELS, memberImportContext, membersOf, pinThresholdOf, readsCreditOwed, rebateGiftsOf, regionOfStore, registrationContext, cardPlanningBasics, type PlanningLookups } from '../planning-lookups.ts';
import type { SyncReads } from './sync-reads.ts';


export class PostgresPlanningReads {
  constructor(
    private readonly reads: SyncReads,
    private readonly readers: RowReaders,
    /** The hub's redemption-code key (postgres-codes-draws.ts). */
    private readonly codeKey: Buffer,
    private readonly bundleFor: (version: number) => RulesBundle,
    private readonly latestPolicy: () => RulesBundle,
    private readonly regionOf: (storeId: string) => string | undefined,
    private readonly snapshotRules: ((deviceId: string, snapshotVersion: number | 'newest') => number | null) | undefined,
    /** The port's row of a device (its mode and store), cached for the batch. */
    private readonly device: (deviceId: string) => { mode: KioskMode; storeId: string | null },
    /** The port's raiseAlert: written with the transaction, logged once committed. */
    private readonly raiseAlert: (deviceId: string, code: AlertCode, detail: Record<string, unknown>) => void,
  ) {
    // What the planning shared with the SQLite port reads through (../planning-lookups.ts).
    this.lookups = { readers, bundleFor, snapshotRules, regionOf, deviceMode: (deviceId) => device(deviceId).mode, raiseAlert };
  }

  private readonly lookups: PlanningLookups;

  private balanceOf(memberId: string, account: string): number {
    return this.reads.one<{ balance: number }>('SELECT balance FROM accounts WHERE member_id = $1 AND account = $2', [memberId, account], { table: 'accounts', column: 'member_id', value: memberId })
      ?.balance ?? 0;
  }

  readContext(tx: Transaction): PlanningContext {
    if (tx.kind === 'register_member') return registrationContext(this.lookups, tx);
    const { card, member, actor, bundle, capDay, depositDay } = cardPlanningBasics(this.lookups, tx);
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
      memberPinAboveCents: tx.kind === 'purchase' ? pinThresholdOf(bundle, this.latestPolicy()) : null,
      deviceMode: this.device(tx.deviceId).mode,
      ...regionOfStore(this.regionOf, tx.storeId),
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

  readMemberContext(tx: HqOnlyTransaction): MemberPlanningContext {
    if (tx.kind === 'member_import') return memberImportContext(this.lookups, tx);
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

}
