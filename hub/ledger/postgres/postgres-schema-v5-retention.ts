/**
 * Migration 5 of the PostgreSQL ledger: HQ's personal-data retention (PIPL), as SQLite's schema 8 tables
 * retention_settings, member_contacts_purged and retention_runs (../sqlite/schema-console-features.ts says what
 * each keeps). Same names and columns; TEXT COLLATE "C" and ISO times as text as in migration 1.
 */
export const POSTGRES_SCHEMA_V5_RETENTION = `
CREATE TABLE retention_settings (
  rule TEXT COLLATE "C" PRIMARY KEY CHECK (rule IN ('contacts', 'inactive_members')),
  months BIGINT CHECK (months IS NULL OR months BETWEEN 1 AND 600),
  updated_at TEXT COLLATE "C" NOT NULL,
  updated_by TEXT COLLATE "C" NOT NULL
);
CREATE TABLE member_contacts_purged (
  member_id TEXT COLLATE "C" PRIMARY KEY,
  purged BIGINT NOT NULL,
  last_purged_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE retention_runs (
  run_id BIGSERIAL PRIMARY KEY,
  at TEXT COLLATE "C" NOT NULL,
  trigger TEXT COLLATE "C" NOT NULL CHECK (trigger IN ('daily', 'manual')),
  contacts_deleted BIGINT NOT NULL,
  members_erased BIGINT NOT NULL,
  complete SMALLINT NOT NULL CHECK (complete IN (0, 1))
);
`;
