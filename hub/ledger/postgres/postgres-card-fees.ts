/**
 * The fee features' reads (../card-fee-store.ts) on the PostgreSQL ledger: the queries of
 * ../sqlite/sqlite-card-fees.ts. No table of their own: fee_charges and cards came with migration 1.
 */
import type pg from 'pg';
import type { AnnualFeeCard, CardFeeStore, FeeReportQuery, FeeReportRow } from '../card-fee-store.ts';

interface CardRow {
  uid: string;
  member_id: string;
  card_type: string | null;
  first_issued_at: string;
  charged_years: string | null;
}

/**
 * Each open card with the first issue time of its lineage (the cards it replaced) and the annual fee years charged
 * on any card of it: walked forward from every card along replaced_by, grouped by the card each walk ends on.
 */
const ANNUAL_FEE_CARDS_SQL = `
WITH RECURSIVE chain(start_uid, start_issued_at, uid, replaced_by, depth) AS (
  SELECT uid, issued_at, uid, replaced_by, 0 FROM cards
  UNION ALL
  SELECT chain.start_uid, chain.start_issued_at, c.uid, c.replaced_by, chain.depth + 1
  FROM chain JOIN cards c ON c.uid = chain.replaced_by WHERE chain.depth < 64
)
SELECT c.uid, c.member_id, c.card_type, min(chain.start_issued_at) AS first_issued_at,
       string_agg(DISTINCT f.fee_year::text, ',') AS charged_years
FROM chain JOIN cards c ON c.uid = chain.uid
LEFT JOIN fee_charges f ON f.card_uid = chain.start_uid AND f.fee_kind = 'annual'
WHERE c.status <> 'cancelled'
GROUP BY c.uid, c.member_id, c.card_type ORDER BY c.uid`;

export class PostgresCardFees implements CardFeeStore {
  constructor(private readonly pool: pg.Pool) {}

  async annualFeeCards(): Promise<AnnualFeeCard[]> {
    const rows = (await this.pool.query<CardRow>(ANNUAL_FEE_CARDS_SQL)).rows;
    return rows.map((row) => ({
      uid: row.uid,
      memberId: row.member_id,
      cardType: row.card_type,
      firstIssuedAt: row.first_issued_at,
      chargedYears: row.charged_years ? row.charged_years.split(',').map(Number) : [],
    }));
  }

  async feeReport(query: FeeReportQuery): Promise<FeeReportRow[]> {
    // The store is the transaction's (its payload's storeId): fees charged by HQ's sweep are HQ's ('hq').
    const rows = (
      await this.pool.query<{ fee_kind: string; tender: string; store_id: string; n: number; cents: number }>(
        `SELECT f.fee_kind, f.tender, t.payload::jsonb ->> 'storeId' AS store_id, count(*) AS n, sum(f.cents) AS cents
         FROM fee_charges f JOIN transactions t ON t.tx_id = f.tx_id
         WHERE f.charged_at >= $1 AND f.charged_at < $2
         GROUP BY f.fee_kind, f.tender, store_id`,
        [query.from, query.to],
      )
    ).rows;
    const totals = new Map<string, FeeReportRow>();
    for (const row of rows) {
      if (query.storeIds !== '*' && !query.storeIds.includes(row.store_id)) continue;
      const key = `${row.fee_kind}\u0000${row.tender}`;
      const total = totals.get(key) ?? { feeKind: row.fee_kind, tender: row.tender, count: 0, cents: 0 };
      total.count += row.n;
      total.cents += row.cents;
      totals.set(key, total);
    }
    return [...totals.values()].sort((a, b) => a.feeKind.localeCompare(b.feeKind) || a.tender.localeCompare(b.tender));
  }
}
