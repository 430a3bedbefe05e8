/**
 * Schema 7 (issue 12, the HQ console's member page): what a member's profile holds beyond name and phone (gender,
 * birthday, address, the custom fields HQ defines), the contact log (回访记录), consent records and erasures under
 * China's personal-information law (PIPL). New tables only: balances, the journal and the transactions are
 * written exactly as before; an erasure replaces personal fields, it never removes a journal entry.
 */
export const MEMBER_PROFILES_SQL = `
CREATE TABLE IF NOT EXISTS member_profiles (
  member_id TEXT PRIMARY KEY,
  gender TEXT CHECK (gender IN ('female', 'male', 'other')),
  -- YYYY-MM-DD, or NULL: not given.
  birthday TEXT,
  address TEXT,
  -- A JSON object of HQ-defined field key to text value (keys from member_field_defs).
  custom_fields TEXT NOT NULL DEFAULT '{}',
  updated_at TEXT NOT NULL,
  -- Set when the member's personal fields were erased on request: nothing personal may be written again.
  erased_at TEXT
) WITHOUT ROWID;
-- The custom fields HQ defines for every member (key, label, order on the page).
CREATE TABLE IF NOT EXISTS member_field_defs (
  field_key TEXT PRIMARY KEY,
  label TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS member_contacts (
  contact_id INTEGER PRIMARY KEY,
  member_id TEXT NOT NULL,
  -- The day of the contact (YYYY-MM-DD), as the staff member says.
  contacted_on TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('phone', 'sms', 'wechat', 'visit', 'email', 'other')),
  note TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS member_contacts_by_member ON member_contacts(member_id, contacted_on);
-- Append-only: a withdrawal is a new row (granted = 0), so the history of a consent is kept.
CREATE TABLE IF NOT EXISTS member_consents (
  consent_id INTEGER PRIMARY KEY,
  member_id TEXT NOT NULL,
  purpose TEXT NOT NULL,
  granted INTEGER NOT NULL CHECK (granted IN (0, 1)),
  at TEXT NOT NULL,
  staff_id TEXT NOT NULL,
  note TEXT
);
CREATE INDEX IF NOT EXISTS member_consents_by_member ON member_consents(member_id, consent_id);
CREATE TRIGGER IF NOT EXISTS member_consents_no_update BEFORE UPDATE ON member_consents BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
CREATE TRIGGER IF NOT EXISTS member_consents_no_delete BEFORE DELETE ON member_consents BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
`;
