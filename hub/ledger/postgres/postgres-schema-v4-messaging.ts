/**
 * Migration 4 of the PostgreSQL ledger: the record of messages from the hub's flows (SQLite's schema 9,
 * ../sqlite/schema-messaging.ts says what each column keeps and why the key is unique) and the indexes the flows'
 * member segments read by (../sqlite/schema-automation.ts: birthdays by month-day, members by join time). The
 * birthday index is on the same expression the segment query names, substr(birthday, 6), or it is not used.
 */
export const POSTGRES_SCHEMA_V4_MESSAGING = `
CREATE TABLE outbound_messages (
  message_id TEXT COLLATE "C" PRIMARY KEY,
  idempotency_key TEXT COLLATE "C" NOT NULL UNIQUE,
  recipient_kind TEXT COLLATE "C" NOT NULL CHECK (recipient_kind IN ('member', 'store_managers')),
  member_id TEXT COLLATE "C",
  store_id TEXT COLLATE "C",
  phone_masked TEXT COLLATE "C",
  purpose TEXT COLLATE "C" NOT NULL CHECK (purpose IN ('service', 'marketing')),
  channel TEXT COLLATE "C" NOT NULL CHECK (channel IN ('sms', 'webhook')),
  text TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'skipped-no-consent', 'skipped-no-contact')),
  provider_id TEXT COLLATE "C",
  error_code TEXT COLLATE "C",
  retryable SMALLINT NOT NULL DEFAULT 0 CHECK (retryable IN (0, 1)),
  attempts BIGINT NOT NULL DEFAULT 0,
  created_at TEXT COLLATE "C" NOT NULL,
  sent_at TEXT COLLATE "C",
  CHECK ((recipient_kind = 'member') = (member_id IS NOT NULL)),
  CHECK ((recipient_kind = 'store_managers') = (store_id IS NOT NULL))
);
CREATE INDEX outbound_messages_by_member ON outbound_messages(member_id, message_id);
CREATE INDEX member_profiles_by_birth_day ON member_profiles((substr(birthday, 6)));
CREATE INDEX members_by_created_at ON members(created_at);
`;
