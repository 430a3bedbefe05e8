/**
 * The hub's messages over the API (issue 14; hub/messaging/):
 *
 * | route | who |
 * |---|---|
 * | `POST /api/messaging/sms-inbound` `{phone, text}` — a member's SMS reply, forwarded by the SMS relay; T / TD / N / 退订 withdraws SMS marketing consent for every member with that phone → `{unsubscribed: n}` | the relay, with `Authorization: Bearer <messaging.inboundToken>`; no token configured: the route does not exist (404) |
 * | `GET /api/messaging/messages?memberId=&limit=&before=` — the messages recorded, newest first, phones masked | HQ admin, region manager (their members and stores) |
 *
 * The inbound route is not a staff route: the relay is a machine with its own token, compared in constant time. A
 * reply that is not an unsubscribe changes nothing. Each withdrawal is a new consent record (staff_id 'sms-reply',
 * append-only as every consent) and an audit log entry, as a withdrawal made in the console is.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { memberInScope, memberScopeOf } from '../../core/identity/member-scope.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import { maskPhone } from '../../core/privacy/mask.ts';
import type { IdentityService, SignedIn } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { MessagingStore, OutboundMessage } from '../messaging/outbound-messages.ts';
import { SMS_MARKETING_PURPOSE } from '../messaging/sqlite-messaging-store.ts';
import { isUnsubscribeReply, replyPhone } from '../messaging/unsubscribe-reply.ts';
import { assertMemberInScope, type MemberAccessStore } from './member-access.ts';
import { requireStaff } from './require-staff.ts';

export interface MessagingRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'appendAudit'>;
  store: MemberAccessStore;
  messages: Pick<MessagingStore, 'list' | 'membersWithPhone' | 'withdrawMarketingConsent'>;
  /** The relay's bearer token for inbound replies (hub config messaging.inboundToken); null: no inbound route. */
  inboundToken: string | null;
  logger?: Logger;
  now?: () => number;
}

/** Who reads the message records: HQ and region managers (store managers see their members' consents on the member page). */
const MESSAGE_READERS: readonly StaffRole[] = ['hq_admin', 'region_manager'];
/** Who a withdrawal by SMS reply is recorded as (member_consents.staff_id, the audit log's actor). */
export const SMS_REPLY_ACTOR = 'sms-reply';

const inboundSchema = z.object({ phone: z.string().trim().min(3).max(32), text: z.string().max(1000) });
const listSchema = z.object({
  memberId: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().min(1).max(64).optional(),
});

/** How many rows a scoped listing reads at most to fill one page (a region manager's are filtered after reading). */
const SCOPED_SCAN_LIMIT = 2000;
const SCAN_PAGE = 200;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Whether the request carries the relay's token; hashing first makes the comparison's time independent of both lengths. */
function hasToken(request: FastifyRequest, expected: string): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  return timingSafeEqual(sha256(header.slice('Bearer '.length).trim()), sha256(expected));
}

export function registerMessagingRoutes(app: FastifyInstance, deps: MessagingRoutesDeps): void {
  const { identity, messages } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger?.child({ component: 'hub.messaging.http' });
  const inboundToken = deps.inboundToken;

  if (inboundToken !== null) {
    app.post('/api/messaging/sms-inbound', async (request) => {
      if (!hasToken(request, inboundToken)) throw new CodedError('AUTH_REQUIRED', 'the SMS relay token is missing or wrong');
      const body = parseRequest(inboundSchema, request.body);
      if (!isUnsubscribeReply(body.text)) return { unsubscribed: 0 };
      const phone = replyPhone(body.phone);
      const memberIds = await messages.membersWithPhone(phone);
      const at = new Date(now()).toISOString();
      const unsubscribed = await messages.withdrawMarketingConsent(memberIds, { at, staffId: SMS_REPLY_ACTOR, note: 'replied T' });
      for (const memberId of memberIds) {
        await deps.identityStore.appendAudit({
          at, actorKind: 'system', actorId: SMS_REPLY_ACTOR, surface: 'sms', action: 'member.consent', target: memberId, outcome: 'ok',
          before: null, after: { purpose: SMS_MARKETING_PURPOSE, granted: false }, detail: { phone: maskPhone(phone) },
        });
      }
      log?.info({ phone: maskPhone(phone), unsubscribed }, 'SMS reply unsubscribed members from marketing');
      return { unsubscribed };
    });
  }

  /** Whether a message's recipient is in the caller's scope: their stores' managers, and members known in their stores. */
  const inScope = (staff: SignedIn['staff']) => {
    const scope = memberScopeOf(staff.storeIds);
    const known = new Map<string, boolean>();
    return async (message: OutboundMessage): Promise<boolean> => {
      if (scope.kind === 'chain') return true;
      if (message.recipient.kind === 'store_managers') return scope.storeIds.includes(message.recipient.storeId);
      const memberId = message.recipient.memberId;
      let ok = known.get(memberId);
      if (ok === undefined) {
        const stores = await deps.store.memberStores(memberId);
        ok = stores !== null && memberInScope(scope, stores);
        known.set(memberId, ok);
      }
      return ok;
    };
  };

  app.get('/api/messaging/messages', async (request) => {
    const { staff } = await requireStaff(identity, request, MESSAGE_READERS);
    const query = parseRequest(listSchema, request.query);
    if (query.memberId !== undefined) {
      await assertMemberInScope(deps.store, staff, query.memberId);
      const page = await messages.list({ memberId: query.memberId, limit: query.limit, ...(query.before ? { beforeMessageId: query.before } : {}) });
      return { messages: page, next: page.length === query.limit ? page.at(-1)!.messageId : null };
    }
    const visible = inScope(staff);
    const found: OutboundMessage[] = [];
    let cursor = query.before;
    let scanned = 0;
    let more = true;
    // Read in pages until the answer is full or the records end; a caller with a narrow scope may get a short page
    // with `next` to go on from (at most SCOPED_SCAN_LIMIT records are read per request).
    while (more && found.length < query.limit && scanned < SCOPED_SCAN_LIMIT) {
      const page = await messages.list({ limit: SCAN_PAGE, ...(cursor ? { beforeMessageId: cursor } : {}) });
      let i = 0;
      for (; i < page.length && found.length < query.limit; i++) {
        const message = page[i]!;
        scanned += 1;
        cursor = message.messageId;
        if (await visible(message)) found.push(message);
      }
      more = i < page.length || page.length === SCAN_PAGE;
    }
    return { messages: found, next: more ? (cursor ?? null) : null };
  });
}
