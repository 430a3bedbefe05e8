/**
 * What the flows' member reads select, on either back end (hub/ledger/sqlite/automation-reads.ts,
 * hub/ledger/postgres/postgres-automation-reads.ts): the SQL both databases read alike, and the row as a
 * MemberSummary. Only the last-seen look-up differs (SQLite is told its index), so the columns take it.
 */
import type { MemberSummary } from '../../flows/runtime/protocol.ts';
import { MARKETING_CONSENT_PURPOSE } from './member-reads.ts';

export const balanceSql = (account: string) => `COALESCE((SELECT a.balance FROM accounts a WHERE a.member_id = m.member_id AND a.account = '${account}'), 0)`;
/** The newest record of the marketing purpose (consent records are append-only: a withdrawal is a newer row). */
export const MARKETING_SQL = `COALESCE((SELECT c.granted FROM member_consents c WHERE c.member_id = m.member_id AND c.purpose = '${MARKETING_CONSENT_PURPOSE}'
  ORDER BY c.consent_id DESC LIMIT 1), 0)`;
/** A summary's columns; `lastSeen` is the back end's look-up of the member's newest applied kiosk transaction. */
export const summaryColumns = (lastSeen: string) => `m.member_id, m.name, m.tier, m.home_store_id, m.created_at, p.birthday, ${balanceSql('points')} AS points,
  ${balanceSql('stored_value')} AS stored_value, ${lastSeen} AS last_seen, ${MARKETING_SQL} AS marketing`;
/** Members with their profile, if any; an erased one is never read. */
export const MEMBERS_SQL = 'members m LEFT JOIN member_profiles p ON p.member_id = m.member_id';
export const NOT_ERASED_SQL = 'p.erased_at IS NULL';

export interface SummaryRow {
  member_id: string;
  name: string;
  tier: string;
  home_store_id: string | null;
  created_at: string;
  birthday: string | null;
  points: number;
  stored_value: number;
  last_seen: string | null;
  marketing: number;
}

export const summaryOf = (r: SummaryRow): MemberSummary => ({
  memberId: r.member_id,
  name: r.name,
  tier: r.tier,
  // Members from before home stores were recorded have none.
  homeStoreId: r.home_store_id ?? '',
  points: r.points,
  storedValueCents: r.stored_value,
  joinedAt: r.created_at,
  birthday: r.birthday,
  lastSeenAt: r.last_seen,
  marketingConsent: r.marketing === 1,
});
