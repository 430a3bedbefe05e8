import type { RulesBundle } from '../rules/bundle.ts';
import type { DrawState, RedemptionCodeState } from './codes-and-draws.ts';
import type { CardState, GiftState, KioskMode, MemberPinProofState, MemberState, PointLot, PurchaseRecord, ServiceCardState, StaffSessionState, StaffState } from './types.ts';

/**
 * What a planner of a member-named HQ transaction (points expiry, tier review) may read: the member, their
 * lots and the rules. Every context has at least this much.
 */
export interface MemberPlanningContext {
  member: MemberState;
  lots: PointLot[];
  bundle: RulesBundle;
  /** For annual_fee: the card it names (null: no such card) and whether that year's annual fee was charged. */
  card?: CardState | null;
  annualFeePaid?: boolean;
  /** What the member owes on credit (the `credit` account): purchases paying on credit, credit_repay, card_return, credit_charge. */
  creditOwedCents?: number;
  /** For credit_charge: whether a credit_charge for the same statement was applied already (once per statement). */
  creditStatementCharged?: boolean;
  /** For member_import: what the ledger already holds of the member it would create (core/ledger/plan-member-import.ts). */
  memberImport?: MemberImportTarget;
}

/** What a member_import must not collide with, read by the ledger inside the transaction that applies it. */
export interface MemberImportTarget {
  /** The member id it names exists (this row of this file was imported already). */
  memberExists: boolean;
  phoneTaken: boolean;
  cardTaken: boolean;
  /** The member the referrer's phone names: null when nobody has it; absent when the row names no referrer. */
  referrerId?: string | null;
}

/** Everything a planner may read, gathered by the ledger store before planning (planners do no I/O). */
export interface PlanningContext extends MemberPlanningContext {
  card: CardState;
  /** The staff member the transaction's actor names, if it names one. */
  staff: StaffState | null;
  /** The staff session the transaction's actor names, if it names one. */
  staffSession: StaffSessionState | null;
  /**
   * Stored value above which a purchase needs the member's PIN: the stricter of the transaction's rules and the
   * hub's latest (null: none). Absent: the transaction's rules alone decide.
   */
  memberPinAboveCents?: number | null;
  /** The member PIN proof the transaction names, if it names one. */
  memberPinProof?: MemberPinProofState | null;
  /** How the device that made the transaction stands: decides which tenders it may take. */
  deviceMode: KioskMode;
  /** The region of the transaction's store (the hub's fleet; the kiosk's signed snapshot): region-scoped rules need it. */
  regionId?: string;
  /** The gift named by a redeem_gift transaction. */
  gift: GiftState | null;
  /** The purchase named by a refund. */
  purchase: PurchaseRecord | null;
  /** For card_return: what the member owes on `shortfall_value` (offline sales their balance did not cover). Absent: nothing. */
  shortfallValueCents?: number;
  /** For card_replace: whether the new card's UID is already in use. */
  newCardTaken: boolean;
  /** The member's referrers, nearest first (for referral awards on purchases and registrations). */
  referrerChain: string[];
  /**
   * The referrers of referrerChain as they stand now (purchases and registrations): a referral award that counts
   * towards their tier runs their upgrade check. Absent: the awards still add to their points figure, no tier moves.
   */
  referrers?: MemberState[];
  /**
   * For purchases under a per-day points cap: the local day it counts in and the points the member earned
   * on that day before this transaction. Absent when the rules have no per-day cap.
   */
  dailyPoints?: { day: number; earnedBefore: number };
  /**
   * For top-ups under a `deposit_ratio` per-day cap: the member's local day (bundle zone) and the deposit bonus
   * they already received on it. Absent when no deposit rule has a per-day cap.
   */
  depositBonusToday?: { day: number; cents: number };
  /**
   * The ledger's stock of the gifts a gift `pointsRebate` may hand out (gifts table rows whose sku is the bundle's
   * giftId). A gift the ledger does not hold converts nothing. Absent: the bundle has no gift rebate.
   */
  rebateGifts?: GiftState[];
  /** For register_member: whether the phone number is already registered. */
  phoneTaken?: boolean;
  /** The member's count cards and time cards (purchases, refunds, punch_card_use); absent: none. */
  serviceCards?: ServiceCardState[];
  /** For code_redeem: the code its digest names (null: no such code was issued). */
  redemptionCode?: RedemptionCodeState | null;
  /** For draw_enter: the draw it names (null: no such draw). */
  draw?: DrawState | null;
  /** For a purchase with a typed card: its local day and what it spent on it before (an attached card's per-day limit). */
  cardSpend?: { day: number; spentCents: number };
}
