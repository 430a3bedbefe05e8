/**
 * What the message service (message-service.ts) keeps and reads in the ledger database: the record of each message
 * it was asked to send (schema 9, hub/ledger/sqlite/schema-messaging.ts), and what it must know of a member to send
 * one — the phone, whether their data was erased, whether their newest marketing consent grants it — and the
 * unsubscribe an SMS reply asks for. The SQLite back end is sqlite-messaging-store.ts; the ledger exposes it as
 * `ledger.messaging`.
 */
export type MessagePurpose = 'service' | 'marketing';
export type MessageChannel = 'sms' | 'webhook';
export type MessageStatus = 'sending' | 'sent' | 'failed' | 'skipped-no-consent' | 'skipped-no-contact';

export type MessageRecipient = { kind: 'member'; memberId: string } | { kind: 'store_managers'; storeId: string };

export interface OutboundMessage {
  messageId: string;
  idempotencyKey: string;
  recipient: MessageRecipient;
  /** The member's phone as it may be shown (last four digits), or null. Never the number itself. */
  phoneMasked: string | null;
  purpose: MessagePurpose;
  channel: MessageChannel;
  text: string;
  status: MessageStatus;
  providerId: string | null;
  errorCode: string | null;
  /** A failure the gateway answered (the message certainly did not go): the same key may try again. */
  retryable: boolean;
  /** How many times it was handed (or about to be handed) to a gateway: never more than once per retryable failure. */
  attempts: number;
  createdAt: string;
  sentAt: string | null;
}

/** What a message claims its key with: handed to a gateway next ('sending'), or recorded as skipped at once. */
export interface MessageClaim {
  messageId: string;
  idempotencyKey: string;
  recipient: MessageRecipient;
  phoneMasked: string | null;
  purpose: MessagePurpose;
  channel: MessageChannel;
  text: string;
  status: 'sending' | 'skipped-no-consent' | 'skipped-no-contact';
  at: string;
}

export interface MessageOutcome {
  status: 'sent' | 'failed';
  providerId: string | null;
  errorCode: string | null;
  retryable: boolean;
  at: string;
}

export interface OutboundMessageStore {
  byKey(idempotencyKey: string): Promise<OutboundMessage | null>;
  /**
   * Records the claim under its key. `over` null: only when the key was never used (false when it was). `over` a
   * recorded message: only when that message is still as it was read (the same attempts, still retryable or
   * skipped), keeping its id — so of two callers racing for one key, exactly one gets true.
   */
  claim(claim: MessageClaim, over: Pick<OutboundMessage, 'messageId' | 'attempts'> | null): Promise<boolean>;
  /** What became of a message that was 'sending'. */
  finish(messageId: string, outcome: MessageOutcome): Promise<void>;
  /** Newest first; `beforeMessageId` pages on (message ids are ULIDs, so they sort by time). */
  list(query: { memberId?: string; limit: number; beforeMessageId?: string }): Promise<OutboundMessage[]>;
}

/** What sending to a member needs to know of them; null when there is no such member. */
export interface MemberSmsContact {
  memberId: string;
  /** Null when the member has none (an erased member's is emptied). */
  phone: string | null;
  erased: boolean;
  /** Whether the member's newest SMS marketing consent record grants it (no record: not granted). */
  marketingConsent: boolean;
}

export interface MemberSmsContacts {
  smsContact(memberId: string): Promise<MemberSmsContact | null>;
  /** The members whose phone is this number (normally one; the ledger does not forbid more). */
  membersWithPhone(phone: string): Promise<string[]>;
  /** Appends a withdrawal of SMS marketing consent for each member (the records are append-only). */
  withdrawMarketingConsent(memberIds: readonly string[], withdrawal: { at: string; staffId: string; note: string }): Promise<number>;
}

export type MessagingStore = OutboundMessageStore & MemberSmsContacts;
