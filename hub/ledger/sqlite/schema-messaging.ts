/**
 * Schema 9 (issue 14, messages from the hub's flows): every message the hub was asked to send, to a member by SMS or
 * to a store's managers through the staff webhook, with what became of it (hub/messaging/message-service.ts). A new
 * table only: nothing existing changes.
 *
 * The idempotency key is UNIQUE: it is recorded before the gateway is called, so the same key is handed to a gateway
 * at most once whatever restarts or re-runs happen. The member's phone is never stored here, not even for the record:
 * it is read from `members` when the message goes, and the listing shows `phone_masked` (its last four digits).
 */
export const MESSAGING_SQL = `
CREATE TABLE IF NOT EXISTS outbound_messages (
  message_id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  recipient_kind TEXT NOT NULL CHECK (recipient_kind IN ('member', 'store_managers')),
  member_id TEXT,
  store_id TEXT,
  -- The phone as a listing may show it (********8001), or NULL: the member had none, or the message did not go by SMS.
  phone_masked TEXT,
  purpose TEXT NOT NULL CHECK (purpose IN ('service', 'marketing')),
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'webhook')),
  text TEXT NOT NULL,
  -- 'sending': handed (or about to be handed) to the gateway; a row left so by a crash is never sent again.
  status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'skipped-no-consent', 'skipped-no-contact')),
  provider_id TEXT,
  error_code TEXT,
  -- 1: the gateway answered that it did not take the message, so the same key may try again; 0 for every other state.
  retryable INTEGER NOT NULL DEFAULT 0 CHECK (retryable IN (0, 1)),
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  CHECK ((recipient_kind = 'member') = (member_id IS NOT NULL)),
  CHECK ((recipient_kind = 'store_managers') = (store_id IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS outbound_messages_by_member ON outbound_messages(member_id, message_id);
`;
