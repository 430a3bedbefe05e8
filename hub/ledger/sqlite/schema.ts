/**
 * The SQLite ledger schema. Balances are stored for fast reads and are always derivable from `journal`:
 * the audit sums the journal and compares. Transactions keep the payload as received and its hash, so a
 * replay is answered from the stored result and a different payload under the same id is caught.
 * Count-card punches are ordinary accounts named `punches:<serviceId>`; `service_cards` holds only what is
 * not a quantity: whether the member's card for a service counts visits, and until when it is valid.
 * A device's order lives in `device_sequences` (one row per device and epoch); `sequence_slots` holds the
 * slots taken by something other than a first application (a resend of an applied transaction in a new
 * epoch, a refused id conflict), so every slot a device used is answered the same way for ever.
 * An older database is brought to this version by `migrate-schema.ts` on open. Schema 5's redemption codes and
 * points draws are in schema-codes-draws.ts, schema 6's fee charges and card spending in schema-account-features.ts, schema 7's member profiles, contact
 * log and consents in schema-member-profiles.ts, schema 8's report indexes and console tables in
 * schema-console-features.ts, schema 9's outbound messages in schema-messaging.ts; the flows' segment indexes (no
 * version of their own) in schema-automation.ts.
 */
import { CODES_AND_DRAWS_SQL } from './schema-codes-draws.ts';
import { ACCOUNT_FEATURES_SQL } from './schema-account-features.ts';
import { MEMBER_PROFILES_SQL } from './schema-member-profiles.ts';
import { CONSOLE_FEATURES_SQL } from './schema-console-features.ts';
import { MESSAGING_SQL } from './schema-messaging.ts';
import { AUTOMATION_INDEXES_SQL } from './schema-automation.ts';

export const SCHEMA_VERSION = 10;

/**
 * The tables through schema 7. Schema 8's indexes and trigger name columns that older migrations add (members'
 * home store), so migration 3, which creates its new tables from this, must not run them on a ledger it has not
 * brought that far: they come with migration 8 and with SCHEMA_SQL.
 */
export const TABLES_THROUGH_SCHEMA_7_SQL = `
CREATE TABLE IF NOT EXISTS schema_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS members (
  member_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  phone TEXT NOT NULL,
  tier TEXT NOT NULL,
  referrer_id TEXT,
  credit_limit_cents INTEGER NOT NULL DEFAULT 0,
  cumulative_spend_cents INTEGER NOT NULL DEFAULT 0,
  cumulative_points_earned INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  -- The store that registered the member or issued their card: its staff see the member (core/identity/member-scope.ts).
  -- NULL for members from before schema 4: only chain-wide staff ('*') see them until they shop in a store.
  -- Last, where schema 4's ALTER TABLE put it, so a migrated table and a new one have the same columns.
  home_store_id TEXT,
  -- Purchases made (tiers.basis visits), schema 6.
  visits INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_phone ON members(phone);
CREATE TABLE IF NOT EXISTS accounts (
  member_id TEXT NOT NULL,
  account TEXT NOT NULL,
  balance INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (member_id, account)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cards (
  uid TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(member_id),
  status TEXT NOT NULL,
  valid_from TEXT,
  valid_until TEXT,
  replaced_by TEXT,
  issued_at TEXT NOT NULL,
  -- Schema 6: the HQ card type (rules bundle cardTypes; NULL: the default type) and an attached card's holder.
  card_type TEXT,
  holder_name TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS cards_by_member ON cards(member_id);
CREATE TABLE IF NOT EXISTS point_lots (
  lot_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  remaining INTEGER NOT NULL,
  earned_at TEXT NOT NULL,
  expires_at TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS lots_by_member ON point_lots(member_id, expires_at);
CREATE TABLE IF NOT EXISTS transactions (
  tx_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  epoch TEXT NOT NULL DEFAULT '',
  kind TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('applied', 'rejected')),
  code TEXT,
  member_id TEXT,
  bundle_version INTEGER,
  created_at TEXT,
  applied_at TEXT NOT NULL,
  result TEXT NOT NULL,
  UNIQUE (device_id, epoch, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS transactions_by_member ON transactions(member_id, created_at);
CREATE TABLE IF NOT EXISTS journal (
  entry_id INTEGER PRIMARY KEY,
  tx_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  account TEXT NOT NULL,
  amount INTEGER NOT NULL,
  lot_id TEXT,
  bundle_version INTEGER
);
CREATE INDEX IF NOT EXISTS journal_by_member ON journal(member_id, account);
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY,
  -- hub clock minus kiosk clock, measured when the kiosk last connected.
  clock_offset_ms INTEGER,
  clock_measured_at TEXT,
  -- 'unattended' (never takes cash) unless enrolled or set as an attended counter device.
  mode TEXT NOT NULL DEFAULT 'unattended' CHECK (mode IN ('unattended', 'attended')),
  -- The store it was enrolled in (the fleet's): a transaction naming another store is refused. NULL: not enrolled.
  store_id TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS device_sequences (
  device_id TEXT NOT NULL,
  epoch TEXT NOT NULL,
  last_seq INTEGER NOT NULL,
  -- 1 once another sender was found using this epoch's seqs: nothing new is applied in it after that.
  closed INTEGER NOT NULL DEFAULT 0,
  -- The effective time of the last transaction recorded in this epoch; the latest over the device's epochs
  -- is the time before which a new one is impossible. Kept here, in the row every transaction writes anyway.
  last_effective_at TEXT,
  PRIMARY KEY (device_id, epoch)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sequence_slots (
  device_id TEXT NOT NULL,
  epoch TEXT NOT NULL,
  seq INTEGER NOT NULL,
  tx_id TEXT NOT NULL,
  -- duplicate: an applied transaction resent from a new epoch; id_conflict: a known id with other content (refused).
  kind TEXT NOT NULL CHECK (kind IN ('duplicate', 'id_conflict')),
  content_hash TEXT NOT NULL,
  payload TEXT NOT NULL,
  result TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (device_id, epoch, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS device_alerts (
  alert_id INTEGER PRIMARY KEY,
  device_id TEXT NOT NULL,
  code TEXT NOT NULL,
  detail TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS device_alerts_by_device ON device_alerts(device_id, alert_id);
CREATE TABLE IF NOT EXISTS purchases (
  tx_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  record TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS refunded_lines (
  purchase_tx_id TEXT NOT NULL,
  line_no INTEGER NOT NULL,
  refund_tx_id TEXT NOT NULL,
  PRIMARY KEY (purchase_tx_id, line_no)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS staff (
  staff_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  store_ids TEXT NOT NULL,
  -- HMAC-SHA256 of the staff card's UID under the hub's staff_card_key (schema_meta): a staff member is found
  -- by their card, and nothing here gives the card number back.
  card_hash TEXT UNIQUE,
  -- scrypt hashes (hub/identity/secret-hash.ts); NULL: no PIN / no password set, that way of signing in is closed.
  pin_hash TEXT,
  login TEXT UNIQUE,
  password_hash TEXT,
  -- Wrong PINs or passwords in a row, and until when the account is locked after too many (core/identity/lockout.ts).
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  active INTEGER NOT NULL DEFAULT 1,
  -- Schema 6: the staff level the commission schedule pays by (员工级别); NULL: none.
  level TEXT
) WITHOUT ROWID;
-- Staff sessions: a kiosk's for card + PIN (device_id: the kiosk, no token: the kiosk names the session id in
-- its transactions), a hub login's and an API token's (device_id 'hq'; the bearer token's SHA-256 only).
CREATE TABLE IF NOT EXISTS staff_sessions (
  session_id TEXT PRIMARY KEY,
  staff_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('kiosk', 'login', 'api_token')),
  token_hash TEXT UNIQUE,
  label TEXT,
  opened_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  ended_at TEXT
) WITHOUT ROWID;
-- Members' PINs (scrypt) and their own lockout, and the short-lived proofs the hub gives a kiosk for a PIN
-- typed there (named by the transactions that need one).
CREATE TABLE IF NOT EXISTS member_pins (
  member_id TEXT PRIMARY KEY,
  pin_hash TEXT NOT NULL,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  set_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS member_pin_proofs (
  proof_id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  opened_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
) WITHOUT ROWID;
-- Every staff, technician and HQ action from any surface: who, when, what, before and after. Append-only:
-- the triggers refuse any change to a row once written.
CREATE TABLE IF NOT EXISTS audit_log (
  audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  surface TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  outcome TEXT NOT NULL,
  before_json TEXT,
  after_json TEXT,
  detail TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE IF NOT EXISTS gifts (
  sku TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  points_price INTEGER NOT NULL,
  stock INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS member_daily_points (
  member_id TEXT NOT NULL,
  day INTEGER NOT NULL,
  points INTEGER NOT NULL,
  PRIMARY KEY (member_id, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS member_period_figures (
  member_id TEXT NOT NULL,
  period_key TEXT NOT NULL,
  points_earned INTEGER NOT NULL,
  spend_cents INTEGER NOT NULL,
  PRIMARY KEY (member_id, period_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tier_reviews (
  period_key TEXT PRIMARY KEY,
  reviewed_at TEXT NOT NULL,
  changed INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rule_disagreements (
  tx_id TEXT PRIMARY KEY,
  device_id TEXT NOT NULL,
  bundle_version INTEGER NOT NULL,
  differences TEXT NOT NULL,
  recorded_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS service_cards (
  member_id TEXT NOT NULL,
  service_id TEXT NOT NULL,
  counted INTEGER NOT NULL,
  valid_until TEXT,
  PRIMARY KEY (member_id, service_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rules_bundles (
  version INTEGER PRIMARY KEY,
  bundle TEXT NOT NULL,
  saved_at TEXT NOT NULL
);
${CODES_AND_DRAWS_SQL}
${ACCOUNT_FEATURES_SQL}
${MEMBER_PROFILES_SQL}`;

export const SCHEMA_SQL = `${TABLES_THROUGH_SCHEMA_7_SQL}
${CONSOLE_FEATURES_SQL}
${MESSAGING_SQL}
${AUTOMATION_INDEXES_SQL}`;
