/**
 * What the hub's flows read of members (hub/automation/member-reads.ts, the AutomationReads port) on the ledger's
 * database: summaries without phone or card number, erased members (member_profiles.erased_at) never among them.
 *
 * A segment is chosen through an index, then filtered, in member id order, one row more than the limit to tell
 * whether it was cut:
 * - birthdays by the month-day of member_profiles.birthday (expression index member_profiles_by_birth_day);
 * - anniversaries by members.created_at within each earlier year's local day (members_by_created_at, one range
 *   seek per year);
 * - inactivity by members in key order, each checked by one seek in transactions_by_member for a kiosk transaction
 *   after the cut-off (a member's transactions since, usually none: not their whole history);
 * - all members in key order (the home-store index when a store is named).
 * The statement is written per shape of query (which choice, which filters) and prepared once: an `@x IS NULL OR`
 * filter would keep SQLite from the index the shape needs. Indexes: schema-automation.ts.
 */
import type { Database, Statement } from 'better-sqlite3';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { MemberSegmentValue } from '../../../flows/runtime/protocol.ts';
import type { AutomationReads, SegmentQuery } from '../../automation/member-reads.ts';
import { balanceSql, MARKETING_SQL, MEMBERS_SQL, NOT_ERASED_SQL, summaryColumns, summaryOf, type SummaryRow } from '../../automation/member-summary-sql.ts';

/** The member's newest applied kiosk transaction: HQ's (sweeps, bonuses, corrections) are not the member coming by. */
const LAST_SEEN = `(SELECT t.created_at FROM transactions t INDEXED BY transactions_by_member
  WHERE t.member_id = m.member_id AND t.status = 'applied' AND t.device_id <> '${HQ_DEVICE_ID}' ORDER BY t.created_at DESC LIMIT 1)`;
const COLUMNS = summaryColumns(LAST_SEEN);


/** The FROM and WHERE that choose a segment's members, before the filters. */
function chosen(choose: SegmentQuery['choose']): { from: string; where: string[] } {
  switch (choose.by) {
    case 'birthday':
      // The profile drives, by the expression index; the same expression as the index's, or SQLite cannot use it.
      return { from: 'member_profiles p JOIN members m ON m.member_id = p.member_id', where: ['substr(p.birthday, 6) IN (SELECT value FROM json_each(@monthDays))', NOT_ERASED_SQL] };
    case 'joined':
      // CROSS JOIN: the ranges drive, each a seek in members_by_created_at.
      return {
        from: `json_each(@ranges) r CROSS JOIN members m ON m.created_at >= json_extract(r.value, '$.fromIso') AND m.created_at < json_extract(r.value, '$.toIso')
          LEFT JOIN member_profiles p ON p.member_id = m.member_id`,
        where: [NOT_ERASED_SQL],
      };
    case 'not-seen-since':
      return {
        from: MEMBERS_SQL,
        where: [
          NOT_ERASED_SQL,
          'm.created_at <= @sinceIso',
          `NOT EXISTS (SELECT 1 FROM transactions t INDEXED BY transactions_by_member WHERE t.member_id = m.member_id AND t.created_at > @sinceIso
            AND t.status = 'applied' AND t.device_id <> '${HQ_DEVICE_ID}')`,
        ],
      };
    case 'all':
      return { from: MEMBERS_SQL, where: [NOT_ERASED_SQL] };
  }
}

export function createSqliteAutomationReads(db: Database): AutomationReads {
  const statements = new Map<string, Statement<[Record<string, unknown>], SummaryRow>>();
  const prepared = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare<[Record<string, unknown>], SummaryRow>(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const byId = db.prepare<[string], SummaryRow>(`SELECT ${COLUMNS} FROM ${MEMBERS_SQL} WHERE m.member_id = ? AND ${NOT_ERASED_SQL}`);
  // members_by_phone; erased members' phones are empty, so they are not found anyway.
  const byPhone = db.prepare<[string], SummaryRow>(`SELECT ${COLUMNS} FROM ${MEMBERS_SQL} WHERE m.phone = ? AND ${NOT_ERASED_SQL} ORDER BY m.created_at DESC, m.member_id DESC LIMIT 1`);

  return {
    async memberSummary(memberId) {
      const row = byId.get(memberId);
      return row ? summaryOf(row) : null;
    },
    async memberSummaryByPhone(phone) {
      const row = byPhone.get(phone);
      return row ? summaryOf(row) : null;
    },
    async segment(query): Promise<MemberSegmentValue> {
      const { from, where } = chosen(query.choose);
      const params: Record<string, unknown> = { limit: query.limit + 1 };
      if (query.choose.by === 'birthday') params.monthDays = JSON.stringify(query.choose.monthDays);
      if (query.choose.by === 'joined') params.ranges = JSON.stringify(query.choose.ranges);
      if (query.choose.by === 'not-seen-since') params.sinceIso = query.choose.sinceIso;
      if (query.tier !== null) {
        where.push('m.tier = @tier');
        params.tier = query.tier;
      }
      if (query.storeId !== null) {
        where.push('m.home_store_id = @storeId');
        params.storeId = query.storeId;
      }
      if (query.minStoredValueCents !== null) {
        where.push(`${balanceSql('stored_value')} >= @minStoredValueCents`);
        params.minStoredValueCents = query.minStoredValueCents;
      }
      if (query.marketingConsent) where.push(`${MARKETING_SQL} = 1`);
      const sql = `SELECT ${COLUMNS} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY m.member_id LIMIT @limit`;
      const rows = prepared(sql).all(params);
      return { members: rows.slice(0, query.limit).map(summaryOf), truncated: rows.length > query.limit };
    },
  };
}
