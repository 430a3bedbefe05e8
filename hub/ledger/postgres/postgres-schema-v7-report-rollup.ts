/**
 * Migration 7 of the PostgreSQL ledger: the console reports' indexes and hourly totals, as SQLite's schema 8
 * (../sqlite/schema-console-features.ts REPORT_INDEXES_SQL, ../sqlite/schema-report-rollup.ts says what each total
 * counts and why a trigger keeps them). The report reads (hub/reports/postgres-report-reads.ts) name the store of a
 * transaction by the same expression as the index here, or PostgreSQL does not use it.
 *
 * One difference from SQLite, for several hub workers: the totals are kept per (store, hour, device), not per
 * (store, hour). With one row per store and hour, every batch of any kiosk of a store would update the same row,
 * and two workers' batches for one store's kiosks would meet on it whenever they overlap (under SERIALIZABLE one
 * rolled back and ran again; at READ COMMITTED the second waits for the first's commit) — a hot row serialising
 * unrelated kiosks. A device's transactions are already applied one
 * batch at a time (its device_sequences row is locked first), so a row per device adds no conflict the ledger does
 * not already have. Reports sum over the device: the answers are SQLite's. Rows copied from a SQLite ledger carry
 * device_id '' (the column's default; SQLite has no such column).
 *
 * The trigger fires on the insert of an applied transaction row, which the write port sends after the
 * transaction's journal entries and purchase record (apply-received.ts), in the same database transaction (and which
 * set-based-writes.ts, merging a batch's statements, never moves ahead of them). The
 * migration fills the totals from the transactions already there (a database migrated before has them); a copy
 * from SQLite runs with triggers off and copies SQLite's totals instead (hub/ledger/migration/copy-into-postgres.ts).
 */
export const POSTGRES_STORE_OF_TX = (t: string) => `((${t}.payload::jsonb ->> 'storeId') COLLATE "C")`;

const HOUR_COLUMNS = 'purchases, purchase_cents, top_ups, top_up_cents, points_issued, points_redeemed, points_expired';

/**
 * One transaction's contribution, as columns of a SELECT whose transaction row is `t`, member row `m` and points
 * row `pts` (POINTS_OF: its points credited and debited, summed in one look-up of its journal entries).
 */
function contributionColumns(t: string): string {
  return `CASE WHEN ${t}.kind = 'points_expiry' THEN COALESCE(m.home_store_id, '')
           ELSE COALESCE(${POSTGRES_STORE_OF_TX(t)}, m.home_store_id, '') END AS store_id,
      substr(${t}.created_at, 1, 13) AS hour,
      ${t}.device_id AS device_id,
      CASE WHEN ${t}.kind = 'purchase' THEN 1 ELSE 0 END AS purchases,
      CASE WHEN ${t}.kind = 'purchase' THEN COALESCE((SELECT (p.record::jsonb ->> 'totalCents')::bigint FROM purchases p WHERE p.tx_id = ${t}.tx_id), 0) ELSE 0 END AS purchase_cents,
      CASE WHEN ${t}.kind = 'top_up' THEN 1 ELSE 0 END AS top_ups,
      CASE WHEN ${t}.kind = 'top_up' THEN COALESCE((${t}.payload::jsonb ->> 'amountCents')::bigint, 0) ELSE 0 END AS top_up_cents,
      pts.credited AS points_issued,
      CASE WHEN ${t}.kind = 'points_expiry' THEN 0 ELSE pts.debited END AS points_redeemed,
      CASE WHEN ${t}.kind = 'points_expiry' THEN pts.debited ELSE 0 END AS points_expired`;
}

/** The joins contributionColumns reads: the member (home store) and the transaction's points entries. */
const JOINS = (t: string) => `LEFT JOIN members m ON m.member_id = ${t}.member_id
  CROSS JOIN LATERAL (SELECT COALESCE(sum(j.amount) FILTER (WHERE j.amount > 0), 0) AS credited, COALESCE(-sum(j.amount) FILTER (WHERE j.amount < 0), 0) AS debited
    FROM journal j WHERE j.tx_id = ${t}.tx_id AND j.account = 'points') pts`;

const COUNTS = 'c.purchases <> 0 OR c.top_ups <> 0 OR c.points_issued <> 0 OR c.points_redeemed <> 0 OR c.points_expired <> 0';

const UPSERT_TAIL = `ON CONFLICT (store_id, hour, device_id) DO UPDATE SET
    purchases = report_hourly.purchases + excluded.purchases, purchase_cents = report_hourly.purchase_cents + excluded.purchase_cents,
    top_ups = report_hourly.top_ups + excluded.top_ups, top_up_cents = report_hourly.top_up_cents + excluded.top_up_cents,
    points_issued = report_hourly.points_issued + excluded.points_issued, points_redeemed = report_hourly.points_redeemed + excluded.points_redeemed,
    points_expired = report_hourly.points_expired + excluded.points_expired`;

/** The totals of the transactions already stored (run once, on an empty table, before the trigger counts anything). */
export const POSTGRES_REPORT_ROLLUP_BACKFILL_SQL = `
INSERT INTO report_hourly (store_id, hour, device_id, ${HOUR_COLUMNS})
SELECT store_id, hour, device_id, sum(purchases), sum(purchase_cents), sum(top_ups), sum(top_up_cents), sum(points_issued), sum(points_redeemed), sum(points_expired)
FROM (SELECT ${contributionColumns('t')} FROM transactions t ${JOINS('t')}
      WHERE t.status = 'applied' AND t.created_at IS NOT NULL) c
WHERE ${COUNTS} GROUP BY store_id, hour, device_id
${UPSERT_TAIL};
`;

export const POSTGRES_SCHEMA_V7_REPORT_ROLLUP = `
-- With the store last, the consumption records read nothing of the transactions but this index (and the records).
CREATE INDEX transactions_by_kind_time ON transactions(kind, created_at, tx_id, ${POSTGRES_STORE_OF_TX('transactions')});
CREATE INDEX transactions_by_kind_store_time ON transactions(kind, ${POSTGRES_STORE_OF_TX('transactions')}, created_at);
CREATE INDEX members_by_home_store_time ON members(home_store_id, created_at);
CREATE TABLE report_hourly (
  store_id TEXT COLLATE "C" NOT NULL,
  hour TEXT COLLATE "C" NOT NULL,
  device_id TEXT COLLATE "C" NOT NULL DEFAULT '',
  purchases BIGINT NOT NULL DEFAULT 0,
  purchase_cents BIGINT NOT NULL DEFAULT 0,
  top_ups BIGINT NOT NULL DEFAULT 0,
  top_up_cents BIGINT NOT NULL DEFAULT 0,
  points_issued BIGINT NOT NULL DEFAULT 0,
  points_redeemed BIGINT NOT NULL DEFAULT 0,
  points_expired BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (store_id, hour, device_id)
);
-- Every store's hours of a period (a chain-wide report): covering, so the rows themselves are never looked up.
CREATE INDEX report_hourly_by_hour ON report_hourly(hour) INCLUDE (${HOUR_COLUMNS});
CREATE FUNCTION report_hourly_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_hourly (store_id, hour, device_id, ${HOUR_COLUMNS})
  SELECT * FROM (SELECT ${contributionColumns('NEW')} FROM (SELECT 1) one ${JOINS('NEW')}) c
  WHERE ${COUNTS}
  ${UPSERT_TAIL};
  RETURN NULL;
END $$;
CREATE TRIGGER report_hourly_count AFTER INSERT ON transactions
  FOR EACH ROW WHEN (NEW.status = 'applied' AND NEW.created_at IS NOT NULL) EXECUTE FUNCTION report_hourly_count();
${POSTGRES_REPORT_ROLLUP_BACKFILL_SQL}
`;
