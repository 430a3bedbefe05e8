/**
 * What the write port reads to plan a transaction (moved out of postgres-write-port.ts): the planning context of
 * apply-received's planners, as ../sqlite/sqlite-write-port.ts reads it, from the batch's read cache (sync-reads.ts).
 * Kept apart from the writes because it only reads — except the alert raised when a kiosk's transaction names rules
 * that are not those of its signed snapshot, which goes through the port like any other.
 */
import type { GiftState, KioskMode, MemberState } from '../../../core/ledger/types.ts';
import { CodedError } from '../../../core/errors/coded-error.ts';
import type { MemberPlanningContext, PlanningContext } from '../../../core/ledger/planning-context.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { HqOnlyTransaction, HqOnlyTransactionOf, Transaction, TransactionOf } from '../../../core/wire/transaction.ts';
import { memberIdFor } from '../../../core/ledger/plan-register-member.ts';
import { dailyCapDay } from '../../../core/rules/engine.ts';
import { localDayOf } from '../../../core/ledger/card-types.ts';
import { depositBonusDay } from '../../../core/ledger/deposit-bonus-day.ts';
import type { AlertCode } from '../../../core/wire/alerts.ts';
import type { RowReaders } from '../sqlite/row-readers.ts';
import { codesAndDrawsContext } from './postgres-codes-draws.ts';
import type { SyncReads } from './sync-reads.ts';

/** How far up the referrer chain referral rules may pay (as on SQLite). */
const MAX_REFERRAL_LEVELS = 5;

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
  ) {}

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

function stricterPinThreshold(named: RulesBundle, latest: RulesBundle): number | null {
  const thresholds = [named.memberPin?.storedValueAboveCents, latest.memberPin?.storedValueAboveCents].filter((t): t is number => t !== undefined);
  return thresholds.length ? Math.min(...thresholds) : null;
}
