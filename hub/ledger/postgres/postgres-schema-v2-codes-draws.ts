/**
 * Migration 2 of the PostgreSQL ledger: redemption codes and points draws, as SQLite's schema 5
 * (../sqlite/schema-codes-draws.ts says what each table keeps and why). Same names and columns; BIGINT for
 * points, weights and stock; TEXT COLLATE "C" as in migration 1. A draw's entries are numbered by a sequence in
 * the order the ledger applied them (one kiosk's entries in seq order; the audit replays stock in that order).
 */
export const POSTGRES_SCHEMA_V2_CODES_DRAWS = `
CREATE TABLE code_batches (
  batch_id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL UNIQUE,
  sku TEXT COLLATE "C" NOT NULL,
  points BIGINT NOT NULL CHECK (points > 0),
  expires_at TEXT COLLATE "C" NOT NULL,
  code_count BIGINT NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  created_by TEXT COLLATE "C" NOT NULL
);
CREATE TABLE redemption_codes (
  code_hash TEXT COLLATE "C" PRIMARY KEY,
  batch_id TEXT COLLATE "C" NOT NULL REFERENCES code_batches(batch_id),
  used_tx_id TEXT COLLATE "C" UNIQUE,
  used_by_member_id TEXT COLLATE "C",
  used_at TEXT COLLATE "C"
);
CREATE INDEX redemption_codes_by_batch ON redemption_codes(batch_id, used_tx_id);
CREATE TABLE draws (
  draw_id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  cost_points BIGINT NOT NULL CHECK (cost_points > 0),
  no_prize_weight BIGINT NOT NULL CHECK (no_prize_weight >= 0),
  closes_at TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
  seed_sha256 TEXT COLLATE "C" NOT NULL,
  seed TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  created_by TEXT COLLATE "C" NOT NULL,
  opened_at TEXT COLLATE "C",
  closed_at TEXT COLLATE "C"
);
CREATE TABLE draw_prizes (
  draw_id TEXT COLLATE "C" NOT NULL REFERENCES draws(draw_id),
  prize_id TEXT COLLATE "C" NOT NULL,
  position BIGINT NOT NULL,
  round TEXT COLLATE "C" NOT NULL CHECK (round IN ('instant', 'second_chance')),
  name TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('gift', 'points')),
  points BIGINT,
  weight BIGINT NOT NULL CHECK (weight >= 0),
  stock BIGINT NOT NULL CHECK (stock >= 0),
  stock_left BIGINT NOT NULL CHECK (stock_left >= 0),
  PRIMARY KEY (draw_id, prize_id)
);
CREATE TABLE draw_entries (
  entry_no BIGSERIAL PRIMARY KEY,
  tx_id TEXT COLLATE "C" NOT NULL UNIQUE,
  draw_id TEXT COLLATE "C" NOT NULL,
  member_id TEXT COLLATE "C" NOT NULL,
  ticket TEXT COLLATE "C" NOT NULL,
  pick BIGINT NOT NULL,
  prize_id TEXT COLLATE "C",
  out_of_stock_prize_id TEXT COLLATE "C",
  entered_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX draw_entries_by_draw ON draw_entries(draw_id, entry_no);
CREATE TABLE draw_winners (
  draw_id TEXT COLLATE "C" NOT NULL,
  prize_id TEXT COLLATE "C" NOT NULL,
  k BIGINT NOT NULL,
  entry_tx_id TEXT COLLATE "C" NOT NULL,
  member_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (draw_id, prize_id, k)
);
`;
