/**
 * Ledger schema 5: redemption codes (兑换码, core/codes/redemption-code.ts) and points draws (积分抽奖,
 * core/draws/draw-outcome.ts). Part of SCHEMA_SQL (schema.ts); migration 5 creates these tables in an older ledger.
 *
 * A code is kept only as HMAC-SHA256(redemption_code_key in schema_meta, SHA-256 of the code): the kiosk sends the
 * SHA-256, the printable list exists once, in the answer to the generation, so neither this table nor a payload
 * gives a code back. A draw keeps its secret seed until it closes (then it is shown beside its commitment
 * seed_sha256, published from the start); its entries are numbered in the order the ledger applied them, which
 * is the order the audit replays stock in.
 */
export const CODES_AND_DRAWS_SQL = `
CREATE TABLE IF NOT EXISTS code_batches (
  batch_id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  sku TEXT NOT NULL,
  points INTEGER NOT NULL CHECK (points > 0),
  expires_at TEXT NOT NULL,
  code_count INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS redemption_codes (
  code_hash TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES code_batches(batch_id),
  used_tx_id TEXT UNIQUE,
  used_by_member_id TEXT,
  used_at TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS redemption_codes_by_batch ON redemption_codes(batch_id, used_tx_id);
CREATE TABLE IF NOT EXISTS draws (
  draw_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  cost_points INTEGER NOT NULL CHECK (cost_points > 0),
  no_prize_weight INTEGER NOT NULL CHECK (no_prize_weight >= 0),
  closes_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed')),
  seed_sha256 TEXT NOT NULL,
  -- The secret seed (hex); shown only once the draw is closed.
  seed TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  opened_at TEXT,
  closed_at TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS draw_prizes (
  draw_id TEXT NOT NULL REFERENCES draws(draw_id),
  prize_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  -- instant: won by an entry (weight, stock); second_chance: drawn among the entries at close (stock = winners).
  round TEXT NOT NULL CHECK (round IN ('instant', 'second_chance')),
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('gift', 'points')),
  points INTEGER,
  weight INTEGER NOT NULL CHECK (weight >= 0),
  stock INTEGER NOT NULL CHECK (stock >= 0),
  stock_left INTEGER NOT NULL CHECK (stock_left >= 0),
  PRIMARY KEY (draw_id, prize_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS draw_entries (
  entry_no INTEGER PRIMARY KEY,
  tx_id TEXT NOT NULL UNIQUE,
  draw_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  -- HMAC-SHA256(seed, tx id)'s first 8 bytes as a decimal integer, and that mod the total weight.
  ticket TEXT NOT NULL,
  pick INTEGER NOT NULL,
  prize_id TEXT,
  out_of_stock_prize_id TEXT,
  entered_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS draw_entries_by_draw ON draw_entries(draw_id, entry_no);
CREATE TABLE IF NOT EXISTS draw_winners (
  draw_id TEXT NOT NULL,
  prize_id TEXT NOT NULL,
  k INTEGER NOT NULL,
  entry_tx_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  PRIMARY KEY (draw_id, prize_id, k)
) WITHOUT ROWID;
`;
