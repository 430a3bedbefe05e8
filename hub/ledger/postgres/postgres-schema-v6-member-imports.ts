/**
 * Migration 6 of the PostgreSQL ledger: the record of member files imported from a chain's old system, as SQLite's
 * schema 8 member_imports (../sqlite/schema-console-features.ts): one row per file, keyed by the SHA-256 of its
 * bytes and written in the database transaction that imports its members, so the same file is never imported twice.
 */
export const POSTGRES_SCHEMA_V6_MEMBER_IMPORTS = `
CREATE TABLE member_imports (
  import_id TEXT COLLATE "C" PRIMARY KEY,
  file_name TEXT COLLATE "C" NOT NULL,
  imported_by TEXT COLLATE "C" NOT NULL,
  imported_at TEXT COLLATE "C" NOT NULL,
  members BIGINT NOT NULL,
  stored_value_cents BIGINT NOT NULL,
  bonus_value_cents BIGINT NOT NULL,
  points BIGINT NOT NULL,
  first_tx_id TEXT COLLATE "C",
  last_tx_id TEXT COLLATE "C"
);
`;
