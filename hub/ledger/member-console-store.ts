/**
 * What the HQ console reads about members beyond the kiosk's MemberView (../../core/wire/lookup.ts): search by
 * name, phone, card or member id within a staff member's scope, and one member's whole record (every card, point
 * lots, history with each transaction's rule trace). Read-only; the routes (hub/http/member-console-routes.ts)
 * check the caller's role and scope and decide what of the phone number is shown.
 */
import type { MemberScope } from '../../core/identity/member-scope.ts';

/** Which field a search looks at; `any` tries member id, card, phone and name, in that order. */
export type MemberSearchField = 'any' | 'member' | 'card' | 'phone' | 'name';

export interface MemberSearchQuery {
  text: string;
  field: MemberSearchField;
}

export interface MemberSearchHit {
  memberId: string;
  name: string;
  /** The full number: the route masks it unless the caller's role may see it. */
  phone: string;
  tier: string;
  homeStoreId: string | null;
  /** The active card's uid (else the newest card's); null: a member with no card. */
  cardUid: string | null;
  storedValueCents: number;
  points: number;
  matchedBy: Exclude<MemberSearchField, 'any'>;
}

export interface MemberRecordCard {
  uid: string;
  status: string;
  cardType: string | null;
  holderName: string | null;
  validFrom: string | null;
  validUntil: string | null;
  issuedAt: string | null;
}

export interface MemberRecordTransaction {
  txId: string;
  kind: string;
  at: string | null;
  appliedAt: string;
  status: 'applied' | 'rejected';
  /** The refusal's code (rejected ones). */
  code: string | null;
  deviceId: string;
  bundleVersion: number | null;
  valueDeltaCents: number;
  pointsDelta: number;
  /** The rules engine's trace of this transaction (empty where the kind runs no rules), in English as stored. */
  trace: string[];
  /** The same lines in Chinese where the outcome keyed them (core/rules/trace-text.ts), the others as stored. */
  traceZh?: string[];
}

export interface MemberRecord {
  memberId: string;
  name: string;
  phone: string;
  tier: string;
  homeStoreId: string | null;
  referrerId: string | null;
  createdAt: string;
  creditLimitCents: number;
  cumulativeSpendCents: number;
  cumulativePointsEarned: number;
  visits: number;
  balances: { storedValueCents: number; bonusValueCents: number; points: number };
  cards: MemberRecordCard[];
  /** Points lots with points left, soonest expiry first (never-expiring last). */
  pointLots: { lotId: string; remaining: number; earnedAt: string; expiresAt: string | null }[];
  /** Count and time cards: visits left (null: time-only) and validity end. */
  serviceCards: { serviceId: string; punchesLeft: number | null; validUntil: string | null }[];
  /** Newest first, at most the limit asked for. */
  history: MemberRecordTransaction[];
}

export interface MemberConsoleStore {
  /** Members matching the query in `scope`, best match kind first (member id, card, phone, name), at most `limit`. */
  searchMembers(query: MemberSearchQuery, scope: MemberScope, limit: number): Promise<MemberSearchHit[]>;
  /** The member's record; null: no such member. Checks no scope: the caller has. */
  memberRecord(memberId: string, historyLimit: number): Promise<MemberRecord | null>;
}
