/**
 * The member reports' reads (member-reports.ts) on the ledger's SQLite file, through a read-only connection of
 * their own, as SqliteReportReads does: a report never holds the ledger's writing connection, and WAL lets it read
 * beside the writer. Counts, groups, sorting and paging are SQL's; only groups and one page come back.
 *
 * The members of a store are those it registered (members.home_store_id, indexed with created_at since schema 8);
 * a redemption's store is its payload's `storeId`, as every report reads it. `stores` is a JSON array of store
 * ids, or null for every store: the SQL is written per case (an `@stores IS NULL OR …` would keep SQLite from the
 * home-store index), and each statement is prepared once.
 *
 * A member's card type filter matches any card of theirs of that type; a card with no type (NULL) is of the rules'
 * default type (core/ledger/card-types.ts), so `cardTypeIsDefault` makes those match too.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import { openReportConnection } from './report-connection.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { memberCredit, type MemberCredit } from '../credit/member-credit.ts';
import { SqliteCredit } from '../ledger/sqlite/sqlite-credit.ts';
import type { CreditStore } from '../ledger/credit-store.ts';

export interface MemberWindow {
  /** A JSON array of the stores counted, or null for every store. */
  stores: string | null;
  tier: string | null;
  cardType: string | null;
  /** 1 when `cardType` is the rules' default type, so cards with no type count as it. */
  cardTypeIsDefault: 0 | 1;
}
export interface PeriodWindow extends MemberWindow { fromIso: string; toIso: string }

export interface MemberLine { memberId: string; name: string; phone: string; tier: string; homeStoreId: string | null }
export interface ChurnCounts { total: number; active: number; dormant: number; never: number }
export interface ChurnRow extends MemberLine { lastVisit: string | null; storedValueCents: number; points: number }
export interface CardGroup { cardType: string | null; status: string; count: number }
export interface DemographicGroup { storeId: string | null; gender: string | null; band: string; count: number }
export interface GiftGroup { sku: string; name: string | null; storeId: string; count: number; qty: number; points: number }
export interface ReferralRow extends MemberLine { referred: number; points: number }
export interface MemberCreditLine { member: MemberLine; report: MemberCredit }

const BANDS_SQL = (age: string) => `CASE WHEN ${age} IS NULL THEN 'unknown' WHEN ${age} < 18 THEN '<18' WHEN ${age} < 25 THEN '18-24'
  WHEN ${age} < 35 THEN '25-34' WHEN ${age} < 45 THEN '35-44' WHEN ${age} < 55 THEN '45-54' WHEN ${age} < 65 THEN '55-64' ELSE '65+' END`;
/** Age in whole years on @today (YYYY-MM-DD) from a YYYY-MM-DD birthday; NULL when not given. */
const AGE_SQL = `(CASE WHEN p.birthday IS NULL THEN NULL ELSE CAST(substr(@today, 1, 4) AS INTEGER) - CAST(substr(p.birthday, 1, 4) AS INTEGER) - (substr(@today, 6, 5) < substr(p.birthday, 6, 5)) END)`;

const STORE_OF_TX = "json_extract(t.payload, '$.storeId')";

/** The member filter (tier, card type) on members alias `m`. */
const MEMBER_FILTER = `(@tier IS NULL OR m.tier = @tier)
  AND (@cardType IS NULL OR EXISTS (SELECT 1 FROM cards c WHERE c.member_id = m.member_id AND (c.card_type = @cardType OR (@cardTypeIsDefault = 1 AND c.card_type IS NULL))))`;
const homeStores = (all: boolean) => (all ? '1' : 'm.home_store_id IN (SELECT value FROM json_each(@stores))');

/**
 * A member's last visit: their newest applied purchase, found by the (member_id, created_at) index from the end.
 * INDEXED BY because, with statistics, SQLite may otherwise walk the (kind, created_at) report index newest first
 * looking for this member's purchase (the LIMIT tempts it): every purchase of the chain for every member.
 */
const LAST_VISIT = `(SELECT t.created_at FROM transactions t INDEXED BY transactions_by_member WHERE t.member_id = m.member_id AND t.kind = 'purchase' AND t.status = 'applied'
  ORDER BY t.created_at DESC LIMIT 1)`;
const scopedMembers = (all: boolean) => `SELECT m.member_id, m.name, m.phone, m.tier, m.home_store_id, ${LAST_VISIT} AS last_visit
  FROM members m WHERE ${homeStores(all)} AND ${MEMBER_FILTER}`;
const balance = (accounts: string) => `(SELECT COALESCE(sum(a.balance), 0) FROM accounts a WHERE a.member_id = s.member_id AND a.account IN (${accounts}))`;
const churnListSql = (all: boolean) => `SELECT s.member_id, s.name, s.phone, s.tier, s.home_store_id, s.last_visit,
    ${balance("'stored_value', 'bonus_value'")} AS stored_value, ${balance("'points'")} AS points
  FROM (${scopedMembers(all)}) s WHERE s.last_visit IS NULL OR s.last_visit < @sinceIso
  ORDER BY s.last_visit, s.member_id`;

interface MemberRow { member_id: string; name: string; phone: string; tier: string; home_store_id: string | null }
interface ChurnDbRow extends MemberRow { last_visit: string | null; stored_value: number; points: number }
const memberLine = (r: MemberRow): MemberLine => ({ memberId: r.member_id, name: r.name, phone: r.phone, tier: r.tier, homeStoreId: r.home_store_id });
const churnRow = (r: ChurnDbRow): ChurnRow => ({ ...memberLine(r), lastVisit: r.last_visit, storedValueCents: r.stored_value, points: r.points });

export class SqliteMemberReportReads {
  private db: Db | null = null;
  private credit: CreditStore | null = null;
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly path: string) {}

  private open(): Db {
    this.db ??= openReportConnection(this.path);
    return this.db;
  }

  private statement(key: string, sql: () => string): Statement {
    let prepared = this.statements.get(key);
    if (!prepared) {
      prepared = this.open().prepare(sql());
      this.statements.set(key, prepared);
    }
    return prepared;
  }

  close(): void {
    this.statements.clear();
    this.credit = null;
    this.db?.close();
    this.db = null;
  }

  /** Members in scope counted by their last visit against `sinceIso`: active (since), dormant (before), never. */
  churnCounts(w: MemberWindow, sinceIso: string): ChurnCounts {
    const all = w.stores === null;
    return this.statement(`churnCounts:${all}`, () => `SELECT count(*) AS total, count(CASE WHEN s.last_visit >= @sinceIso THEN 1 END) AS active,
        count(CASE WHEN s.last_visit < @sinceIso THEN 1 END) AS dormant, count(CASE WHEN s.last_visit IS NULL THEN 1 END) AS never
      FROM (${scopedMembers(all)}) s`).get({ ...w, sinceIso }) as ChurnCounts;
  }

  /** A page of the dormant and never-visited members, never-visited first, then the oldest last visit. */
  churnPage(w: MemberWindow, sinceIso: string, offset: number, limit: number): ChurnRow[] {
    const all = w.stores === null;
    return (this.statement(`churnPage:${all}`, () => `${churnListSql(all)} LIMIT @limit OFFSET @offset`).all({ ...w, sinceIso, offset, limit }) as ChurnDbRow[]).map(churnRow);
  }

  /**
   * Every dormant and never-visited member, read here, on a connection of its own closed when the iteration ends.
   * The hub's exports do not read this way (its first row waits for the whole sort: over a second for a chain of
   * 100,000 members): they read churnRowsOf on an export thread (rows-from-worker.ts). The tests compare the two.
   */
  *churnRows(w: MemberWindow, sinceIso: string): Generator<ChurnRow> {
    const db = openReportConnection(this.path);
    try {
      yield* churnRowsOf(db, w, sinceIso);
    } finally {
      db.close();
    }
  }

  tierCounts(w: MemberWindow): { tier: string; count: number }[] {
    const all = w.stores === null;
    return this.statement(`tiers:${all}`, () => `SELECT m.tier AS tier, count(*) AS count FROM members m WHERE ${homeStores(all)} AND ${MEMBER_FILTER}
      GROUP BY m.tier ORDER BY count DESC, m.tier`).all(w) as { tier: string; count: number }[];
  }

  /** Cards of the members in scope per type and status; the card type filter is on the card itself here. */
  cardCounts(w: MemberWindow): CardGroup[] {
    const all = w.stores === null;
    return this.statement(`cards:${all}`, () => `SELECT c.card_type AS cardType, c.status AS status, count(*) AS count
      FROM cards c JOIN members m ON m.member_id = c.member_id
      WHERE ${homeStores(all)} AND (@tier IS NULL OR m.tier = @tier)
        AND (@cardType IS NULL OR c.card_type = @cardType OR (@cardTypeIsDefault = 1 AND c.card_type IS NULL))
      GROUP BY c.card_type, c.status ORDER BY c.card_type, c.status`).all(w) as CardGroup[];
  }

  /** Members per home store, gender and age band (on `today`, a local YYYY-MM-DD). */
  demographics(w: MemberWindow, today: string): DemographicGroup[] {
    const all = w.stores === null;
    return this.statement(`demographics:${all}`, () => `SELECT m.home_store_id AS storeId, p.gender AS gender, ${BANDS_SQL(AGE_SQL)} AS band, count(*) AS count
      FROM members m LEFT JOIN member_profiles p ON p.member_id = m.member_id
      WHERE ${homeStores(all)} AND ${MEMBER_FILTER}
      GROUP BY storeId, gender, band`).all({ ...w, today }) as DemographicGroup[];
  }

  /** Gift redemptions in the period per gift and store: redemptions, pieces, points drawn (the journal's). */
  gifts(w: PeriodWindow): GiftGroup[] {
    const all = w.stores === null;
    return this.statement(`gifts:${all}`, () => `SELECT r.sku AS sku, g.name AS name, r.storeId AS storeId, count(*) AS count, sum(r.qty) AS qty, sum(r.points) AS points
      FROM (SELECT json_extract(t.payload, '$.giftSku') AS sku, ${STORE_OF_TX} AS storeId, json_extract(t.payload, '$.qty') AS qty,
              (SELECT COALESCE(-sum(j.amount), 0) FROM journal j WHERE j.tx_id = t.tx_id AND j.account = 'points') AS points
            FROM transactions t JOIN members m ON m.member_id = t.member_id
            WHERE t.kind = 'redeem_gift' AND t.status = 'applied' AND t.created_at >= @fromIso AND t.created_at < @toIso
              ${all ? '' : `AND ${STORE_OF_TX} IN (SELECT value FROM json_each(@stores))`} AND ${MEMBER_FILTER}) r
      LEFT JOIN gifts g ON g.sku = r.sku
      GROUP BY r.sku, r.storeId ORDER BY r.sku, r.storeId`).all(w) as GiftGroup[];
  }

  /** Referrers in scope by members they referred who registered in the period: how many there are, and the referrals. */
  referralTotals(w: PeriodWindow): { referrers: number; referred: number } {
    const all = w.stores === null;
    return this.statement(`referralTotals:${all}`, () => `SELECT count(DISTINCT m.member_id) AS referrers, count(*) AS referred
      FROM members x JOIN members m ON m.member_id = x.referrer_id
      WHERE x.created_at >= @fromIso AND x.created_at < @toIso AND ${homeStores(all)} AND ${MEMBER_FILTER}`).get(w) as { referrers: number; referred: number };
  }

  /**
   * A page of referrers, most referred first, with the referral points they earned in the period: the lots named
   * `<tx>:ref<level>` (core/ledger/referral-awards.ts), every level. The points are read for the page's rows only.
   */
  referralPage(w: PeriodWindow, offset: number, limit: number): ReferralRow[] {
    const all = w.stores === null;
    const rows = this.statement(`referrals:${all}`, () => `SELECT r.*, (SELECT COALESCE(sum(j.amount), 0) FROM journal j JOIN transactions t ON t.tx_id = j.tx_id
          WHERE j.member_id = r.member_id AND j.account = 'points' AND j.amount > 0 AND j.lot_id LIKE '%:ref%'
            AND t.created_at >= @fromIso AND t.created_at < @toIso) AS points
      FROM (SELECT m.member_id, m.name, m.phone, m.tier, m.home_store_id, count(*) AS referred
            FROM members x JOIN members m ON m.member_id = x.referrer_id
            WHERE x.created_at >= @fromIso AND x.created_at < @toIso AND ${homeStores(all)} AND ${MEMBER_FILTER}
            GROUP BY m.member_id ORDER BY referred DESC, m.member_id LIMIT @limit OFFSET @offset) r
      ORDER BY r.referred DESC, r.member_id`).all({ ...w, offset, limit }) as (MemberRow & { referred: number; points: number })[];
    return rows.map((r) => ({ ...memberLine(r), referred: r.referred, points: r.points }));
  }

  /** The members in scope with any entry on their credit account (the credit reports work each one's statements out). */
  membersWithCredit(w: MemberWindow): MemberLine[] {
    const all = w.stores === null;
    return (this.statement(`credit:${all}`, () => `SELECT m.member_id, m.name, m.phone, m.tier, m.home_store_id FROM members m
      WHERE ${homeStores(all)} AND ${MEMBER_FILTER} AND EXISTS (SELECT 1 FROM journal j WHERE j.member_id = m.member_id AND j.account = 'credit')
      ORDER BY m.member_id`).all(w) as MemberRow[]).map(memberLine);
  }

  /**
   * The credit report (statements, status, warnings) of each member in scope who ever had credit, as of `asOf`,
   * worked out by hub/credit/member-credit.ts as the member's page does, from the ledger's own credit reads
   * (hub/ledger/sqlite/sqlite-credit.ts) on this read-only connection. Three reads per member: on the hub this
   * runs on the report thread (worker-report-reads.ts), never the hub's own.
   */
  async memberCredits(w: MemberWindow, bundle: RulesBundle, asOf: string): Promise<MemberCreditLine[]> {
    const lines: MemberCreditLine[] = [];
    for (const member of this.membersWithCredit(w)) lines.push({ member, report: await memberCredit(this.creditStore(), bundle, member.memberId, asOf) });
    return lines;
  }

  private creditStore(): CreditStore {
    this.credit ??= new SqliteCredit(this.open());
    return this.credit;
  }
}

/** The dormant and never-visited members on `db`, never-visited first, then the oldest last visit (a page's order). */
export function* churnRowsOf(db: Db, w: MemberWindow, sinceIso: string): Generator<ChurnRow> {
  for (const row of db.prepare(churnListSql(w.stores === null)).iterate({ ...w, sinceIso }) as IterableIterator<ChurnDbRow>) yield churnRow(row);
}
