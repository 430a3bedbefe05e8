/**
 * `message.send` (flows/runtime/protocol.ts): a message from the hub's flows to a member (SMS) or to a store's
 * managers (the staff webhook), sent at most once per idempotency key, with what became of it recorded in the ledger
 * database (outbound_messages, schema 9).
 *
 * At most once, not at least once: the key is recorded ('sending') before the gateway is called and the outcome after,
 * so a hub that dies in between leaves a 'sending' record that is never sent again. A lost birthday greeting is a
 * small harm; two of them, or a marketing SMS repeated to someone who may complain to the carrier, is a worse one,
 * and no gateway here can tell whether a message it was handed went. For the same reason a failure of unknown outcome
 * (MESSAGE_OUTCOME_UNKNOWN: no answer in time) is final for its key; only a failure the gateway answered (it did not
 * take the message) lets the same key try again, as a skipped message may (consent given later, a phone added).
 *
 * Who may get what:
 * - a member, for marketing: only when their newest SMS marketing consent record grants it (kiosks and the console
 *   record it as 'marketing_sms'); the SMS ends with "回T退订" (reply T to unsubscribe), as Chinese carriers expect;
 * - a member, for service (a reminder of their own account): no consent needed;
 * - either way, a member with no phone, an erased member, or no SMS gateway configured: skipped-no-contact;
 * - a store's managers: the staff webhook, the store's name first; none configured: skipped-no-contact.
 * A gateway's failure is answered `failed` and recorded with its code, never thrown: a flow goes on with its next member.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CodedError, isCodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { maskPhone } from '../../core/privacy/mask.ts';
import type { MessageSendParams, MessageSendValue } from '../../flows/runtime/protocol.ts';
import type { SmsGateway, StaffWebhook } from './message-sender.ts';
import type { MessageClaim, MessageRecipient, MessagingStore, OutboundMessage } from './outbound-messages.ts';

/** The unsubscribe line a marketing SMS ends with: reply T to unsubscribe (unsubscribe-reply.ts reads the reply). */
export const UNSUBSCRIBE_SUFFIX = '回T退订';

// The recipient is one or the other, never both; other fields a caller adds are ignored.
const messageSendSchema = z.object({
  to: z.union([z.strictObject({ memberId: z.string().min(1).max(64) }), z.strictObject({ storeManagers: z.string().min(1).max(64) })]),
  purpose: z.enum(['service', 'marketing']),
  text: z.string().trim().min(1).max(500),
  idempotencyKey: z.string().min(1).max(128),
});

export interface MessageServiceDeps {
  store: MessagingStore;
  /** Null: no SMS gateway configured (every member message is skipped-no-contact). */
  sms: SmsGateway | null;
  /** Null: no staff webhook configured (every store-manager message is skipped-no-contact). */
  staffWebhook: StaffWebhook | null;
  /** A store's name for the webhook's prefix (the fleet's); null: no such store. */
  storeName(storeId: string): Promise<string | null>;
  logger: Logger;
  now?: () => number;
  /**
   * Told what became of each send (the hub's metrics): its answer's status, or `refused` when it threw (an invalid
   * message, an unknown recipient), and the channel its recipient takes. What it throws is logged and ignored.
   */
  onOutcome?: (status: MessageSendValue['status'] | 'refused', channel: 'sms' | 'webhook' | 'unknown') => void;
}

export interface MessageService {
  /** Validates (MESSAGE_INVALID), then sends at most once per key. Throws MEMBER_UNKNOWN / FLEET_UNKNOWN_STORE for a recipient that does not exist. */
  send(params: unknown): Promise<MessageSendValue>;
}

/** A marketing SMS's text: the unsubscribe line at its end, once. */
export function marketingSmsText(text: string): string {
  return text.endsWith(UNSUBSCRIBE_SUFFIX) ? text : `${text} ${UNSUBSCRIBE_SUFFIX}`;
}

export function createMessageService(deps: MessageServiceDeps): MessageService {
  const now = deps.now ?? Date.now;
  const log = deps.logger.child({ component: 'hub.messaging' });
  const newMessageId = createUlidFactory(now, (n) => randomBytes(n));
  const iso = () => new Date(now()).toISOString();

  const sameRequest = (recorded: OutboundMessage, recipient: MessageRecipient, purpose: MessageSendParams['purpose']) =>
    recorded.purpose === purpose && JSON.stringify(recorded.recipient) === JSON.stringify(recipient);

  /** The answer for a key already recorded that may not be tried again; null when it may. */
  function answerRecorded(recorded: OutboundMessage): MessageSendValue | null {
    if (recorded.status === 'sent' || recorded.status === 'sending') return { status: 'already-sent', messageId: recorded.messageId };
    if (recorded.status === 'failed' && !recorded.retryable) return { status: 'failed', messageId: recorded.messageId };
    return null;
  }

  /** The answer for a key another caller claimed while this one was deciding. */
  function answerOfWinner(winner: OutboundMessage): MessageSendValue {
    const status = winner.status === 'sending' || winner.status === 'sent' ? 'already-sent' : winner.status;
    return { status, messageId: winner.messageId };
  }

  async function deliver(messageId: string, attempt: () => Promise<string | null>, mlog: Logger): Promise<MessageSendValue> {
    try {
      const providerId = await attempt();
      await deps.store.finish(messageId, { status: 'sent', providerId, errorCode: null, retryable: false, at: iso() });
      mlog.info({ status: 'sent' }, 'message sent');
      return { status: 'sent', messageId };
    } catch (error) {
      const code = isCodedError(error) ? error.code : 'MESSAGE_OUTCOME_UNKNOWN';
      // Only a refusal the gateway answered is safe to try again; anything unexpected may have sent.
      const retryable = isCodedError(error) && code !== 'MESSAGE_OUTCOME_UNKNOWN';
      await deps.store.finish(messageId, { status: 'failed', providerId: null, errorCode: code, retryable, at: iso() });
      mlog.warn({ code, retryable, ...(isCodedError(error) ? {} : { err: error }) }, 'message not sent');
      return { status: 'failed', messageId };
    }
  }

  const service: MessageService = {
    async send(input) {
      const params = parseRequest(messageSendSchema, input, 'MESSAGE_INVALID');
      const recipient: MessageRecipient = 'memberId' in params.to ? { kind: 'member', memberId: params.to.memberId } : { kind: 'store_managers', storeId: params.to.storeManagers };
      const recorded = await deps.store.byKey(params.idempotencyKey);
      if (recorded && !sameRequest(recorded, recipient, params.purpose)) {
        throw new CodedError('IDEMPOTENCY_KEY_REUSED', 'this idempotency key was used for a message to another recipient or of another purpose');
      }
      if (recorded) {
        const answer = answerRecorded(recorded);
        if (answer) return answer;
      }
      const over = recorded ? { messageId: recorded.messageId, attempts: recorded.attempts } : null;
      const messageId = recorded?.messageId ?? newMessageId();
      const at = iso();
      const base = { messageId, idempotencyKey: params.idempotencyKey, recipient, purpose: params.purpose, at };
      const mlog = log.child({ messageId, purpose: params.purpose, recipient: recipient.kind });

      /** Claims the key; when another caller claimed it first (two runs of a flow at once), answers as its record says. */
      const claim = async (c: MessageClaim): Promise<MessageSendValue | null> => {
        if (await deps.store.claim(c, over)) return null;
        const winner = await deps.store.byKey(params.idempotencyKey);
        return winner ? answerOfWinner(winner) : { status: 'already-sent', messageId };
      };
      const skip = async (c: Omit<MessageClaim, 'status'>, status: 'skipped-no-consent' | 'skipped-no-contact'): Promise<MessageSendValue> => {
        const lost = await claim({ ...c, status });
        if (lost) return lost;
        mlog.info({ status }, 'message skipped');
        return { status, messageId };
      };

      if (recipient.kind === 'store_managers') {
        const name = await deps.storeName(recipient.storeId);
        if (name === null) throw new CodedError('FLEET_UNKNOWN_STORE', `no store ${recipient.storeId}`);
        const claimed = { ...base, phoneMasked: null, channel: 'webhook' as const, text: params.text };
        const webhook = deps.staffWebhook;
        if (!webhook) return skip(claimed, 'skipped-no-contact');
        const lost = await claim({ ...claimed, status: 'sending' });
        if (lost) return lost;
        return deliver(messageId, async () => {
          await webhook.post(`【${name}】${params.text}`);
          return null;
        }, mlog);
      }

      const member = await deps.store.smsContact(recipient.memberId);
      if (!member) throw new CodedError('MEMBER_UNKNOWN');
      const text = params.purpose === 'marketing' ? marketingSmsText(params.text) : params.text;
      const claimed = { ...base, phoneMasked: member.phone === null ? null : maskPhone(member.phone), channel: 'sms' as const, text };
      if (params.purpose === 'marketing' && !member.marketingConsent) return skip(claimed, 'skipped-no-consent');
      const sms = deps.sms;
      const phone = member.phone;
      if (member.erased || phone === null || !sms) return skip({ ...claimed, phoneMasked: member.erased ? null : claimed.phoneMasked }, 'skipped-no-contact');
      const lost = await claim({ ...claimed, status: 'sending' });
      if (lost) return lost;
      return deliver(messageId, async () => (await sms.send(phone, text)).providerId || null, mlog);
    },
  };
  const onOutcome = deps.onOutcome;
  return onOutcome ? tellingOutcomes(service, onOutcome, log) : service;
}

/** The service, with each send's outcome told to `onOutcome` (which can neither hold up nor break a send). */
function tellingOutcomes(service: MessageService, onOutcome: NonNullable<MessageServiceDeps['onOutcome']>, log: Logger): MessageService {
  const tell = (status: MessageSendValue['status'] | 'refused', input: unknown) => {
    const to = (input as { to?: unknown } | null)?.to;
    const channel = typeof to !== 'object' || to === null ? 'unknown' : 'memberId' in to ? 'sms' : 'storeManagers' in to ? 'webhook' : 'unknown';
    try {
      onOutcome(status, channel);
    } catch (error) {
      log.error({ err: error }, 'the message outcome listener failed; messaging goes on');
    }
  };
  return {
    async send(input) {
      try {
        const answer = await service.send(input);
        tell(answer.status, input);
        return answer;
      } catch (error) {
        tell('refused', input);
        throw error;
      }
    },
  };
}
