/**
 * What the hub's flows read of members (../../automation/member-reads.ts, the AutomationReads port) on the
 * PostgreSQL ledger: the queries of ../sqlite/automation-reads.ts — summaries without phone or card number, erased
 * members never among them, a segment chosen through an index (migration 4's birthday and join-time indexes), then
 * filtered, in member id order, one row more than the limit to tell whether it was cut.
 */
import type pg from 'pg';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { MemberSegmentValue, MemberSummary } from '../../../flows/runtime/protocol.ts';
import type { AutomationReads, SegmentQuery } from '../../automation/member-reads.ts';
import { balanceSql, MARKETING_SQL, MEMBERS_SQL, NOT_ERASED_SQL, summaryColumns, summaryOf, type SummaryRow } from '../../automation/member-summary-sql.ts';

/** The member's newest applied kiosk transaction: HQ's (sweeps, bonuses, corrections) are not the member coming by. */
const LAST_SEEN = `(SELECT t.created_at FROM transactions t
  WHERE t.member_id = m.member_id AND t.status = 'applied' AND t.device_id <> '${HQ_DEVICE_ID}' ORDER BY t.created_at DESC LIMIT 1)`;
const COLUMNS = summaryColumns(LAST_SEEN);


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
      return { from: 'member_profiles p JOIN members m ON m.member_id = p.member_id', where: [`substr(p.birthday, 6) = ANY(${params.param(choose.monthDays)}::text[])`, NOT_ERASED_SQL] };
    case 'joined':
      // The ranges drive, each a range scan of members_by_created_at.
      return {
        from: `unnest(${params.param(choose.ranges.map((r) => r.fromIso))}::text[], ${params.param(choose.ranges.map((r) => r.toIso))}::text[]) AS r(from_iso, to_iso)
          JOIN members m ON m.created_at >= r.from_iso COLLATE "C" AND m.created_at < r.to_iso COLLATE "C"
          LEFT JOIN member_profiles p ON p.member_id = m.member_id`,
        where: [NOT_ERASED_SQL],
      };
    case 'not-seen-since': {
      const since = params.param(choose.sinceIso);
      return {
        from: MEMBERS_SQL,
        where: [
          NOT_ERASED_SQL,
          `m.created_at <= ${since}`,
          `NOT EXISTS (SELECT 1 FROM transactions t WHERE t.member_id = m.member_id AND t.created_at > ${since}
            AND t.status = 'applied' AND t.device_id <> '${HQ_DEVICE_ID}')`,
        ],
      };
    }
    case 'all':
      return { from: MEMBERS_SQL, where: [NOT_ERASED_SQL] };
  }
}

export class PostgresAutomationReads implements AutomationReads {
  constructor(private readonly pool: pg.Pool) {}

  async memberSummary(memberId: string): Promise<MemberSummary | null> {
    const row = (await this.pool.query<SummaryRow>(`SELECT ${COLUMNS} FROM ${MEMBERS_SQL} WHERE m.member_id = $1 AND ${NOT_ERASED_SQL}`, [memberId])).rows[0];
    return row ? summaryOf(row) : null;
  }

  async memberSummaryByPhone(phone: string): Promise<MemberSummary | null> {
    // Erased members' phones are empty, so they are not found anyway.
    const row = (
      await this.pool.query<SummaryRow>(`SELECT ${COLUMNS} FROM ${MEMBERS_SQL} WHERE m.phone = $1 AND ${NOT_ERASED_SQL} ORDER BY m.created_at DESC, m.member_id DESC LIMIT 1`, [phone])
    ).rows[0];
    return row ? summaryOf(row) : null;
  }

  async segment(query: SegmentQuery): Promise<MemberSegmentValue> {
    const params = new Params();
    const { from, where } = chosen(query.choose, params);
    if (query.tier !== null) where.push(`m.tier = ${params.param(query.tier)}`);
    if (query.storeId !== null) where.push(`m.home_store_id = ${params.param(query.storeId)}`);
    if (query.minStoredValueCents !== null) where.push(`${balanceSql('stored_value')} >= ${params.param(query.minStoredValueCents)}`);
    if (query.marketingConsent) where.push(`${MARKETING_SQL} = 1`);
    const sql = `SELECT ${COLUMNS} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY m.member_id LIMIT ${params.param(query.limit + 1)}`;
    const rows = (await this.pool.query<SummaryRow>(sql, params.values)).rows;
    return { members: rows.slice(0, query.limit).map(summaryOf), truncated: rows.length > query.limit };
  }
}
