/**
 * The member reports' reads (member-reports.ts MemberReportReadsPort) on the PostgreSQL ledger: the queries of
 * sqlite-member-report-reads.ts, answering the same for the same ledger, each report in one read-only snapshot
 * (postgres-report-snapshot.ts), the churn export's rows through a cursor.
 *
 * The credit reports work each member's statements out with hub/credit/member-credit.ts, as on SQLite, but read
 * every member's credit entries and profile in two queries of the report's snapshot (report-credit-rows.ts), not
 * three round trips per member: with the database across a network, a chain's credit members would otherwise cost
 * a round trip each.
 */
import type pg from 'pg';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { memberCredit } from '../credit/member-credit.ts';
import { POSTGRES_STORE_OF_TX } from '../ledger/postgres/postgres-schema-v7-report-rollup.ts';
import type { MemberReportReadsPort } from './member-reports.ts';
import { inMembersSql, PostgresReportSnapshots, SqlParams, type ReportQuery } from './postgres-report-snapshot.ts';
import { creditStoreOfRows, readCreditRows } from './report-credit-rows.ts';
import type { CardGroup, ChurnCounts, ChurnRow, DemographicGroup, GiftGroup, MemberCreditLine, MemberLine, MemberWindow, PeriodWindow, ReferralRow } from './sqlite-member-report-reads.ts';

const STORE_OF_TX = POSTGRES_STORE_OF_TX('t');

interface MemberRow extends pg.QueryResultRow { member_id: string; name: string; phone: string; tier: string; home_store_id: string | null }
interface ChurnDbRow extends MemberRow { last_visit: string | null; stored_value: number; points: number }
const memberLine = (r: MemberRow): MemberLine => ({ memberId: r.member_id, name: r.name, phone: r.phone, tier: r.tier, homeStoreId: r.home_store_id });
const churnRow = (r: ChurnDbRow): ChurnRow => ({ ...memberLine(r), lastVisit: r.last_visit, storedValueCents: r.stored_value, points: r.points });

/** The members in scope (alias `m`): home store and the member filter. */
function scopeSql(q: SqlParams, w: MemberWindow): string {
  const stores = w.stores === null ? null : (JSON.parse(w.stores) as string[]);
  return `${stores === null ? 'TRUE' : `m.home_store_id = ANY(${q.p(stores)}::text[])`} AND ${inMembersSql(q, w, 'm.member_id')}`;
}

/** A member's newest applied purchase, by the (member_id, created_at) index from the end. */
const LAST_VISIT = `(SELECT t.created_at FROM transactions t WHERE t.member_id = m.member_id AND t.kind = 'purchase' AND t.status = 'applied'
  ORDER BY t.created_at DESC LIMIT 1)`;
const scopedMembers = (q: SqlParams, w: MemberWindow) => `SELECT m.member_id, m.name, m.phone, m.tier, m.home_store_id, ${LAST_VISIT} AS last_visit
  FROM members m WHERE ${scopeSql(q, w)}`;
const balance = (accounts: string) => `(SELECT COALESCE(sum(a.balance), 0) FROM accounts a WHERE a.member_id = s.member_id AND a.account IN (${accounts}))`;
/** Never-visited first (SQLite sorts NULL first), then the oldest last visit. */
const churnListSql = (q: SqlParams, w: MemberWindow, sinceIso: string) => `SELECT s.member_id, s.name, s.phone, s.tier, s.home_store_id, s.last_visit,
    ${balance("'stored_value', 'bonus_value'")} AS stored_value, ${balance("'points'")} AS points
  FROM (${scopedMembers(q, w)}) s WHERE s.last_visit IS NULL OR s.last_visit < ${q.p(sinceIso)}
  ORDER BY s.last_visit NULLS FIRST, s.member_id`;

const BANDS_SQL = (age: string) => `CASE WHEN ${age} IS NULL THEN 'unknown' WHEN ${age} < 18 THEN '<18' WHEN ${age} < 25 THEN '18-24'
  WHEN ${age} < 35 THEN '25-34' WHEN ${age} < 45 THEN '35-44' WHEN ${age} < 55 THEN '45-54' WHEN ${age} < 65 THEN '55-64' ELSE '65+' END`;

export class PostgresMemberReportReads implements MemberReportReadsPort {
  constructor(private readonly snapshots: PostgresReportSnapshots) {}

  private one<T extends pg.QueryResultRow>(build: (q: SqlParams) => string): Promise<T[]> {
    return this.snapshots.read((query) => {
      const q = new SqlParams();
      const sql = build(q);
      return query<T>(sql, q.values);
    });
  }

  async churnCounts(w: MemberWindow, sinceIso: string): Promise<ChurnCounts> {
    const [counts] = await this.one<ChurnCounts & pg.QueryResultRow>((q) => {
      const since = q.p(sinceIso);
      return `SELECT count(*) AS total, count(CASE WHEN s.last_visit >= ${since} THEN 1 END) AS active,
        count(CASE WHEN s.last_visit < ${since} THEN 1 END) AS dormant, count(CASE WHEN s.last_visit IS NULL THEN 1 END) AS never
      FROM (${scopedMembers(q, w)}) s`;
    });
    return { total: counts!.total, active: counts!.active, dormant: counts!.dormant, never: counts!.never };
  }

  async churnPage(w: MemberWindow, sinceIso: string, offset: number, limit: number): Promise<ChurnRow[]> {
    return (await this.one<ChurnDbRow>((q) => `${churnListSql(q, w, sinceIso)} LIMIT ${q.p(limit)} OFFSET ${q.p(offset)}`)).map(churnRow);
  }

  /** Every dormant and never-visited member, through a cursor (the churn export). */
  async *churnRows(w: MemberWindow, sinceIso: string): AsyncGenerator<ChurnRow> {
    const q = new SqlParams();
    const sql = churnListSql(q, w, sinceIso);
    for await (const row of this.snapshots.rows<ChurnDbRow>(sql, q.values)) yield churnRow(row);
  }

  tierCounts(w: MemberWindow): Promise<{ tier: string; count: number }[]> {
    return this.one<{ tier: string; count: number }>((q) => `SELECT m.tier AS tier, count(*) AS count FROM members m WHERE ${scopeSql(q, w)}
      GROUP BY m.tier ORDER BY count DESC, m.tier`);
  }

  /** Cards of the members in scope per type and status; the card type filter is on the card itself here. */
  cardCounts(w: MemberWindow): Promise<CardGroup[]> {
    return this.one<CardGroup & pg.QueryResultRow>((q) => {
      const stores = w.stores === null ? null : (JSON.parse(w.stores) as string[]);
      const type = w.cardType === null ? '' : ` AND (c.card_type = ${q.p(w.cardType)}${w.cardTypeIsDefault === 1 ? ' OR c.card_type IS NULL' : ''})`;
      return `SELECT c.card_type AS "cardType", c.status AS status, count(*) AS count
      FROM cards c JOIN members m ON m.member_id = c.member_id
      WHERE ${stores === null ? 'TRUE' : `m.home_store_id = ANY(${q.p(stores)}::text[])`}${w.tier === null ? '' : ` AND m.tier = ${q.p(w.tier)}`}${type}
      GROUP BY c.card_type, c.status ORDER BY c.card_type NULLS FIRST, c.status`;
    });
  }

  /** Members per home store, gender and age band (on `today`, a local YYYY-MM-DD). */
  demographics(w: MemberWindow, today: string): Promise<DemographicGroup[]> {
    return this.one<DemographicGroup & pg.QueryResultRow>((q) => {
      const t = q.p(today);
      const age = `(CASE WHEN p.birthday IS NULL THEN NULL ELSE substr(${t}::text, 1, 4)::int - substr(p.birthday, 1, 4)::int
        - (CASE WHEN substr(${t}::text, 6, 5) < substr(p.birthday, 6, 5) THEN 1 ELSE 0 END) END)`;
      return `SELECT m.home_store_id AS "storeId", p.gender AS gender, ${BANDS_SQL(age)} AS band, count(*) AS count
      FROM members m LEFT JOIN member_profiles p ON p.member_id = m.member_id
      WHERE ${scopeSql(q, w)}
      GROUP BY 1, 2, 3 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST, 3`;
    });
  }

  /** Gift redemptions in the period per gift and store: redemptions, pieces, points drawn (the journal's). */
  gifts(w: PeriodWindow): Promise<GiftGroup[]> {
    return this.one<GiftGroup & pg.QueryResultRow>((q) => {
      const stores = w.stores === null ? null : (JSON.parse(w.stores) as string[]);
      return `SELECT r.sku AS sku, g.name AS name, r.store_id AS "storeId", count(*) AS count, sum(r.qty) AS qty, sum(r.points) AS points
      FROM (SELECT ((t.payload::jsonb ->> 'giftSku') COLLATE "C") AS sku, ${STORE_OF_TX} AS store_id, (t.payload::jsonb ->> 'qty')::bigint AS qty,
              (SELECT COALESCE(-sum(j.amount), 0) FROM journal j WHERE j.tx_id = t.tx_id AND j.account = 'points') AS points
            FROM transactions t JOIN members m ON m.member_id = t.member_id
            WHERE t.kind = 'redeem_gift' AND t.status = 'applied' AND t.created_at >= ${q.p(w.fromIso)} AND t.created_at < ${q.p(w.toIso)}
              ${stores === null ? '' : `AND ${STORE_OF_TX} = ANY(${q.p(stores)}::text[])`} AND ${inMembersSql(q, w, 'm.member_id')}) r
      LEFT JOIN gifts g ON g.sku = r.sku
      GROUP BY r.sku, r.store_id, g.name ORDER BY r.sku NULLS FIRST, r.store_id NULLS FIRST`;
    });
  }

  /** Referrers in scope by members they referred who registered in the period. */
  async referralTotals(w: PeriodWindow): Promise<{ referrers: number; referred: number }> {
    const [totals] = await this.one<{ referrers: number; referred: number }>((q) => `SELECT count(DISTINCT m.member_id) AS referrers, count(*) AS referred
      FROM members x JOIN members m ON m.member_id = x.referrer_id
      WHERE x.created_at >= ${q.p(w.fromIso)} AND x.created_at < ${q.p(w.toIso)} AND ${scopeSql(q, w)}`);
    return { referrers: totals!.referrers, referred: totals!.referred };
  }

  /** A page of referrers, most referred first, with the referral points (lots `<tx>:ref<level>`) earned in the period. */
  async referralPage(w: PeriodWindow, offset: number, limit: number): Promise<ReferralRow[]> {
    const rows = await this.one<MemberRow & { referred: number; points: number }>((q) => {
      const from = q.p(w.fromIso);
      const to = q.p(w.toIso);
      return `SELECT r.*, (SELECT COALESCE(sum(j.amount), 0) FROM journal j JOIN transactions t ON t.tx_id = j.tx_id
          WHERE j.member_id = r.member_id AND j.account = 'points' AND j.amount > 0 AND j.lot_id LIKE '%:ref%'
            AND t.created_at >= ${from} AND t.created_at < ${to}) AS points
      FROM (SELECT m.member_id, m.name, m.phone, m.tier, m.home_store_id, count(*) AS referred
            FROM members x JOIN members m ON m.member_id = x.referrer_id
            WHERE x.created_at >= ${from} AND x.created_at < ${to} AND ${scopeSql(q, w)}
            GROUP BY m.member_id ORDER BY referred DESC, m.member_id LIMIT ${q.p(limit)} OFFSET ${q.p(offset)}) r
      ORDER BY r.referred DESC, r.member_id`;
    });
    return rows.map((r) => ({ ...memberLine(r), referred: r.referred, points: r.points }));
  }

  /** The credit report of each member in scope who ever had credit, as of `asOf`, from one snapshot. */
  memberCredits(w: MemberWindow, bundle: RulesBundle, asOf: string): Promise<MemberCreditLine[]> {
    return this.snapshots.read(async (query: ReportQuery) => {
      const q = new SqlParams();
      const members = (
        await query<MemberRow>(
          `SELECT m.member_id, m.name, m.phone, m.tier, m.home_store_id FROM members m
           WHERE ${scopeSql(q, w)} AND EXISTS (SELECT 1 FROM journal j WHERE j.member_id = m.member_id AND j.account = 'credit')
           ORDER BY m.member_id`,
          q.values,
        )
      ).map(memberLine);
      const credit = creditStoreOfRows(await readCreditRows(query, members.map((m) => m.memberId)));
      const lines: MemberCreditLine[] = [];
      for (const member of members) lines.push({ member, report: await memberCredit(credit, bundle, member.memberId, asOf) });
      return lines;
    });
  }
}
