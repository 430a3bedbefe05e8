/**
 * The parts of a transaction's planning context that both ledger back ends read the same way, over the row readers
 * (sqlite/row-readers.ts; PostgreSQL serves the same interface from its batch's read cache): the rules a kiosk's
 * transaction is recomputed with, a registration's and a member import's context, and small helpers. Written once so
 * the two back ends cannot drift apart on who may earn what; each back end keeps only the reads its SQL differs in.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import { depositBonusDay } from '../../core/ledger/deposit-bonus-day.ts';
import { memberIdFor } from '../../core/ledger/plan-register-member.ts';
import { dailyCapDay } from '../../core/rules/engine.ts';
import type { MemberPlanningContext, PlanningContext } from '../../core/ledger/planning-context.ts';
import type { GiftState, KioskMode, MemberState } from '../../core/ledger/types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { AlertCode } from '../../core/wire/alerts.ts';
import type { HqOnlyTransactionOf, Transaction, TransactionOf } from '../../core/wire/transaction.ts';
import type { RowReaders } from './sqlite/row-readers.ts';

/** How far up the referrer chain referral rules may pay. */
export const MAX_REFERRAL_LEVELS = 5;

/** What a back end's write port lends the shared planning code. */
export interface PlanningLookups {
  readers: RowReaders;
  bundleFor: (version: number) => RulesBundle;
  /** The rules version of a kiosk's signed snapshot (hub/config/config-store.ts); absent: versions are taken as named. */
  snapshotRules: ((deviceId: string, snapshotVersion: number | 'newest') => number | null) | undefined;
  regionOf: (storeId: string) => string | undefined;
  /** The device's mode as the port cached it for the batch. */
  deviceMode: (deviceId: string) => KioskMode;
  /** The port's raiseAlert: written with the transaction, logged once committed. */
  raiseAlert: (deviceId: string, code: AlertCode, detail: Record<string, unknown>) => void;
}

/**
 * The rules a kiosk's transaction is recomputed with: those of the signed snapshot it names, which must be one the
 * hub signed for that kiosk with that rules version. A kiosk naming another version (another store's generous
 * promotion, say) or a snapshot it never got is recomputed with its own snapshot's rules and alerted — not
 * refused: the sale happened, and the hub's rules decide what it earns. Transactions without a snapshot (kiosks
 * older than signed configuration, HQ's own) keep the version they name.
 */
export function rulesForTransaction(lookups: PlanningLookups, tx: Pick<Transaction, 'id' | 'deviceId' | 'bundleVersion' | 'snapshotVersion'>): RulesBundle {
  const { snapshotRules, bundleFor } = lookups;
  if (!snapshotRules) return bundleFor(tx.bundleVersion);
  if (tx.snapshotVersion === undefined) {
    // Version 0: a kiosk that held no rules yet. The hub's newest rules bundle may be one store's merged rules
    // now, so the kiosk's own newest snapshot decides where it has one.
    return bundleFor(tx.bundleVersion === 0 ? (snapshotRules(tx.deviceId, 'newest') ?? 0) : tx.bundleVersion);
  }
  const named = snapshotRules(tx.deviceId, tx.snapshotVersion);
  if (named === tx.bundleVersion) return bundleFor(named);
  const used = named ?? snapshotRules(tx.deviceId, 'newest') ?? 0;
  lookups.raiseAlert(tx.deviceId, 'TX_RULES_NOT_OF_SNAPSHOT', { txId: tx.id, snapshotVersion: tx.snapshotVersion, namedRulesVersion: tx.bundleVersion, usedRulesVersion: used });
  return bundleFor(used);
}

/** `{regionId}` of the store when the fleet knows it, else nothing (rules scoped to regions then do not apply). */
/**
 * What planning a card's transaction starts from on either back end: the card and its member (CARD_UNKNOWN,
 * MEMBER_UNKNOWN), the staff actor it names, the rules it is recomputed with, and the days its daily points cap and
 * deposit bonus count on. What each back end reads beyond this, and when, differs (SQLite on demand, PostgreSQL up
 * front), so the rest of the context stays with them.
 */
export function cardPlanningBasics(lookups: PlanningLookups, tx: Exclude<Transaction, { kind: 'register_member' }>) {
  const found = lookups.readers.cardWithMember(tx.cardUid);
  if (!found) throw new CodedError('CARD_UNKNOWN', 'no card with this UID');
  const { card, member } = found;
  if (!member) throw new CodedError('MEMBER_UNKNOWN', `card points at missing member ${card.memberId}`);
  const actor = 'actor' in tx ? tx.actor : undefined;
  const bundle = rulesForTransaction(lookups, tx);
  const capDay = tx.kind === 'purchase' ? dailyCapDay(bundle, tx.createdAt) : null;
  const depositDay = tx.kind === 'top_up' ? depositBonusDay(bundle, tx.createdAt) : null;
  return { card, member, actor, bundle, capDay, depositDay };
}

export function regionOfStore(regionOf: (storeId: string) => string | undefined, storeId: string): { regionId?: string } {
  const regionId = regionOf(storeId);
  return regionId === undefined ? {} : { regionId };
}

/** An imported member does not exist yet: plan against an empty member, with what it must not collide with. */
export function memberImportContext(lookups: PlanningLookups, tx: HqOnlyTransactionOf<'member_import'>): MemberPlanningContext {
  const { readers } = lookups;
  return {
    member: {
      memberId: tx.memberId, name: tx.name, tier: tx.tier, storedValueCents: 0, bonusValueCents: 0, points: 0, creditLimitCents: 0, cumulativeSpendCents: 0, cumulativePointsEarned: 0,
    },
    lots: [],
    bundle: lookups.bundleFor(tx.bundleVersion),
    memberImport: {
      memberExists: readers.member(tx.memberId) !== null,
      phoneTaken: readers.memberIdByPhone(tx.phone) !== null,
      cardTaken: readers.card(tx.cardUid) !== null,
      ...(tx.referrerPhone === undefined ? {} : { referrerId: readers.memberIdByPhone(tx.referrerPhone) }),
    },
  };
}

/** A registration's member does not exist yet: plan against an empty member on the new card. */
export function registrationContext(lookups: PlanningLookups, tx: TransactionOf<'register_member'>): PlanningContext {
  const { readers } = lookups;
  if (readers.card(tx.cardUid)) throw new CodedError('CARD_ALREADY_EXISTS', 'this card is already issued to a member');
  const memberId = memberIdFor(tx.id);
  let referrerChain: string[] = [];
  if (tx.referrer) {
    const referrerId = 'phone' in tx.referrer ? readers.memberIdByPhone(tx.referrer.phone) : readers.member(tx.referrer.memberId)?.memberId;
    if (!referrerId) throw new CodedError('REFERRER_UNKNOWN');
    referrerChain = [referrerId, ...readers.referrerChain(referrerId, MAX_REFERRAL_LEVELS - 1)];
  }
  return {
    card: { uid: tx.cardUid, memberId, status: 'active', validFrom: null, validUntil: null },
    member: {
      memberId, name: tx.name, tier: '', storedValueCents: 0, bonusValueCents: 0, points: 0, creditLimitCents: 0, cumulativeSpendCents: 0, cumulativePointsEarned: 0,
    },
    lots: [],
    bundle: rulesForTransaction(lookups, tx),
    staff: null,
    staffSession: null,
    deviceMode: lookups.deviceMode(tx.deviceId),
    ...regionOfStore(lookups.regionOf, tx.storeId),
    gift: null,
    purchase: null,
    newCardTaken: false,
    referrerChain,
    referrers: membersOf(readers, referrerChain),
    phoneTaken: readers.memberIdByPhone(tx.phone) !== null,
  };
}

/** The members of a referrer chain as they stand (a member the chain names but the ledger lacks is left out). */
export function membersOf(readers: RowReaders, memberIds: readonly string[]): MemberState[] {
  const members: MemberState[] = [];
  for (const memberId of memberIds) {
    const member = readers.member(memberId);
    if (member) members.push(member);
  }
  return members;
}

/** The ledger's gifts a gift pointsRebate may hand out (sku = the bundle's giftId); none for other rules. */
export function rebateGiftsOf(readers: RowReaders, bundle: RulesBundle): GiftState[] {
  const rebate = bundle.pointsRebate;
  if (rebate?.reward !== 'gift') return [];
  const gifts: GiftState[] = [];
  for (const giftId of new Set([rebate.giftId, ...Object.values(rebate.giftIdByTier ?? {})])) {
    const gift = readers.gift(giftId);
    if (gift) gifts.push(gift);
  }
  return gifts;
}

/** The kinds whose planners read what the member owes on credit. */
export function readsCreditOwed(tx: Transaction): boolean {
  if (tx.kind === 'purchase') return tx.payments.some((p) => p.method === 'credit');
  // A refund gives back the credit share of a credit-paid purchase: what is owed decides how much goes to stored value.
  return tx.kind === 'credit_repay' || tx.kind === 'card_return' || tx.kind === 'refund';
}

/**
 * The member-PIN threshold a purchase under `named` rules meets (null: no PIN asked): the lower of the named rules' and
 * the latest policy's, so a kiosk naming older rules gains nothing; rules without one (the usual case) cost nothing.
 */
export function pinThresholdOf(named: RulesBundle, latest: RulesBundle): number | null {
  if (named.memberPin === undefined && latest.memberPin === undefined) return null;
  const thresholds = [named.memberPin?.storedValueAboveCents, latest.memberPin?.storedValueAboveCents].filter((t): t is number => t !== undefined);
  return thresholds.length ? Math.min(...thresholds) : null;
}
