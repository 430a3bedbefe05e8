/**
 * The kiosk's local HTTP service: the touch screen, the API it and tills call, and the screen's event stream.
 * Every route is a thin adapter over a use case (device/app/kiosk-app.ts): it parses and checks the request
 * with zod, calls the use case, and maps the outcome or the coded error to a reply. Built by a factory from
 * explicit dependencies so tests drive it with `app.inject()` and no port. Every error is
 * `{error: {code, message}}` with the status core's registry gives its code (core/errors/codes.ts), never a
 * stack trace.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { answerForError, errorAnswer, type ErrorAnswer } from '../../core/errors/error-answer.ts';
import { maskCardUid } from '../../core/privacy/mask.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { purchaseLineSchema } from '../../core/wire/transaction.ts';
import type { CardOperationKind, KioskApp, TxOutcome, TxRequest } from '../app/kiosk-app.ts';
import type { OutboxEntry } from '../outbox/sqlite-outbox.ts';
import { registerEventStream, type EventStreamOptions } from './event-stream.ts';
import { idempotencyKeyOf } from './idempotency-key.ts';
import { registerScreenAssets } from './screen-assets.ts';
import { pinSchema } from '../../core/identity/pin.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { HISTORY_CURSOR_PATTERN } from '../../core/wire/history-cursor.ts';
import { MAX_HISTORY_PAGE } from '../../core/wire/lookup.ts';

export interface AppDeps {
  kiosk: KioskApp;
  logger: Logger;
  eventStream?: EventStreamOptions;
  /**
   * Host names (without port) a request may name in its Host header. A page on another site that resolves its
   * own name to this kiosk (DNS rebinding) names that site, and is refused. Default: loopback names.
   */
  allowedHosts?: readonly string[];
  /** Where the built screen app is (screen-assets.ts); device/screen/dist unless told. */
  screenDist?: string;
  /** Whether POST /api/sim/tap exists: only with the simulated reader (the demo, tests). */
  simulatedReader?: boolean;
}

export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]', '::1'];

/** The host name of a Host header, without its port; lower case. */
function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const text = header.trim().toLowerCase();
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    return end > 0 ? text.slice(0, end + 1) : null;
  }
  return text.split(':')[0] ?? null;
}

/** What the simulated reader reads, as a real one would: a 4- to 10-byte UID (drivers/card-reader/uid.ts). */
const tapBodySchema = z.object({ uid: z.string().regex(/^(?:[0-9A-Fa-f]{2}){4,10}$/, 'uid is a card UID: 4–10 bytes as 8–20 hex digits') });
/** The rest of each body is checked by the transaction schema itself when the transaction is drafted. */
/** Any card or staff field in it is refused by the use case (CARD_NOT_ON_READER). */
const txBodySchema = z.looseObject({});
const pinBodySchema = z.object({ pin: pinSchema });
const reprintBodySchema = z.object({ txId: z.string().min(1).max(128) });
/** A top-up amount to preview: whole cents (the screen converts the yuan typed with core's integer arithmetic). */
const topUpPreviewBodySchema = z.object({ amountCents: z.number().int().positive().max(100_000_000) });
const phonePinBodySchema = pinBodySchema.extend({ phone: z.string().regex(/^\+?[0-9]{6,20}$/, 'phone is 6–20 digits') });
const purchaseBodySchema = txBodySchema.extend({
  lines: z.array(z.looseObject({ lineNo: z.number().int().positive().optional() })).min(1).max(200),
});

/** A basket to price: lines as a purchase has them (lineNo may be left out: numbered in order). */
const codeBodySchema = z.object({ code: z.string().min(1).max(64) });
/** ?before=<a page's next>&limit=1–50 (default 20). Loose: a card or member named in it is refused by the use case. */
const historyQuerySchema = z.looseObject({
  before: z.string().regex(HISTORY_CURSOR_PATTERN, 'before is the `next` cursor of a history page').optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_PAGE).default(20),
});
const quoteBodySchema = z.object({ lines: z.array(purchaseLineSchema.extend({ lineNo: z.number().int().positive().optional() })).min(1).max(200) });

const CARD_OPS: Record<string, CardOperationKind> = {
  'report-loss': 'card_report_loss',
  'cancel-loss': 'card_cancel_loss',
  freeze: 'card_freeze',
  unfreeze: 'card_unfreeze',
  replace: 'card_replace',
  /** 退卡, body {refundTender}: only while the hub is there (HUB_REQUIRED otherwise), nothing queued. */
  return: 'card_return',
  /** 办卡, body {newCardUid, cardTypeId, holderName?, feeTender?}: a card on the accounts of the card on the reader; hub only. */
  issue: 'card_issue',
  /** body {service: repair|extend, feeTender?}: the card on the reader, for its type's fee; hub only. */
  service: 'card_service',
};

const parseBody = <T>(schema: z.ZodType<T>, body: unknown): T => parseRequest(schema, body);

/** The Idempotency-Key header as the use cases take it (IDEMPOTENCY_KEY_INVALID when malformed). */
function submitOptions(request: FastifyRequest): { idempotencyKey?: string } {
  const idempotencyKey = idempotencyKeyOf(request.headers);
  return idempotencyKey === undefined ? {} : { idempotencyKey };
}

/**
 * A transaction's outcome as the API answers it: 202 while queued, 200 once the hub answered (applied, exists
 * or refused: the refusal is in `result`). The screen does not read this: it is pushed the session instead.
 */
function sendOutcome(reply: FastifyReply, outcome: TxOutcome): FastifyReply {
  const { tx, status, result, replayed } = outcome;
  return reply
    .code(status === 'queued' ? 202 : 200)
    .send({ id: tx.id, seq: tx.seq, status, ...(replayed ? { replayed: true } : {}), ...(result ? { result: maskedResult(result) } : {}) });
}

function sendError(reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  return reply.code(answer.status).send(answer.body);
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { kiosk } = deps;
  // Typed as fastify's logger so the instance is a plain FastifyInstance (pino's Logger would make it generic).
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app: FastifyInstance = Fastify({ loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024 });

  // A coded error (a use case's, a KioskError, a route's) and a request the framework refused answer their code
  // with the registry's status; anything else is a defect: logged, and answered INTERNAL.
  app.setErrorHandler((error: FastifyError | Error, _request, reply) => {
    const answer = answerForError(error);
    if (answer) return sendError(reply, answer);
    deps.logger.error({ err: error }, 'request failed');
    return sendError(reply, errorAnswer('INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, errorAnswer('NOT_FOUND', `no route ${request.method} ${request.url}`)));

  const allowedHosts = new Set((deps.allowedHosts ?? LOOPBACK_HOSTS).map((h) => h.toLowerCase()));
  app.addHook('onRequest', async (request, reply) => {
    const host = hostName(request.headers.host);
    if (host === null || !allowedHosts.has(host)) {
      deps.logger.warn({ code: 'HOST_NOT_ALLOWED', host: request.headers.host?.slice(0, 100) ?? null }, 'refused a request naming another host');
      return sendError(reply, errorAnswer('HOST_NOT_ALLOWED'));
    }
  });

  // The touch screen: the built web app (device/screen/).
  registerScreenAssets(app, deps.screenDist ? { dist: deps.screenDist } : {});

  // The screen's source of truth: the session and the link state, pushed as they change.
  registerEventStream(app, kiosk.events, deps.eventStream);

  /** The session once, with both receipt previews (the screen itself is pushed it: GET /api/events). */
  app.get('/api/session', () => kiosk.sessionSnapshot());
  app.post('/api/session/reset', () => ({ session: kiosk.resetSession() }));
  // Someone is touching the screen (the screen says so at most every 5 s): the member's idle time starts again,
  // pushed as the session's new expiresAt. { expiresAt: null } when no session is on.
  app.post('/api/session/activity', () => kiosk.sessionActivity());
  // From a result (done or refused) back to the member's screen, without tapping again.
  app.post('/api/session/back', () => ({ session: kiosk.backToMember() }));
  // The shopper tapped "Register" on the "not registered yet" screen: hold the card for the form.
  app.post('/api/session/register', () => ({ session: kiosk.beginRegistration() }));

  /**
   * What the screen may offer the member on it: gifts, paid upgrades, points-payment terms. A route of its own
   * rather than part of the session: it is a hub round trip made once per member shown, and a catalogue the
   * hub cannot give must never delay or hide the member's balance.
   */
  app.get('/api/catalog', () => kiosk.catalog());
  /** A page of the history of the member on screen ({ entries, next }), from the hub only (HUB_REQUIRED offline). */
  app.get('/api/member/history', (request) => kiosk.memberHistory(parseBody(historyQuerySchema, request.query)));

  /** The basket priced for the member on screen; the screen charges the quoted total. */
  app.post('/api/quote', (request) => kiosk.quote(parseBody(quoteBodySchema, request.body).lines));

  // Anti-counterfeit check (防伪): is this code genuine, used, expired or unknown? Nothing is used; no card needed.
  app.post('/api/codes/verify', async (request) => ({ code: await kiosk.verifyCode(parseBody(codeBodySchema, request.body).code) }));
  /** The points draws open now, with cost, prizes, odds (weight / totalWeight) and stock left: only with the hub. */
  app.get('/api/draws', async () => ({ draws: await kiosk.openDraws() }));

  // simulatedReader: the screen offers its demo tap only when POST /api/sim/tap exists.
  app.get('/api/state', () => ({ ...kiosk.state(), simulatedReader: deps.simulatedReader === true }));
  /** The signed configuration in force: versions, last refusal, items, gifts, screen, receipt texts, offline limits. */
  app.get('/api/config', () => ({ config: kiosk.state().config ?? null }));

  if (deps.simulatedReader) app.post('/api/sim/tap', async (request) => ({ session: await kiosk.tapSimulatedCard(parseBody(tapBodySchema, request.body).uid) }));

  // Staff on this kiosk: tap the staff card (the screen then asks for the PIN), send the PIN; sign out when done.
  app.post('/api/staff/sign-in', async (request) => ({ staff: await kiosk.staffSignIn(parseBody(pinBodySchema, request.body).pin) }));
  app.post('/api/staff/sign-out', async () => {
    await kiosk.staffSignOut();
    return { staff: null };
  });
  app.get('/api/staff', () => ({ staff: kiosk.staffSession() }));
  // A receipt not printed (paper out) is never printed later by itself: staff print it again on purpose, for them.
  app.post('/api/staff/reprint', async (request) => kiosk.reprintReceipt(parseBody(reprintBodySchema, request.body).txId));

  // Technician mode (technician card and PIN, signed in as staff): why the kiosk is unhappy, and a test page.
  app.get('/api/technician/diagnostics', () => kiosk.technicianDiagnostics());
  app.post('/api/technician/test-print', () => kiosk.technicianTestPrint());

  // What the screen's staff pages read before the clerk confirms (device/app/staff-desk.ts): all need staff signed in.
  /** The deposit bonus of a top-up for the member on screen, from this kiosk's rules (no hub round trip). */
  app.post('/api/top-up/preview', (request) => kiosk.topUpPreview(parseBody(topUpPreviewBodySchema, request.body).amountCents));
  /** 办卡 / 补卡: the card types of the kiosk's rules with their fees, and the replacement fee of the card on the reader. */
  app.get('/api/staff/card-offer', () => kiosk.cardOffer());
  /** Waits (up to 30 s) for the new card to be tapped on the reader; answers its masked number and whether it is fresh. */
  app.post('/api/staff/new-card', () => kiosk.awaitNewCard());
  app.post('/api/staff/new-card/cancel', () => {
    kiosk.cancelNewCard();
    return { ok: true };
  });
  /** 退货: the lines of a purchase of the member on screen — made here (outbox) or anywhere else (the hub's ledger). */
  app.get<{ Params: { txId: string } }>('/api/staff/purchases/:txId', (request) => kiosk.purchaseLines(request.params.txId));
  /** The receipts a reprint can print (this kiosk's last 50), newest first. */
  app.get('/api/staff/receipts', () => ({ receipts: kiosk.recentReceipts() }));

  // The member PIN of the card on the reader: set it (first time, or by the signed-in clerk), or type it where a
  // payment needs it (the next stored-value payment for that card names the hub's proof).
  app.post('/api/member/pin', async (request) => {
    await kiosk.setMemberPin(parseBody(pinBodySchema, request.body).pin);
    return { ok: true };
  });
  app.post('/api/member/pin/verify', async (request) => ({ ok: true, ...(await kiosk.verifyMemberPin(parseBody(pinBodySchema, request.body).pin)) }));
  // A member whose card is gone reports it lost with phone and PIN.
  app.post('/api/tx/card/report-loss-by-phone', async (request, reply) => {
    const body = parseBody(phonePinBodySchema, request.body);
    return sendOutcome(reply, await kiosk.reportLossByPhone(body.phone, body.pin, submitOptions(request)));
  });

  // Every money-moving route: the body becomes a transaction in the outbox. With an Idempotency-Key header the
  // request is made at most once; a repeat returns the first answer's transaction (and `replayed: true`).
  app.post('/api/tx/purchase', async (request, reply) => sendOutcome(reply, await kiosk.purchase(parseBody(purchaseBodySchema, request.body), submitOptions(request))));

  // A new member registers with the fresh card they just tapped: named in the body, or the card whose
  // registration form is on screen (the page never holds a full card UID).
  app.post('/api/tx/register', async (request, reply) => sendOutcome(reply, await kiosk.registerMember(parseBody(txBodySchema, request.body), submitOptions(request))));

  const simpleRoutes: [string, (request: TxRequest, options: { idempotencyKey?: string }) => Promise<TxOutcome>][] = [
    ['/api/tx/top-up', (body, options) => kiosk.topUp(body, options)],
    ['/api/tx/redeem-gift', (body, options) => kiosk.redeemGift(body, options)],
    ['/api/tx/refund', (body, options) => kiosk.refund(body, options)],
    ['/api/tx/tier-upgrade', (body, options) => kiosk.tierUpgrade(body, options)],
    // One visit on a count card / time card: { serviceId } (the card is the session's).
    ['/api/tx/punch', (body, options) => kiosk.punch(body, options)],
    // A redemption code for the member on screen: { code } as typed (hyphens, spaces, case do not matter). Decided
    // at the hub only: a typo (CODE_CHECK_DIGIT) or the hub away (HUB_REQUIRED, 503) is refused and nothing queued.
    ['/api/tx/code-redeem', (body, options) => kiosk.redeemCode(body, options)],
    // One entry in a points draw: { drawId }; the hub decides the prize. Offline: HUB_REQUIRED, nothing queued.
    ['/api/tx/draw-enter', (body, options) => kiosk.enterDraw(body, options)],
    // A credit repayment (赊账还款) with staff signed in: { amountCents, tender }. Offline: HUB_REQUIRED, nothing queued.
    ['/api/tx/credit/repay', (body, options) => kiosk.creditRepay(body, options)],
  ];
  for (const [path, useCase] of simpleRoutes) {
    app.post(path, async (request, reply) => sendOutcome(reply, await useCase(parseBody(txBodySchema, request.body), submitOptions(request))));
  }

  app.post<{ Params: { op: string } }>('/api/tx/card/:op', async (request, reply) => {
    const kind = CARD_OPS[request.params.op];
    if (!kind) throw new CodedError('NOT_FOUND', `unknown card operation '${request.params.op}'`);
    return sendOutcome(reply, await kiosk.cardOperation(kind, parseBody(txBodySchema, request.body), submitOptions(request)));
  });

  // Registered before /api/tx/:id so "by-key" is never read as an id.
  app.get<{ Params: { key: string } }>('/api/tx/by-key/:key', (request) => {
    const entry = kiosk.transactionByKey(request.params.key);
    if (!entry) throw new CodedError('TX_NOT_FOUND', 'no transaction with this Idempotency-Key on this kiosk');
    return describeEntry(entry);
  });

  app.get<{ Params: { id: string } }>('/api/tx/:id', (request) => {
    const entry = kiosk.transaction(request.params.id);
    if (!entry) throw new CodedError('TX_NOT_FOUND', 'no transaction with this id on this kiosk');
    return describeEntry(entry);
  });

  return app;
}

function describeEntry(entry: OutboxEntry) {
  return {
    id: entry.id,
    epoch: entry.epoch,
    seq: entry.seq,
    kind: entry.kind,
    status: entry.status,
    createdAt: entry.createdAt,
    doneAt: entry.doneAt,
    idempotencyKey: entry.idempotencyKey,
    result: entry.result ? maskedResult(entry.result) : null,
  };
}

/** The screen and its API never carry a full card UID: the hub's result names the card, masked here. */
function maskedResult(result: TxResult): TxResult {
  return result.outcome ? { ...result, outcome: { ...result.outcome, cardUid: maskCardUid(result.outcome.cardUid) } } : result;
}
