/**
 * Schema 8: the reports' hourly totals per store (报表汇总). A year of a chain is millions of transactions; the
 * sales trend, the points liability and the count of consumption records read these rows instead (at most one per
 * store and hour: 50 stores' year is 438,000 narrow rows, a store's 8,760).
 *
 * A trigger keeps them, in the same database transaction as the transaction row it counts, so they can never
 * disagree with the ledger and no application code has to remember them — except the ledger's own batches, which sum
 * their rows per store and hour and write the sums before they commit (schema 10, batch-report-rollup.ts). The ledger writes a transaction's row
 * after its effects (hub/ledger/apply-received.ts: writeEffect, then recordTransaction), so when the row is
 * inserted its journal entries and its purchase record are already there to be summed.
 *
 * - `hour`: the UTC hour of the transaction's created_at ('2026-03-01T02'). Reports in a zone whose offsets over
 *   the period are whole hours make local days from these; any other zone reads the transactions as before.
 * - the store: the payload's storeId, else the member's home store, else ''. The points expiry sweep's are counted
 *   by the member's home store (it is HQ's, not a store's), as the liability report counted them before.
 * - purchases/purchase_cents: applied purchases and their records' totals; top_ups/top_up_cents: top-ups and
 *   their amounts; points_issued: every credit to points; points_expired: the expiry sweep's debits;
 *   points_redeemed: every other debit of points.
 */
/** The schema_meta key of the marker row a ledger batch holds while it sums its own rows (batch-report-rollup.ts). */
export const ROLLUP_IN_BATCH_KEY = 'report_rollup_in_batch';

export const HOUR_COLUMNS = 'purchases, purchase_cents, top_ups, top_up_cents, points_issued, points_redeemed, points_expired';

/** One transaction's contribution, as columns of a SELECT whose transaction row is `t` and member row `m`. */
function contributionColumns(t: string): string {
  const points = (sign: '>' | '<') => `(SELECT COALESCE(sum(amount), 0) FROM journal WHERE tx_id = ${t}.tx_id AND account = 'points' AND amount ${sign} 0)`;
  return `CASE WHEN ${t}.kind = 'points_expiry' THEN COALESCE(m.home_store_id, '')
           ELSE COALESCE(json_extract(${t}.payload, '$.storeId'), m.home_store_id, '') END AS store_id,
      substr(${t}.created_at, 1, 13) AS hour,
      (${t}.kind = 'purchase') AS purchases,
      CASE WHEN ${t}.kind = 'purchase' THEN COALESCE((SELECT json_extract(p.record, '$.totalCents') FROM purchases p WHERE p.tx_id = ${t}.tx_id), 0) ELSE 0 END AS purchase_cents,
      (${t}.kind = 'top_up') AS top_ups,
      CASE WHEN ${t}.kind = 'top_up' THEN COALESCE(json_extract(${t}.payload, '$.amountCents'), 0) ELSE 0 END AS top_up_cents,
      ${points('>')} AS points_issued,
      CASE WHEN ${t}.kind = 'points_expiry' THEN 0 ELSE -${points('<')} END AS points_redeemed,
      CASE WHEN ${t}.kind = 'points_expiry' THEN -${points('<')} ELSE 0 END AS points_expired`;
}

const COUNTS = 'c.purchases OR c.top_ups OR c.points_issued <> 0 OR c.points_redeemed <> 0 OR c.points_expired <> 0';

export const UPSERT_TAIL = `ON CONFLICT (store_id, hour) DO UPDATE SET
    purchases = purchases + excluded.purchases, purchase_cents = purchase_cents + excluded.purchase_cents,
    top_ups = top_ups + excluded.top_ups, top_up_cents = top_up_cents + excluded.top_up_cents,
    points_issued = points_issued + excluded.points_issued, points_redeemed = points_redeemed + excluded.points_redeemed,
    points_expired = points_expired + excluded.points_expired`;

export const REPORT_ROLLUP_SQL = `
CREATE TABLE IF NOT EXISTS report_hourly (
  store_id TEXT NOT NULL,
  hour TEXT NOT NULL,
  purchases INTEGER NOT NULL DEFAULT 0,
  purchase_cents INTEGER NOT NULL DEFAULT 0,
  top_ups INTEGER NOT NULL DEFAULT 0,
  top_up_cents INTEGER NOT NULL DEFAULT 0,
  points_issued INTEGER NOT NULL DEFAULT 0,
  points_redeemed INTEGER NOT NULL DEFAULT 0,
  points_expired INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, hour)
) WITHOUT ROWID;
-- Every store's hours of a period (a chain-wide report): covering, so the rows themselves are never looked up.
CREATE INDEX IF NOT EXISTS report_hourly_by_hour ON report_hourly(hour, ${HOUR_COLUMNS});
-- The ledger's own batches sum their rows in code (batch-report-rollup.ts) and hold this marker row meanwhile, in
-- their own database transaction: the trigger counts what anything else inserts.
CREATE TRIGGER IF NOT EXISTS report_hourly_count AFTER INSERT ON transactions
  WHEN NEW.status = 'applied' AND NEW.created_at IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM schema_meta WHERE key = '${ROLLUP_IN_BATCH_KEY}')
BEGIN
  INSERT INTO report_hourly (store_id, hour, ${HOUR_COLUMNS})
  SELECT * FROM (SELECT ${contributionColumns('NEW')} FROM (SELECT 1) LEFT JOIN members m ON m.member_id = NEW.member_id) c
  WHERE ${COUNTS}
  ${UPSERT_TAIL};
END;
`;

/**
 * The totals of a ledger's existing transactions, for the migration to schema 8 (an empty table first: run once,
 * in the migration's database transaction, before the trigger counts anything new).
 */
export const REPORT_ROLLUP_BACKFILL_SQL = `
INSERT INTO report_hourly (store_id, hour, ${HOUR_COLUMNS})
SELECT store_id, hour, sum(purchases), sum(purchase_cents), sum(top_ups), sum(top_up_cents), sum(points_issued), sum(points_redeemed), sum(points_expired)
FROM (SELECT ${contributionColumns('t')} FROM transactions t LEFT JOIN members m ON m.member_id = t.member_id
      WHERE t.status = 'applied' AND t.created_at IS NOT NULL) c
WHERE ${COUNTS} GROUP BY store_id, hour
${UPSERT_TAIL};
`;
