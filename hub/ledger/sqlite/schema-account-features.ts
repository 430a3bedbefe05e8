/**
 * Schema 6 (issue 11's account features): the fees a fee schedule charged, what attached cards spent per day
 * against their own limits, and the deposit bonus a member got per day under a per-day cap. Balances still move
 * only by journal entries; these tables record what the rules need to decide the next transaction and what the
 * fee reports read.
 */
export const ACCOUNT_FEATURES_SQL = `
CREATE TABLE IF NOT EXISTS fee_charges (
  tx_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  card_uid TEXT NOT NULL,
  fee_kind TEXT NOT NULL CHECK (fee_kind IN ('issue', 'replace', 'repair', 'extend', 'annual', 'return')),
  cents INTEGER NOT NULL,
  tender TEXT NOT NULL,
  -- The fee year an annual fee pays (one per card and year); NULL for every other fee.
  fee_year INTEGER,
  charged_at TEXT NOT NULL,
  PRIMARY KEY (tx_id, fee_kind)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS fee_charges_one_annual_per_year ON fee_charges(card_uid, fee_year) WHERE fee_kind = 'annual';
CREATE INDEX IF NOT EXISTS fee_charges_by_time ON fee_charges(charged_at);
CREATE TABLE IF NOT EXISTS card_daily_spend (
  card_uid TEXT NOT NULL,
  day INTEGER NOT NULL,
  cents INTEGER NOT NULL,
  PRIMARY KEY (card_uid, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS member_daily_deposit_bonus (
  member_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  cents INTEGER NOT NULL,
  PRIMARY KEY (member_id, day)
) WITHOUT ROWID;
`;
