/**
 * An outbound_messages row as both back ends store it (hub/ledger/sqlite/schema-messaging.ts, the PostgreSQL
 * migration 4), and the message it is: one mapping, whichever database read it.
 */
import type { MessageStatus, OutboundMessage } from './outbound-messages.ts';

export interface MessageRow {
  message_id: string;
  idempotency_key: string;
  recipient_kind: 'member' | 'store_managers';
  member_id: string | null;
  store_id: string | null;
  phone_masked: string | null;
  purpose: OutboundMessage['purpose'];
  channel: OutboundMessage['channel'];
  text: string;
  status: MessageStatus;
  provider_id: string | null;
  error_code: string | null;
  retryable: number;
  attempts: number;
  created_at: string;
  sent_at: string | null;
}

export const toMessage = (r: MessageRow): OutboundMessage => ({
  messageId: r.message_id,
  idempotencyKey: r.idempotency_key,
  recipient: r.recipient_kind === 'member' ? { kind: 'member', memberId: r.member_id ?? '' } : { kind: 'store_managers', storeId: r.store_id ?? '' },
  phoneMasked: r.phone_masked,
  purpose: r.purpose,
  channel: r.channel,
  text: r.text,
  status: r.status,
  providerId: r.provider_id,
  errorCode: r.error_code,
  retryable: r.retryable === 1,
  attempts: r.attempts,
  createdAt: r.created_at,
  sentAt: r.sent_at,
});
