/**
 * The message records and the member reads of ../../messaging/outbound-messages.ts on the PostgreSQL ledger
 * (migration 4 for the records; members, member_profiles and member_consents for the rest): the behaviour of
 * ../../messaging/sqlite-messaging-store.ts. A claim is decided by the database alone, as there: a first claim is an
 * insert that does nothing when the key is taken, a claim over a recorded message is a compare-and-set on its
 * attempts — PostgreSQL re-checks an UPDATE's condition on the row another worker just changed, so of two workers
 * racing for one key exactly one is told true.
 */
import { toMessage, type MessageRow } from '../../messaging/outbound-message-row.ts';
import type pg from 'pg';
import type { MemberSmsContact, MessagingStore, OutboundMessage } from '../../messaging/outbound-messages.ts';
import { SMS_MARKETING_PURPOSE } from '../../messaging/sqlite-messaging-store.ts';
import type { PostgresTransaction } from './postgres-member-profiles.ts';


/** Above every ULID: the first page starts below it. */
const TOP = '~';

export class PostgresMessaging implements MessagingStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly transaction: PostgresTransaction,
  ) {}

  async byKey(key: string): Promise<OutboundMessage | null> {
    const row = (await this.pool.query<MessageRow>('SELECT * FROM outbound_messages WHERE idempotency_key = $1', [key])).rows[0];
    return row ? toMessage(row) : null;
  }

  async claim(...[c, over]: Parameters<MessagingStore['claim']>): Promise<boolean> {
    const attempt = c.status === 'sending' ? 1 : 0;
    if (over === null) {
      const [memberId, storeId] = c.recipient.kind === 'member' ? [c.recipient.memberId, null] : [null, c.recipient.storeId];
      const inserted = await this.pool.query(
        `INSERT INTO outbound_messages (message_id, idempotency_key, recipient_kind, member_id, store_id, phone_masked, purpose, channel, text, status, attempts, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (idempotency_key) DO NOTHING`,
        [c.messageId, c.idempotencyKey, c.recipient.kind, memberId, storeId, c.phoneMasked, c.purpose, c.channel, c.text, c.status, attempt, c.at],
      );
      return inserted.rowCount === 1;
    }
    // created_at stays the first claim's: the record is of one message, however many times it was tried.
    const updated = await this.pool.query(
      `UPDATE outbound_messages SET phone_masked = $1, text = $2, status = $3, attempts = attempts + $4, provider_id = NULL, error_code = NULL, retryable = 0, sent_at = NULL
       WHERE message_id = $5 AND attempts = $6 AND (retryable = 1 OR status IN ('skipped-no-consent', 'skipped-no-contact'))`,
      [c.phoneMasked, c.text, c.status, attempt, over.messageId, over.attempts],
    );
    return updated.rowCount === 1;
  }

  async finish(...[messageId, o]: Parameters<MessagingStore['finish']>): Promise<void> {
    await this.pool.query("UPDATE outbound_messages SET status = $1, provider_id = $2, error_code = $3, retryable = $4, sent_at = $5 WHERE message_id = $6 AND status = 'sending'", [
      o.status, o.providerId, o.errorCode, o.retryable ? 1 : 0, o.status === 'sent' ? o.at : null, messageId,
    ]);
  }

  async list({ memberId, limit, beforeMessageId }: Parameters<MessagingStore['list']>[0]): Promise<OutboundMessage[]> {
    const before = beforeMessageId ?? TOP;
    const rows =
      memberId === undefined
        ? await this.pool.query<MessageRow>('SELECT * FROM outbound_messages WHERE message_id < $1 ORDER BY message_id DESC LIMIT $2', [before, limit])
        : await this.pool.query<MessageRow>('SELECT * FROM outbound_messages WHERE member_id = $1 AND message_id < $2 ORDER BY message_id DESC LIMIT $3', [memberId, before, limit]);
    return rows.rows.map(toMessage);
  }

  async smsContact(memberId: string): Promise<MemberSmsContact | null> {
    const row = (
      await this.pool.query<{ member_id: string; phone: string; erased_at: string | null; granted: number | null }>(
        `SELECT m.member_id, m.phone, p.erased_at,
           (SELECT c.granted FROM member_consents c WHERE c.member_id = m.member_id AND c.purpose = $1 ORDER BY c.consent_id DESC LIMIT 1) AS granted
         FROM members m LEFT JOIN member_profiles p ON p.member_id = m.member_id WHERE m.member_id = $2`,
        [SMS_MARKETING_PURPOSE, memberId],
      )
    ).rows[0];
    if (!row) return null;
    return { memberId: row.member_id, phone: row.phone === '' ? null : row.phone, erased: row.erased_at !== null, marketingConsent: row.granted === 1 };
  }

  async membersWithPhone(phone: string): Promise<string[]> {
    if (phone === '') return [];
    return (await this.pool.query<{ member_id: string }>('SELECT member_id FROM members WHERE phone = $1 ORDER BY member_id', [phone])).rows.map((r) => r.member_id);
  }

  async withdrawMarketingConsent(...[memberIds, { at, staffId, note }]: Parameters<MessagingStore['withdrawMarketingConsent']>): Promise<number> {
    // One statement: every withdrawal or none, in the order given (consent ids follow it).
    await this.transaction(async ({ client }) => {
      await client.query(
        `INSERT INTO member_consents (member_id, purpose, granted, at, staff_id, note)
         SELECT m, $2, 0, $3, $4, $5 FROM unnest($1::text[]) WITH ORDINALITY AS u(m, n) ORDER BY n`,
        [[...memberIds], SMS_MARKETING_PURPOSE, at, staffId, note],
      );
    });
    return memberIds.length;
  }
}
