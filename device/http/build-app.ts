/**
 * The kiosk's local HTTP service: the touch screen and the API it calls. Built by a factory from explicit
 * dependencies so tests drive it with `app.inject()` and no port. Every body is checked with zod; every
 * error is `{error: {code, message}}` with a 4xx/5xx status, never a stack trace.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isCodedError } from '../../core/errors/coded-error.ts';
import type { Alert } from '../../core/wire/alerts.ts';
import { maskCardUid } from '../../core/privacy/mask.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { purchaseLineSchema, type TxKind } from '../../core/wire/transaction.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { MemberView } from '../../core/wire/lookup.ts';
import { quoteBasket } from '../../core/rules/quote-basket.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox, OutboxEntry, TxBodyInput } from '../outbox/sqlite-outbox.ts';
import { renderReceiptSvg } from '../../drivers/printer/svg-preview.ts';
import { renderReceiptText } from '../../drivers/printer/text-preview.ts';
import type { CardReaderHealth, PrinterHealth } from '../ports.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import type { SimulatedCardSource } from '../sim/simulated-card-source.ts';
import type { SubmitTransaction } from '../tx/submit-transaction.ts';
import { httpStatusFor } from './http-status.ts';
import { idempotencyKeyOf } from './idempotency-key.ts';
import { KIOSK_PAGE_HTML } from './kiosk-page.ts';

export interface AppDeps {
  session: KioskSession;
  submit: SubmitTransaction;
  outbox: Pick<Outbox, 'get' | 'getByIdempotencyKey' | 'depth' | 'oldestPending' | 'epoch'>;
  /** The kiosk's newest alerts, for GET /api/state. */
  alerts?: () => Alert[];
  link: Pick<HubLink, 'isConnected'>;
  /** Online look-ups at the hub; GET /api/catalog asks through it. Absent: nothing beyond the basics is offered. */
  lookup?: HubLink['lookup'];
  /** How long GET /api/catalog waits for the hub; default 1500 ms. */
  catalogTimeoutMs?: number;
  identity: () => { deviceId: string; storeId: string; bundleVersion: number };
  /** The rules bundle the kiosk holds, for pricing baskets itself when the hub cannot answer. */
  rules?: () => RulesBundle | null;
  /** Fetches the hub's latest rules now (called when the hub shows it has newer ones). */
  refreshRules?: () => Promise<void>;
  /** Present in the demo and tests: POST /api/sim/tap taps it. */
  simulatedCards?: SimulatedCardSource | null;
  /** Reader and printer health for GET /api/state (paper out, cover open, reader disconnected). */
  drivers?: () => { cardReader: CardReaderHealth; printer: PrinterHealth };
  logger: Logger;
  /** How long POST /api/sim/tap waits for the look-up to finish before answering. */
  tapSettleMs?: number;
}

const cardUidText = z.string().regex(/^[0-9A-F]{4,32}$/, 'card UID is 4–32 uppercase hex digits');
const tapBodySchema = z.object({ uid: z.string().regex(/^[0-9A-Fa-f]{4,32}$/, 'uid is 4–32 hex digits') });
/** The rest of each body is checked by the transaction schema itself when the outbox builds the transaction. */
const txBodySchema = z.looseObject({ cardUid: cardUidText.optional() });
const purchaseBodySchema = txBodySchema.extend({
  lines: z.array(z.looseObject({ lineNo: z.number().int().positive().optional() })).min(1).max(200),
});

/** A basket to price: lines as a purchase has them (lineNo may be left out: numbered in order). */
const quoteBodySchema = z.object({ lines: z.array(purchaseLineSchema.extend({ lineNo: z.number().int().positive().optional() })).min(1).max(200) });

const CARD_OPS: Record<string, TxKind> = {
  'report-loss': 'card_report_loss',
  'cancel-loss': 'card_cancel_loss',
  freeze: 'card_freeze',
  unfreeze: 'card_unfreeze',
  replace: 'card_replace',
};

class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    const message = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new HttpError(400, 'BAD_REQUEST', message);
  }
  return parsed.data;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app: FastifyInstance = Fastify({ loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024 });
  const tapSettleMs = deps.tapSettleMs ?? 3000;

  app.setErrorHandler((error: FastifyError | Error, _request, reply) => {
    if (error instanceof HttpError) return reply.code(error.statusCode).send({ error: { code: error.code, message: error.message } });
    if (isCodedError(error)) return reply.code(httpStatusFor(error.code)).send({ error: { code: error.code, message: error.message } });
    const statusCode = (error as FastifyError).statusCode;
    if (statusCode && statusCode >= 400 && statusCode < 500) {
      return reply.code(statusCode).send({ error: { code: 'BAD_REQUEST', message: error.message } });
    }
    deps.logger.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` } }));

  app.get('/', (_request, reply) => reply.type('text/html; charset=utf-8').send(KIOSK_PAGE_HTML));

  app.get('/api/session', () => {
    const state = deps.session.state();
    const receipt = state.name === 'receipt' ? state.receipt : null;
    // Both previews come from the printer's own layout of the same receipt, so the screen shows what the paper gets.
    return {
      session: deps.session.view(),
      receiptText: receipt ? renderReceiptText(receipt) : null,
      receiptSvg: receipt ? renderReceiptSvg(receipt) : null,
    };
  });

  app.post('/api/session/reset', () => {
    deps.session.reset();
    return { session: deps.session.view() };
  });

  // The shopper tapped "Register" on the "not registered yet" screen: hold the card for the form.
  app.post('/api/session/register', () => {
    if (!deps.session.beginRegistration()) throw new HttpError(409, 'REGISTER_NOT_OFFERED', 'no unregistered card on screen, or the hub cannot confirm the card is new');
    return { session: deps.session.view() };
  });

  /**
   * What the screen may offer the member on it: gifts, paid upgrades, points-payment terms. A route of its own
   * rather than part of GET /api/session: the page polls the session twice a second and that must stay a
   * loopback-only read, while this is a hub round trip made once per member shown; and a catalogue the hub
   * cannot give must never delay or hide the member's balance. Offline the answer says so, and the screen
   * hides what needs the hub.
   */
  app.get('/api/catalog', async () => {
    const memberId = deps.session.currentMemberId();
    if (!memberId) throw new HttpError(409, 'SESSION_NO_CARD', 'no member on screen');
    const unavailable = { available: false as const, code: 'HUB_UNREACHABLE', message: 'the hub cannot be reached' };
    if (!deps.lookup || !deps.link.isConnected()) return unavailable;
    const response = await deps.lookup({ op: 'catalog', memberId }, deps.catalogTimeoutMs ?? 1500);
    if (!response) return unavailable;
    if (!response.ok) return { available: false as const, code: response.code, message: response.message };
    if (!('catalog' in response)) return { available: false as const, code: 'LOOKUP_RESPONSE_MALFORMED', message: 'the hub answered something else' };
    // The catalogue comes from the hub's latest rules: when they are newer than the kiosk's, take them before
    // the member acts on the offer, so the transaction names rules under which the hub will accept it.
    if (deps.refreshRules && response.catalog.bundleVersion > deps.identity().bundleVersion) await deps.refreshRules();
    return { available: true as const, catalog: response.catalog };
  });

  /**
   * The basket priced by the hub's rules for the member on screen (member prices, discounts, points it earns).
   * The screen charges the quoted total, since the hub refuses payments that do not add up to its own total.
   * Offline the answer says so and the screen falls back to shelf prices.
   */
  app.post('/api/quote', async (request) => {
    const memberId = deps.session.currentMemberId();
    if (!memberId) throw new HttpError(409, 'SESSION_NO_CARD', 'no member on screen');
    const body = parseBody(quoteBodySchema, request.body);
    const lines = body.lines.map((line, index) => ({ ...line, lineNo: line.lineNo ?? index + 1 }));
    // Without the hub, the kiosk's own copy of the rules prices the basket: the same engine, the same bundle
    // version the transaction will name, so the hub applies the total charged here.
    const priceHere = () => {
      const bundle = deps.rules?.();
      // SessionView flattens the session's states; a member is on it in member, action and receipt states.
      const member = (deps.session.view() as { member?: MemberView }).member ?? null;
      if (!bundle || !member) return { available: false as const, code: 'HUB_UNREACHABLE', message: 'the hub cannot be reached and the kiosk holds no rules yet' };
      const at = new Date().toISOString();
      const quote = quoteBasket(bundle, { at, storeId: deps.identity().storeId, member: { memberId, tier: member.tier, cumulativeSpendCents: 0, cumulativePointsEarned: 0 } }, lines);
      return { available: true as const, source: 'kiosk' as const, quote };
    };
    if (!deps.lookup || !deps.link.isConnected()) return priceHere();
    const response = await deps.lookup({ op: 'quote', memberId, storeId: deps.identity().storeId, bundleVersion: deps.identity().bundleVersion, lines }, deps.catalogTimeoutMs ?? 1500);
    if (!response) return priceHere();
    if (!response.ok) return { available: false as const, code: response.code, message: response.message };
    if (!('quote' in response)) return { available: false as const, code: 'LOOKUP_RESPONSE_MALFORMED', message: 'the hub answered something else' };
    return { available: true as const, source: 'hub' as const, quote: response.quote };
  });

  app.get('/api/state', () => {
    const identity = deps.identity();
    const oldest = deps.outbox.oldestPending();
    return {
      ...identity,
      connected: deps.link.isConnected(),
      outboxDepth: deps.outbox.depth(),
      epoch: deps.outbox.epoch(),
      oldestPending: oldest ? { id: oldest.id, epoch: oldest.epoch, seq: oldest.seq } : null,
      ...(deps.drivers ? { drivers: deps.drivers() } : {}),
      alerts: deps.alerts?.() ?? [],
    };
  });

  app.post('/api/sim/tap', async (request) => {
    const { uid } = parseBody(tapBodySchema, request.body);
    const cards = deps.simulatedCards;
    if (!cards) throw new HttpError(404, 'SIM_DISABLED', 'this kiosk has a real card reader');
    if (!cards.tap(uid)) throw new HttpError(409, 'SIM_READER_STOPPED', 'the simulated reader is not running');
    await deps.session.settled(tapSettleMs);
    return { session: deps.session.view() };
  });

  /**
   * Every money-moving route: the body becomes a transaction in the outbox. With an Idempotency-Key header
   * the request is made at most once; a repeat returns the first answer's transaction (and `replayed: true`)
   * without touching the screen's session, so a client retrying a cut-off request never charges twice.
   */
  async function submit(kind: TxKind, body: z.infer<typeof txBodySchema>, request: FastifyRequest) {
    const cardUid = body.cardUid ?? deps.session.currentCardUid();
    if (!cardUid) throw new HttpError(409, 'SESSION_NO_CARD', 'no card given and no member on screen');
    const idempotencyKey = idempotencyKeyOf(request.headers);
    const input = { ...body, kind, cardUid } as TxBodyInput;
    const known = idempotencyKey !== undefined && deps.outbox.getByIdempotencyKey(idempotencyKey) !== null;
    const inSession = !known && deps.session.currentCardUid() === cardUid && deps.session.beginAction(kind);
    let outcome;
    try {
      outcome = await deps.submit(input, idempotencyKey === undefined ? {} : { idempotencyKey });
    } catch (error) {
      if (inSession) deps.session.abortAction();
      throw error;
    }
    if (inSession) await deps.session.completeAction(outcome);
    const { tx, status, result, replayed } = outcome;
    return {
      statusCode: status === 'queued' ? 202 : 200,
      payload: { id: tx.id, seq: tx.seq, status, ...(replayed ? { replayed: true } : {}), ...(result ? { result: maskedResult(result) } : {}) },
    };
  }

  app.post('/api/tx/purchase', async (request, reply) => {
    const body = parseBody(purchaseBodySchema, request.body);
    // Lines may leave out lineNo: they are numbered in the order given.
    const lines = body.lines.map((line, index) => ({ ...line, lineNo: line.lineNo ?? index + 1 }));
    const { statusCode, payload } = await submit('purchase', { ...body, lines }, request);
    return reply.code(statusCode).send(payload);
  });

  // A new member registers with the fresh card they just tapped: named in the body, or the card whose
  // registration form is on screen (the page never holds a full card UID). Once the hub has applied it, the
  // kiosk looks the card up again so the new member is shown without a second tap.
  app.post('/api/tx/register', async (request, reply) => {
    const body = parseBody(txBodySchema, request.body);
    const cardUid = body.cardUid ?? deps.session.registrationCardUid();
    if (!cardUid) throw new HttpError(409, 'SESSION_NO_CARD', 'no card given and no registration on screen');
    const { statusCode, payload } = await submit('register_member', { ...body, cardUid }, request);
    const applied = payload.result?.status === 'applied' || (payload.result?.status === 'exists' && payload.result.original === 'applied');
    if (applied && deps.session.registrationCardUid() === cardUid) await deps.session.handleTap({ uid: cardUid });
    return reply.code(statusCode).send(payload);
  });

  const simpleRoutes: [string, TxKind][] = [
    ['/api/tx/top-up', 'top_up'],
    ['/api/tx/redeem-gift', 'redeem_gift'],
    ['/api/tx/refund', 'refund'],
    ['/api/tx/tier-upgrade', 'tier_upgrade'],
    // One visit on a count card / time card: { serviceId } (the card is the session's).
    ['/api/tx/punch', 'punch_card_use'],
  ];
  for (const [path, kind] of simpleRoutes) {
    app.post(path, async (request, reply) => {
      const { statusCode, payload } = await submit(kind, parseBody(txBodySchema, request.body), request);
      return reply.code(statusCode).send(payload);
    });
  }

  app.post<{ Params: { op: string } }>('/api/tx/card/:op', async (request, reply) => {
    const kind = CARD_OPS[request.params.op];
    if (!kind) throw new HttpError(404, 'NOT_FOUND', `unknown card operation '${request.params.op}'`);
    const { statusCode, payload } = await submit(kind, parseBody(txBodySchema, request.body), request);
    return reply.code(statusCode).send(payload);
  });

  const describeEntry = (entry: OutboxEntry) => ({
    id: entry.id,
    epoch: entry.epoch,
    seq: entry.seq,
    kind: entry.kind,
    status: entry.status,
    createdAt: entry.createdAt,
    doneAt: entry.doneAt,
    idempotencyKey: entry.idempotencyKey,
    result: entry.result ? maskedResult(entry.result) : null,
  });

  // Registered before /api/tx/:id so "by-key" is never read as an id.
  app.get<{ Params: { key: string } }>('/api/tx/by-key/:key', async (request) => {
    const entry = deps.outbox.getByIdempotencyKey(request.params.key);
    if (!entry) throw new HttpError(404, 'TX_NOT_FOUND', 'no transaction with this Idempotency-Key on this kiosk');
    return describeEntry(entry);
  });

  app.get<{ Params: { id: string } }>('/api/tx/:id', async (request) => {
    const entry = deps.outbox.get(request.params.id);
    if (!entry) throw new HttpError(404, 'TX_NOT_FOUND', 'no transaction with this id on this kiosk');
    return describeEntry(entry);
  });

  return app;
}

/** The screen and its API never carry a full card UID: the hub's result names the card, masked here. */
function maskedResult(result: TxResult): TxResult {
  return result.outcome ? { ...result, outcome: { ...result.outcome, cardUid: maskCardUid(result.outcome.cardUid) } } : result;
}
