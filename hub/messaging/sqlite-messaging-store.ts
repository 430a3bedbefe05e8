/**
 * The message records and the member reads of outbound-messages.ts on the ledger's SQLite database (schema 9 for
 * the records; members, member_profiles and member_consents for the rest). better-sqlite3 is synchronous, so each
 * method's check and write happen with nothing else running in between: a claim is decided by the database alone.
 */
import { toMessage, type MessageRow } from './outbound-message-row.ts';
import type { Database } from 'better-sqlite3';
import { CONSENT_PURPOSE_RECORDED } from '../ledger/sqlite/registration-consents.ts';
import type { MemberSmsContact, MessagingStore } from './outbound-messages.ts';
import { writeTransaction } from '../ledger/sqlite/write-transaction.ts';

/** The consent purpose an SMS to a member's phone is marketing under: the one kiosks and the console record. */
export const SMS_MARKETING_PURPOSE = CONSENT_PURPOSE_RECORDED.marketing;


export function createSqliteMessagingStore(db: Database): MessagingStore {
  const byKey = db.prepare<[string], MessageRow>('SELECT * FROM outbound_messages WHERE idempotency_key = ?');
  const insert = db.prepare<[string, string, string, string | null, string | null, string | null, string, string, string, string, number, string]>(
    `INSERT INTO outbound_messages (message_id, idempotency_key, recipient_kind, member_id, store_id, phone_masked, purpose, channel, text, status, attempts, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
  );
  // Compare-and-set on attempts: a record another caller claimed since it was read is left alone.
  // created_at stays the first claim's: the record is of one message, however many times it was tried.
  const reclaim = db.prepare<[string | null, string, string, number, string, number]>(
    `UPDATE outbound_messages SET phone_masked = ?, text = ?, status = ?, attempts = attempts + ?, provider_id = NULL, error_code = NULL, retryable = 0, sent_at = NULL
     WHERE message_id = ? AND attempts = ? AND (retryable = 1 OR status IN ('skipped-no-consent', 'skipped-no-contact'))`,
  );
  const finish = db.prepare<[string, string | null, string | null, number, string | null, string]>(
    "UPDATE outbound_messages SET status = ?, provider_id = ?, error_code = ?, retryable = ?, sent_at = ? WHERE message_id = ? AND status = 'sending'",
  );
  const newest = db.prepare<[string, number], MessageRow>('SELECT * FROM outbound_messages WHERE message_id < ? ORDER BY message_id DESC LIMIT ?');
  const newestOfMember = db.prepare<[string, string, number], MessageRow>(
    'SELECT * FROM outbound_messages WHERE member_id = ? AND message_id < ? ORDER BY message_id DESC LIMIT ?',
  );
  const contact = db.prepare<[string, string], { member_id: string; phone: string; erased_at: string | null; granted: number | null }>(
    `SELECT m.member_id, m.phone, p.erased_at,
       (SELECT c.granted FROM member_consents c WHERE c.member_id = m.member_id AND c.purpose = ? ORDER BY c.consent_id DESC LIMIT 1) AS granted
     FROM members m LEFT JOIN member_profiles p ON p.member_id = m.member_id WHERE m.member_id = ?`,
  );
  const withPhone = db.prepare<[string], { member_id: string }>('SELECT member_id FROM members WHERE phone = ? ORDER BY member_id');
  const appendConsent = db.prepare<[string, string, string, string, string]>(
    'INSERT INTO member_consents (member_id, purpose, granted, at, staff_id, note) VALUES (?, ?, 0, ?, ?, ?)',
  );
  const withdrawAll = writeTransaction(db, (memberIds: readonly string[], at: string, staffId: string, note: string) => {
    for (const memberId of memberIds) appendConsent.run(memberId, SMS_MARKETING_PURPOSE, at, staffId, note);
    return memberIds.length;
  });
  /** Above every ULID: the first page starts below it. */
  const TOP = '~';

  return {
    async byKey(key) {
      const row = byKey.get(key);
      return row ? toMessage(row) : null;
    },
    async claim(c, over) {
      const attempt = c.status === 'sending' ? 1 : 0;
      if (over === null) {
        const recipient = c.recipient.kind === 'member' ? [c.recipient.memberId, null] as const : [null, c.recipient.storeId] as const;
        return insert.run(c.messageId, c.idempotencyKey, c.recipient.kind, recipient[0], recipient[1], c.phoneMasked, c.purpose, c.channel, c.text, c.status, attempt, c.at).changes === 1;
      }
      return reclaim.run(c.phoneMasked, c.text, c.status, attempt, over.messageId, over.attempts).changes === 1;
    },
    async finish(messageId, o) {
      finish.run(o.status, o.providerId, o.errorCode, o.retryable ? 1 : 0, o.status === 'sent' ? o.at : null, messageId);
    },
    async list({ memberId, limit, beforeMessageId }) {
      const before = beforeMessageId ?? TOP;
      const rows = memberId === undefined ? newest.all(before, limit) : newestOfMember.all(memberId, before, limit);
      return rows.map(toMessage);
    },
    async smsContact(memberId): Promise<MemberSmsContact | null> {
      const row = contact.get(SMS_MARKETING_PURPOSE, memberId);
      if (!row) return null;
      return { memberId: row.member_id, phone: row.phone === '' ? null : row.phone, erased: row.erased_at !== null, marketingConsent: row.granted === 1 };
    },
    async membersWithPhone(phone) {
      if (phone === '') return [];
      return withPhone.all(phone).map((r) => r.member_id);
    },
    async withdrawMarketingConsent(memberIds, { at, staffId, note }) {
      return withdrawAll(memberIds, at, staffId, note);
    },
  };
}
