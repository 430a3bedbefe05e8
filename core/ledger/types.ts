/**
 * What the ledger knows about a member while planning one transaction, and what applying it changes.
 * Planning is pure (core/ledger/plan-*.ts); a ledger store back end gathers the context, calls the
 * planner and writes the effect inside one database transaction.
 */
import type { Cents, Points } from '../money/integers.ts';
import type { PurchaseEvaluation } from '../rules/types.ts';
import type { TraceLine } from '../rules/trace-keys.ts';
import type { DrawEntryEffect } from './codes-and-draws.ts';

export const CARD_STATUSES = ['active', 'lost', 'frozen', 'cancelled', 'expired'] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

/**
 * The journal's accounts. Shortfall accounts hold what a member owes that could not be taken (never dropped);
 * `credit` what they owe on credit (赊账: positive, the credit tender adds, a repayment takes off).
 */
export const ACCOUNT_NAMES = ['stored_value', 'bonus_value', 'points', 'shortfall_value', 'shortfall_points', 'credit'] as const;
export type FixedAccountName = (typeof ACCOUNT_NAMES)[number];
/**
 * Visits left on a member's count card for one service: one account per service, named in the account
 * itself, so the journal, the balances table and the audit treat punches exactly like every other account.
 */
export type PunchAccountName = `punches:${string}`;
export type AccountName = FixedAccountName | PunchAccountName;

export function punchAccount(serviceId: string): PunchAccountName {
  return `punches:${serviceId}`;
}

/** A member's count card / time card for one service (validity is per member and service, not per purchase). */
export interface ServiceCardState {
  serviceId: string;
  /** Visits left (the `punches:<serviceId>` balance); null for a card that is only time-limited. */
  punches: number | null;
  /** End of validity (ISO instant); null: no end. */
  validUntil: string | null;
}

/** What a purchase line that sold a count/time card granted, kept so a refund can take it back. */
export interface CardGrantRecord {
  lineNo: number;
  serviceId: string;
  punches: number | null;
  /** The service card's validity after this grant. */
  validUntil: string | null;
  /** The service card as it was before this purchase (null: the member had none). */
  before: { counted: boolean; validUntil: string | null } | null;
}

export interface CardState {
  uid: string;
  memberId: string;
  status: CardStatus;
  validFrom: string | null;
  validUntil: string | null;
  /** The HQ card type (bundle `cardTypes`); null: the chain's default type (cards from before card types). */
  cardType?: string | null;
  /** An attached card's holder, when not the member. */
  holderName?: string | null;
  /** When the card was issued (the annual fee falls in its month). */
  issuedAt?: string;
}

export interface MemberState {
  memberId: string;
  name: string;
  tier: string;
  storedValueCents: Cents;
  bonusValueCents: Cents;
  points: Points;
  /** The member's own credit limit set by HQ (0: the limit of their card type, core/ledger/credit.ts). */
  creditLimitCents: Cents;
  cumulativeSpendCents: Cents;
  cumulativePointsEarned: Points;
  /** Purchases made (a visit-count tier basis, `tiers.basis: visits`); absent where a store does not count them. */
  visits?: number;
}

export interface PointLot {
  lotId: string;
  remaining: Points;
  earnedAt: string;
  expiresAt: string | null;
}

export const STAFF_ROLES = ['cashier', 'store_manager', 'technician', 'region_manager', 'hq_admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** A staff account as the ledger checks it (the card and secrets live with the hub's identity store). */
export interface StaffState {
  staffId: string;
  name: string;
  role: StaffRole;
  storeIds: string[];
  active: boolean;
}

/** A staff session the hub opened: on a kiosk for card + PIN (deviceId: that kiosk), at the hub for a login ('hq'). */
export interface StaffSessionState {
  sessionId: string;
  staffId: string;
  deviceId: string;
  openedAt: string;
  expiresAt: string;
  /** When it was signed out or revoked; a transaction made before still counts. */
  endedAt: string | null;
}

/** A proof the hub gave for a member's PIN typed at one kiosk: good for that member on that kiosk for a few minutes. */
export interface MemberPinProofState {
  proofId: string;
  memberId: string;
  deviceId: string;
  openedAt: string;
  expiresAt: string;
}

/**
 * An unattended kiosk stands alone on the shop floor (stored value, points, count cards, gifts: never cash,
 * since nobody takes it); an attended one is a counter device a cashier works, and may take cash.
 */
export const KIOSK_MODES = ['unattended', 'attended'] as const;
export type KioskMode = (typeof KIOSK_MODES)[number];

export interface GiftState {
  sku: string;
  name: string;
  pointsPrice: Points;
  stock: number;
  /** Set when `stock` is this store's own (gift_store_stock), which a redemption there takes from; absent: chain-wide. */
  storeId?: string;
}

/** What a purchase keeps so that a later refund can reverse it line by line. */
export interface PurchaseRecord {
  txId: string;
  memberId: string;
  lines: { lineNo: number; netCents: Cents; points: Points }[];
  totalCents: Cents;
  /** `creditCents`: put on credit (赊账); absent on purchases that used none. */
  tenders: { cashCents: Cents; storedValueCents: Cents; bonusValueCents: Cents; pointsValueCents: Cents; points: Points; creditCents?: Cents };
  /** The lots the points payment drew on, in the order they were drawn. */
  lotsConsumed: { lotId: string; points: Points }[];
  /** The lot the earned points went into, if any. */
  earnedLotId: string | null;
  refundedLineNos: number[];
  /** Count/time cards the purchase sold (absent on records written before count cards were real). */
  cardGrants?: CardGrantRecord[];
  /** The clerk who served the sale at a counter, as the ledger verified them (staff commission); absent: nobody. */
  servedBy?: string;
  /** false when the rules did not count the lines' points towards the member's tier (tiers.countedSources): a refund then takes none off it. Absent: they counted. */
  linePointsCounted?: false;
  /** true when the purchase added one to `members.visits`: refunding its last line takes the visit back. Absent (older records): no visit to take back. */
  visitCounted?: true;
}

/** One journal entry: a signed movement on one account (and, for points, one lot). */
export interface Posting {
  account: AccountName;
  amount: number;
  lotId?: string;
  /** Another member than the effect's (referral points go to the referrers); absent: the effect's member. */
  memberId?: string;
}

export interface LedgerEffect {
  memberId: string;
  postings: Posting[];
  /** Lots to create (with zero remaining; the positive points posting fills them). */
  newLots: { lotId: string; earnedAt: string; expiresAt: string | null; memberId?: string }[];
  /** Points to add to the member's per-day counter (only under a per-day cap). */
  dailyPoints?: { day: number; points: number };
  /** Deposit bonus this top-up added to the member's local day (only under a `deposit_ratio` per-day cap): member_daily_deposit_bonus. */
  dailyDepositBonus?: { day: number; cents: Cents };
  /** 积分返点 the transaction ran (core/ledger/points-rebate-run.ts): the points converted and what they became. */
  pointsRebate?: { points: Points; valueCents: Cents; gifts: { sku: string; qty: number }[] };
  /**
   * Set by register_member: the member to create before anything is posted. `homeStoreId`: the store that
   * registered them (which decides which store staff see them, core/identity/member-scope.ts).
   */
  newMember?: { memberId: string; name: string; phone: string; tier: string; referrerId: string | null; homeStoreId: string | null };
  cardChanges: { uid: string; status: CardStatus; replacedBy?: string }[];
  /** Cards to issue: of a type (null/absent: the default), with a holder and a validity end where the type sets one. */
  newCards: { uid: string; memberId: string; cardType?: string | null; holderName?: string | null; validUntil?: string | null }[];
  /** A card's new validity end (a paid extension). */
  cardValidityChanges?: { uid: string; validUntil: string }[];
  /** Fees from the fee schedule this transaction charged: kept apart for the fee reports, whatever paid them. */
  feeCharges?: FeeCharge[];
  /** What an attached card with a per-day limit spent on the member's accounts today (its local day). */
  cardDailySpend?: { uid: string; day: number; cents: Cents };
  memberChanges: { tier?: string; cumulativeSpendDeltaCents: Cents; cumulativePointsEarnedDelta: Points; visitsDelta?: number };
  /**
   * Other members the transaction credits in a way that counts towards their tier (a referrer's referral award):
   * what it adds to their points figure and, when that lifts them, their new tier. Their points themselves move
   * by the postings naming them.
   */
  otherMemberChanges?: { memberId: string; tier?: string; cumulativePointsEarnedDelta: Points }[];
  /** `storeId`: the change is to that store's own stock (GiftState.storeId); absent: the chain-wide stock. */
  giftStockChanges: { sku: string; delta: number; storeId?: string }[];
  /** Service cards to create or update (validity, whether it counts visits); punch balances move by postings, never here. */
  serviceCardChanges?: { serviceId: string; counted: boolean; validUntil: string | null }[];
  /** Set for purchases: what a refund needs later. */
  purchaseRecord?: PurchaseRecord;
  /** Set for refunds: the purchase and the lines it refunds. */
  refundOf?: { purchaseTxId: string; lineNos: number[] };
  /**
   * `trace`: English lines, as outcomes always had them. `traceText`: the lines the rules engine wrote, keyed, so a
   * screen or receipt renders them in its language (core/rules/trace-text.ts localizeTrace); absent: none keyed.
   */
  summary: { pointsEarned: Points; pointsSpent: Points; valueDeltaCents: Cents; trace: string[]; traceText?: TraceLine[] };
  /** Where the kiosk's claimed evaluation differs from the hub's: recorded, and the hub's figures applied. */
  disagreement?: { field: string; claimed: number; computed: number }[];
  /** A sale taken offline that the balances could not cover: what was put on the shortfall accounts (alerted). */
  shortfall?: { valueCents: Cents; points: Points };
  evaluation?: PurchaseEvaluation;
  /** Set by code_redeem: the code it uses (its keyed hash), marked used by this transaction. */
  codeRedemption?: { codeHash: string; batchId: string };
  /** Set by draw_enter: the entry, and the prize whose stock it takes one of. */
  drawEntry?: DrawEntryEffect;
}

/** The fees of a card type's fee schedule (bundle `cardTypes[].fees`). */
export const FEE_KINDS = ['issue', 'replace', 'repair', 'extend', 'annual', 'return'] as const;
export type FeeKind = (typeof FEE_KINDS)[number];

export interface FeeCharge {
  cardUid: string;
  feeKind: FeeKind;
  cents: Cents;
  /** How it was paid; 'owed' when stored value did not cover an automatic fee (the rest is on `shortfall_value`). */
  tender: 'cash' | 'bank_card' | 'mobile' | 'stored_value' | 'owed';
  /** For an annual fee: the fee year it pays (one per card and year, whoever charged it). */
  year?: number;
}

export function emptyEffect(memberId: string): LedgerEffect {
  return {
    memberId,
    postings: [],
    newLots: [],
    cardChanges: [],
    newCards: [],
    memberChanges: { cumulativeSpendDeltaCents: 0, cumulativePointsEarnedDelta: 0 },
    giftStockChanges: [],
    summary: { pointsEarned: 0, pointsSpent: 0, valueDeltaCents: 0, trace: [] },
  };
}
