/**
 * What the hub's flows read of members (../../automation/member-reads.ts, the AutomationReads port) on the
 * PostgreSQL ledger: the queries of ../sqlite/automation-reads.ts — summaries without phone or card number, erased
 * members never among them, a segment chosen through an index (migration 4's birthday and join-time indexes), then
 * filtered, in member id order, one row more than the limit to tell whether it was cut.
 */
import type pg from 'pg';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { MemberSegmentValue, MemberSummary } from '../../../flows/runtime/protocol.ts';
import { MARKETING_CONSENT_PURPOSE, type AutomationReads, type SegmentQuery } from '../../automation/member-reads.ts';

const balance = (account: string) => `COALESCE((SELECT a.balance FROM accounts a WHERE a.member_id = m.member_id AND a.account = '${account}'), 0)`;
/** The member's newest applied kiosk transaction: HQ's (sweeps, bonuses, corrections) are not the member coming by. */
const LAST_SEEN = `(SELECT t.created_at FROM transactions t
  WHERE t.member_id = m.member_id AND t.status = 'applied' AND t.device_id <> '${HQ_DEVICE_ID}' ORDER BY t.created_at DESC LIMIT 1)`;
/** The newest record of the marketing purpose (consent records are append-only: a withdrawal is a newer row). */
const MARKETING = `COALESCE((SELECT c.granted FROM member_consents c WHERE c.member_id = m.member_id AND c.purpose = '${MARKETING_CONSENT_PURPOSE}'
  ORDER BY c.consent_id DESC LIMIT 1), 0)`;
const COLUMNS = `m.member_id, m.name, m.tier, m.home_store_id, m.created_at, p.birthday, ${balance('points')} AS points,
  ${balance('stored_value')} AS stored_value, ${LAST_SEEN} AS last_seen, ${MARKETING} AS marketing`;
const MEMBERS = 'members m LEFT JOIN member_profiles p ON p.member_id = m.member_id';
const NOT_ERASED = 'p.erased_at IS NULL';

interface SummaryRow {
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

const summaryOf = (r: SummaryRow): MemberSummary => ({
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

/** Positional parameters collected as a statement is written: `param(v)` answers its placeholder. */
class Params {
  readonly values: unknown[] = [];
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The FROM and WHERE that choose a segment's members, before the filters. */
function chosen(choose: SegmentQuery['choose'], params: Params): { from: string; where: string[] } {
  switch (choose.by) {
    case 'birthday':
      // The same expression as the index's, or the planner cannot use it.
      return { from: 'member_profiles p JOIN members m ON m.member_id = p.member_id', where: [`substr(p.birthday, 6) = ANY(${params.param(choose.monthDays)}::text[])`, NOT_ERASED] };
    case 'joined':
      // The ranges drive, each a range scan of members_by_created_at.
      return {
        from: `unnest(${params.param(choose.ranges.map((r) => r.fromIso))}::text[], ${params.param(choose.ranges.map((r) => r.toIso))}::text[]) AS r(from_iso, to_iso)
          JOIN members m ON m.created_at >= r.from_iso COLLATE "C" AND m.created_at < r.to_iso COLLATE "C"
          LEFT JOIN member_profiles p ON p.member_id = m.member_id`,
        where: [NOT_ERASED],
      };
    case 'not-seen-since': {
      const since = params.param(choose.sinceIso);
      return {
        from: MEMBERS,
        where: [
          NOT_ERASED,
          `m.created_at <= ${since}`,
          `NOT EXISTS (SELECT 1 FROM transactions t WHERE t.member_id = m.member_id AND t.created_at > ${since}
            AND t.status = 'applied' AND t.device_id <> '${HQ_DEVICE_ID}')`,
        ],
      };
    }
    case 'all':
      return { from: MEMBERS, where: [NOT_ERASED] };
  }
}

export class PostgresAutomationReads implements AutomationReads {
  constructor(private readonly pool: pg.Pool) {}

  async memberSummary(memberId: string): Promise<MemberSummary | null> {
    const row = (await this.pool.query<SummaryRow>(`SELECT ${COLUMNS} FROM ${MEMBERS} WHERE m.member_id = $1 AND ${NOT_ERASED}`, [memberId])).rows[0];
    return row ? summaryOf(row) : null;
  }

  async memberSummaryByPhone(phone: string): Promise<MemberSummary | null> {
    // Erased members' phones are empty, so they are not found anyway.
    const row = (
      await this.pool.query<SummaryRow>(`SELECT ${COLUMNS} FROM ${MEMBERS} WHERE m.phone = $1 AND ${NOT_ERASED} ORDER BY m.created_at DESC, m.member_id DESC LIMIT 1`, [phone])
    ).rows[0];
    return row ? summaryOf(row) : null;
  }

  async segment(query: SegmentQuery): Promise<MemberSegmentValue> {
    const params = new Params();
    const { from, where } = chosen(query.choose, params);
    if (query.tier !== null) where.push(`m.tier = ${params.param(query.tier)}`);
    if (query.storeId !== null) where.push(`m.home_store_id = ${params.param(query.storeId)}`);
    if (query.minStoredValueCents !== null) where.push(`${balance('stored_value')} >= ${params.param(query.minStoredValueCents)}`);
    if (query.marketingConsent) where.push(`${MARKETING} = 1`);
    const sql = `SELECT ${COLUMNS} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY m.member_id LIMIT ${params.param(query.limit + 1)}`;
    const rows = (await this.pool.query<SummaryRow>(sql, params.values)).rows;
    return { members: rows.slice(0, query.limit).map(summaryOf), truncated: rows.length > query.limit };
  }
}
