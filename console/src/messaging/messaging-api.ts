/**
 * The messages the hub's flows sent (hub/http/messaging-routes.ts, GET /api/messaging/messages): newest first, a
 * page at a time (`before`: the id the previous page's `next` named), phones masked by the hub. HQ admins read them
 * all, region managers those of their members and stores; the hub refuses everyone else.
 */
import { query, request } from '../api.ts';
import type { MessageChannel, MessagePurpose, MessageStatus, OutboundMessage } from '../../../hub/messaging/outbound-messages.ts';

export type { MessageChannel, MessagePurpose, MessageStatus, OutboundMessage };

export interface MessagePage {
  messages: OutboundMessage[];
  /** The id to ask `before` for the next page; null: there is none. */
  next: string | null;
}

export interface MessageQuery {
  memberId?: string | undefined;
  before?: string | undefined;
  limit: number;
}

export const messagingApi = {
  messages: (q: MessageQuery) => request<MessagePage>('GET', `/api/messaging/messages${query({ memberId: q.memberId, before: q.before, limit: q.limit })}`),
};
