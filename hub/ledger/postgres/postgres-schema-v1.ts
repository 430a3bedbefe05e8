/**
 * Migration 1 of the PostgreSQL ledger: the ledger's core tables, mirroring the SQLite schema (../sqlite/schema.ts
 * through schema 9) for what the PostgreSQL back end has ported so far. Same names and columns, so a query reads
 * the same on both and the sqlite → postgres migration (issue 15) is a copy, table by table.
 *
 * Types: money, points and counts are BIGINT (integers only, as everywhere in the ledger). Ids are TEXT. Times are
 * ISO-8601 UTC TEXT exactly as the SQLite side keeps them: the ledger compares and pages on them as strings
 * (history keysets, lot expiry), and a time must read back byte-for-byte as it was written (a receipt, a stored
 * result). Payloads and results are TEXT, not JSONB: a payload is kept exactly as received (its hash is of those
 * bytes), and JSONB would reorder its keys. Every TEXT column is COLLATE "C": ids, times and names compare and sort
 * byte by byte as on SQLite, whatever collation the operator's database was created with, and the indexes serve
 * those orders.
 *
 * The keys that carry the spine's guarantees: `transactions` is keyed by tx_id and unique on (device_id, epoch,
 * seq), so two writers can never record one transaction twice or two transactions in one slot, whatever their
 * timing; `device_sequences` has one row per device and epoch, the row a batch locks to queue writers of one kiosk.
 */
export const POSTGRES_SCHEMA_V1 = `
CREATE TABLE schema_meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE members (
  member_id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  phone TEXT COLLATE "C" NOT NULL,
  tier TEXT COLLATE "C" NOT NULL,
  referrer_id TEXT COLLATE "C",
  credit_limit_cents BIGINT NOT NULL DEFAULT 0,
  cumulative_spend_cents BIGINT NOT NULL DEFAULT 0,
  cumulative_points_earned BIGINT NOT NULL DEFAULT 0,
  created_at TEXT COLLATE "C" NOT NULL,
  home_store_id TEXT COLLATE "C",
  visits BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX members_by_phone ON members(phone);
CREATE INDEX members_by_home_store ON members(home_store_id);
CREATE TABLE accounts (
  member_id TEXT COLLATE "C" NOT NULL,
  account TEXT COLLATE "C" NOT NULL,
  balance BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (member_id, account)
);
CREATE TABLE cards (
  uid TEXT COLLATE "C" PRIMARY KEY,
  member_id TEXT COLLATE "C" NOT NULL REFERENCES members(member_id),
  status TEXT COLLATE "C" NOT NULL,
  valid_from TEXT COLLATE "C",
  valid_until TEXT COLLATE "C",
  replaced_by TEXT COLLATE "C",
  issued_at TEXT COLLATE "C" NOT NULL,
  card_type TEXT COLLATE "C",
  holder_name TEXT COLLATE "C"
);
CREATE INDEX cards_by_member ON cards(member_id);
CREATE TABLE point_lots (
  lot_id TEXT COLLATE "C" PRIMARY KEY,
  member_id TEXT COLLATE "C" NOT NULL,
  remaining BIGINT NOT NULL,
  earned_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C"
);
CREATE INDEX lots_by_member ON point_lots(member_id, expires_at);
CREATE TABLE transactions (
  tx_id TEXT COLLATE "C" PRIMARY KEY,
  device_id TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  epoch TEXT COLLATE "C" NOT NULL DEFAULT '',
  kind TEXT COLLATE "C" NOT NULL,
  content_hash TEXT COLLATE "C" NOT NULL,
  payload TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL CHECK (status IN ('applied', 'rejected')),
  code TEXT COLLATE "C",
  member_id TEXT COLLATE "C",
  bundle_version BIGINT,
  created_at TEXT COLLATE "C",
  applied_at TEXT COLLATE "C" NOT NULL,
  result TEXT COLLATE "C" NOT NULL,
  UNIQUE (device_id, epoch, seq)
);
CREATE INDEX transactions_by_member ON transactions(member_id, created_at, tx_id);
CREATE TABLE journal (
  entry_id BIGSERIAL PRIMARY KEY,
  tx_id TEXT COLLATE "C" NOT NULL,
  member_id TEXT COLLATE "C" NOT NULL,
  account TEXT COLLATE "C" NOT NULL,
  amount BIGINT NOT NULL,
  lot_id TEXT COLLATE "C",
  bundle_version BIGINT
);
CREATE INDEX journal_by_member ON journal(member_id, account);
CREATE INDEX journal_by_tx ON journal(tx_id);
CREATE TABLE devices (
  device_id TEXT COLLATE "C" PRIMARY KEY,
  clock_offset_ms BIGINT,
  clock_measured_at TEXT COLLATE "C",
  mode TEXT COLLATE "C" NOT NULL DEFAULT 'unattended' CHECK (mode IN ('unattended', 'attended')),
  store_id TEXT COLLATE "C"
);
CREATE TABLE device_sequences (
  device_id TEXT COLLATE "C" NOT NULL,
  epoch TEXT COLLATE "C" NOT NULL,
  last_seq BIGINT NOT NULL,
  closed SMALLINT NOT NULL DEFAULT 0,
  last_effective_at TEXT COLLATE "C",
  PRIMARY KEY (device_id, epoch)
);
CREATE TABLE sequence_slots (
  device_id TEXT COLLATE "C" NOT NULL,
  epoch TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  tx_id TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('duplicate', 'id_conflict')),
  content_hash TEXT COLLATE "C" NOT NULL,
  payload TEXT COLLATE "C" NOT NULL,
  result TEXT COLLATE "C" NOT NULL,
  recorded_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (device_id, epoch, seq)
);
CREATE TABLE device_alerts (
  alert_id BIGSERIAL PRIMARY KEY,
  device_id TEXT COLLATE "C" NOT NULL,
  code TEXT COLLATE "C" NOT NULL,
  detail TEXT COLLATE "C" NOT NULL,
  at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX device_alerts_by_device ON device_alerts(device_id, alert_id);
CREATE TABLE purchases (
  tx_id TEXT COLLATE "C" PRIMARY KEY,
  member_id TEXT COLLATE "C" NOT NULL,
  record TEXT COLLATE "C" NOT NULL
);
CREATE TABLE refunded_lines (
  purchase_tx_id TEXT COLLATE "C" NOT NULL,
  line_no BIGINT NOT NULL,
  refund_tx_id TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (purchase_tx_id, line_no)
);
CREATE TABLE staff (
  staff_id TEXT COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  role TEXT COLLATE "C" NOT NULL,
  store_ids TEXT COLLATE "C" NOT NULL,
  card_hash TEXT COLLATE "C" UNIQUE,
  pin_hash TEXT COLLATE "C",
  login TEXT COLLATE "C" UNIQUE,
  password_hash TEXT COLLATE "C",
  failed_attempts BIGINT NOT NULL DEFAULT 0,
  locked_until TEXT COLLATE "C",
  active SMALLINT NOT NULL DEFAULT 1,
  level TEXT COLLATE "C"
);
CREATE TABLE staff_sessions (
  session_id TEXT COLLATE "C" PRIMARY KEY,
  staff_id TEXT COLLATE "C" NOT NULL,
  device_id TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('kiosk', 'login', 'api_token')),
  token_hash TEXT COLLATE "C" UNIQUE,
  label TEXT COLLATE "C",
  opened_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL,
  ended_at TEXT COLLATE "C"
);
CREATE INDEX staff_sessions_by_staff ON staff_sessions(staff_id);
CREATE TABLE member_pins (
  member_id TEXT COLLATE "C" PRIMARY KEY,
  pin_hash TEXT COLLATE "C" NOT NULL,
  failed_attempts BIGINT NOT NULL DEFAULT 0,
  locked_until TEXT COLLATE "C",
  set_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE member_pin_proofs (
  proof_id TEXT COLLATE "C" PRIMARY KEY,
  member_id TEXT COLLATE "C" NOT NULL,
  device_id TEXT COLLATE "C" NOT NULL,
  opened_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE audit_log (
  audit_id BIGSERIAL PRIMARY KEY,
  at TEXT COLLATE "C" NOT NULL,
  actor_kind TEXT COLLATE "C" NOT NULL,
  actor_id TEXT COLLATE "C" NOT NULL,
  surface TEXT COLLATE "C" NOT NULL,
  action TEXT COLLATE "C" NOT NULL,
  target TEXT COLLATE "C",
  outcome TEXT COLLATE "C" NOT NULL,
  before_json TEXT COLLATE "C",
  after_json TEXT COLLATE "C",
  detail TEXT COLLATE "C"
);
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TABLE gifts (
  sku TEXT COLLATE "C" PRIMARY KEY,
  name TEXT COLLATE "C" NOT NULL,
  points_price BIGINT NOT NULL,
  stock BIGINT NOT NULL
);
CREATE TABLE gift_store_stock (
  store_id TEXT COLLATE "C" NOT NULL,
  sku TEXT COLLATE "C" NOT NULL,
  stock BIGINT NOT NULL CHECK (stock >= 0),
  updated_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (store_id, sku)
);
CREATE TABLE member_daily_points (
  member_id TEXT COLLATE "C" NOT NULL,
  day BIGINT NOT NULL,
  points BIGINT NOT NULL,
  PRIMARY KEY (member_id, day)
);
CREATE TABLE member_period_figures (
  member_id TEXT COLLATE "C" NOT NULL,
  period_key TEXT COLLATE "C" NOT NULL,
  points_earned BIGINT NOT NULL,
  spend_cents BIGINT NOT NULL,
  PRIMARY KEY (member_id, period_key)
);
CREATE TABLE tier_reviews (
  period_key TEXT COLLATE "C" PRIMARY KEY,
  reviewed_at TEXT COLLATE "C" NOT NULL,
  changed BIGINT NOT NULL
);
CREATE TABLE rule_disagreements (
  tx_id TEXT COLLATE "C" PRIMARY KEY,
  device_id TEXT COLLATE "C" NOT NULL,
  bundle_version BIGINT NOT NULL,
  differences TEXT COLLATE "C" NOT NULL,
  recorded_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE service_cards (
  member_id TEXT COLLATE "C" NOT NULL,
  service_id TEXT COLLATE "C" NOT NULL,
  counted SMALLINT NOT NULL,
  valid_until TEXT COLLATE "C",
  PRIMARY KEY (member_id, service_id)
);
CREATE TABLE rules_bundles (
  version BIGINT PRIMARY KEY,
  bundle TEXT COLLATE "C" NOT NULL,
  saved_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE fee_charges (
  tx_id TEXT COLLATE "C" NOT NULL,
  member_id TEXT COLLATE "C" NOT NULL,
  card_uid TEXT COLLATE "C" NOT NULL,
  fee_kind TEXT COLLATE "C" NOT NULL CHECK (fee_kind IN ('issue', 'replace', 'repair', 'extend', 'annual', 'return')),
  cents BIGINT NOT NULL,
  tender TEXT COLLATE "C" NOT NULL,
  fee_year BIGINT,
  charged_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (tx_id, fee_kind)
);
CREATE UNIQUE INDEX fee_charges_one_annual_per_year ON fee_charges(card_uid, fee_year) WHERE fee_kind = 'annual';
CREATE INDEX fee_charges_by_time ON fee_charges(charged_at);
CREATE TABLE card_daily_spend (
  card_uid TEXT COLLATE "C" NOT NULL,
  day BIGINT NOT NULL,
  cents BIGINT NOT NULL,
  PRIMARY KEY (card_uid, day)
);
CREATE TABLE member_daily_deposit_bonus (
  member_id TEXT COLLATE "C" NOT NULL,
  day BIGINT NOT NULL,
  cents BIGINT NOT NULL,
  PRIMARY KEY (member_id, day)
);
CREATE TABLE member_consents (
  consent_id BIGSERIAL PRIMARY KEY,
  member_id TEXT COLLATE "C" NOT NULL,
  purpose TEXT COLLATE "C" NOT NULL,
  granted SMALLINT NOT NULL CHECK (granted IN (0, 1)),
  at TEXT COLLATE "C" NOT NULL,
  staff_id TEXT COLLATE "C" NOT NULL,
  note TEXT COLLATE "C"
);
CREATE INDEX member_consents_by_member ON member_consents(member_id, consent_id);
CREATE TRIGGER member_consents_append_only BEFORE UPDATE OR DELETE ON member_consents FOR EACH ROW EXECUTE FUNCTION refuse_change();
`;
