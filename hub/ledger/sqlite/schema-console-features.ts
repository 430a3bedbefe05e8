/**
 * Schema 8 (issue 12, the HQ console at chain scale): indexes the reports read by (a period of one kind of
 * transaction, of some stores; a member's home store), and the tables of the console's organisation and privacy
 * pages, and the reports' hourly totals (schema-report-rollup.ts). New indexes, tables and a trigger only:
 * balances, the journal and the transactions are written exactly as before.
 *
 * The store of a transaction is its payload's `storeId`; the report indexes name it by the same expression the
 * report reads use (sqlite-report-reads.ts), which is how SQLite knows it may use them.
 */
import { REPORT_ROLLUP_SQL } from './schema-report-rollup.ts';

export const REPORT_STORE_OF_TX = "json_extract(payload, '$.storeId')";

export const REPORT_INDEXES_SQL = `
-- With the store last, the consumption records' export reads nothing but this index and the purchase records.
CREATE INDEX IF NOT EXISTS transactions_by_kind_time ON transactions(kind, created_at, tx_id, ${REPORT_STORE_OF_TX});
CREATE INDEX IF NOT EXISTS transactions_by_kind_store_time ON transactions(kind, ${REPORT_STORE_OF_TX}, created_at);
CREATE INDEX IF NOT EXISTS members_by_home_store ON members(home_store_id, created_at);
CREATE INDEX IF NOT EXISTS journal_by_tx ON journal(tx_id);
`;

/** Tables of the console's organisation and privacy pages (gift stock per store, HQ settings). */
export const CONSOLE_TABLES_SQL = `
-- Gift stock per store (hub/ledger/sqlite/sqlite-gift-stock.ts): a store with a row for a gift redeems it from this
-- row only (GIFT_OUT_OF_STOCK at 0); a store without one from the chain-wide gifts.stock, as before schema 8.
CREATE TABLE IF NOT EXISTS gift_store_stock (
  store_id TEXT NOT NULL,
  sku TEXT NOT NULL,
  stock INTEGER NOT NULL CHECK (stock >= 0),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (store_id, sku)
) WITHOUT ROWID;
-- HQ's personal-data retention (PIPL; hub/ledger/sqlite/sqlite-retention.ts): one row per rule, months NULL = off.
CREATE TABLE IF NOT EXISTS retention_settings (
  rule TEXT PRIMARY KEY CHECK (rule IN ('contacts', 'inactive_members')),
  months INTEGER CHECK (months IS NULL OR months BETWEEN 1 AND 600),
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
) WITHOUT ROWID;
-- How many contact-log entries of a member the retention sweep deleted: their existence, not their content.
CREATE TABLE IF NOT EXISTS member_contacts_purged (
  member_id TEXT PRIMARY KEY,
  purged INTEGER NOT NULL,
  last_purged_at TEXT NOT NULL
) WITHOUT ROWID;
-- Each retention run (the daily sweep's, or one HQ started): what it did, and whether it left work for the next.
CREATE TABLE IF NOT EXISTS retention_runs (
  run_id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  trigger TEXT NOT NULL CHECK (trigger IN ('daily', 'manual')),
  contacts_deleted INTEGER NOT NULL,
  members_erased INTEGER NOT NULL,
  complete INTEGER NOT NULL CHECK (complete IN (0, 1))
);
-- What HQ's custom member fields are beyond key, zh label and order (member_field_defs, schema 7).
CREATE TABLE IF NOT EXISTS member_field_specs (
  field_key TEXT PRIMARY KEY,
  label_en TEXT,
  type TEXT NOT NULL DEFAULT 'text' CHECK (type IN ('text', 'number', 'date', 'select')),
  required INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
  -- A JSON array of the choices of a select field.
  options TEXT NOT NULL DEFAULT '[]',
  -- Set when HQ retired the field: no longer asked for, old values kept and shown.
  retired_at TEXT
) WITHOUT ROWID;
-- Member files imported from a chain's old system (hub/members-import/), one row per file, keyed by the SHA-256 of
-- its bytes and written in the database transaction that imports its members: the same file is never imported twice.
CREATE TABLE IF NOT EXISTS member_imports (
  import_id TEXT PRIMARY KEY,
  file_name TEXT NOT NULL,
  imported_by TEXT NOT NULL,
  imported_at TEXT NOT NULL,
  members INTEGER NOT NULL,
  stored_value_cents INTEGER NOT NULL,
  bonus_value_cents INTEGER NOT NULL,
  points INTEGER NOT NULL,
  first_tx_id TEXT,
  last_tx_id TEXT
) WITHOUT ROWID;
`;

export const CONSOLE_FEATURES_SQL = `${REPORT_INDEXES_SQL}${REPORT_ROLLUP_SQL}${CONSOLE_TABLES_SQL}`;
