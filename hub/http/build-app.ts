/**
 * The hub's HTTP API and console. Built by a factory so tests drive it with inject(), no sockets. Every error
 * is `{error: {code, message}}` with the status core's registry gives its code (core/errors/codes.ts).
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { isErrorCode, httpStatusOf } from '../../core/errors/codes.ts';
import { answerForError, errorAnswer, type ErrorAnswer } from '../../core/errors/error-answer.ts';
import { HQ_DEVICE_ID, submitHqTransaction } from '../hq/hq-transactions.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { renderConsole } from './console-page.ts';
import { registerEnrolRoute, type EnrolHandler } from './enrol-route.ts';

export interface HubAppDeps {
  store: Pick<LedgerStore, 'transactionCount' | 'audit' | 'memberViewById' | 'applyHq'>;
  brokerUrl: string;
  memberIds: () => Promise<string[]>;
  /** Where a request that failed on a defect is logged (answered INTERNAL); unlogged when absent. */
  logger?: Logger;
  /** Serve over TLS with this key and certificate chain (the hub's HTTPS listener). */
  https?: { key: string; cert: string };
  /** Kiosk enrolment (POST /api/enrol): given to the HTTPS listener only. */
  enrol?: EnrolHandler;
}

/** Shapes only; the transaction schema checks the details (whole points, reason length, card UID) and answers TX_INVALID. */
const manualBonusBodySchema = z.object({ points: z.number(), reason: z.string(), staffCardUid: z.string() });

function sendError(reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  return reply.code(answer.status).send(answer.body);
}

/** The status a transaction the hub refused is answered with: its code's (a code the registry lacks would be a defect). */
function refusalStatus(code: string | undefined): number {
  return isErrorCode(code) ? httpStatusOf(code) : 500;
}

export function buildApp(deps: HubAppDeps): FastifyInstance {
  // Fastify types an HTTPS instance apart; its routes and inject() are the same.
  const app = (deps.https ? Fastify({ logger: false, https: deps.https }) : Fastify({ logger: false })) as unknown as FastifyInstance;
  app.setErrorHandler((error, _request, reply) => {
    const answer = answerForError(error);
    if (answer) return sendError(reply, answer);
    deps.logger?.error({ err: error }, 'request failed');
    return sendError(reply, errorAnswer('INTERNAL'));
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, errorAnswer('NOT_FOUND', `no route ${request.method} ${request.url}`)));
  if (deps.enrol) registerEnrolRoute(app, deps.enrol);
  const memberViews = async (historyLimit: number) => {
    const views = [];
    for (const id of await deps.memberIds()) views.push(await deps.store.memberViewById(id, historyLimit));
    return views.filter((m) => m !== null);
  };
  app.get('/api/health', async () => ({ ok: true, brokerUrl: deps.brokerUrl, transactions: await deps.store.transactionCount() }));
  app.get('/api/audit', async () => {
    const findings = await deps.store.audit();
    return { ok: findings.length === 0, findings };
  });
  app.get('/api/members', async () => ({ members: await memberViews(5) }));
  app.get<{ Params: { memberId: string } }>('/api/members/:memberId', async (request) => {
    const view = await deps.store.memberViewById(request.params.memberId, 50);
    if (!view) throw new CodedError('MEMBER_UNKNOWN');
    return view;
  });
  // A manual bonus (or, negative, a correction) from HQ: recorded as an HQ transaction on the member's active
  // card, with who and why in its payload. Answers the transaction's result; a refusal with its code's status.
  app.post<{ Params: { memberId: string } }>('/api/members/:memberId/manual-bonus', async (request, reply) => {
    const body = manualBonusBodySchema.safeParse(request.body ?? {});
    if (!body.success) throw new CodedError('TX_INVALID', body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const view = await deps.store.memberViewById(request.params.memberId, 0);
    if (!view) throw new CodedError('MEMBER_UNKNOWN');
    const result = await submitHqTransaction(deps.store, {
      kind: 'manual_bonus',
      storeId: HQ_DEVICE_ID,
      cardUid: view.card.uid,
      points: body.data.points,
      reason: body.data.reason,
      staffCardUid: body.data.staffCardUid,
    });
    return reply.code(result.status === 'rejected' ? refusalStatus(result.code) : 200).send(result);
  });
  app.get('/', async (_request, reply) => {
    const members = await memberViews(3);
    return reply
      .type('text/html; charset=utf-8')
      .send(renderConsole({ members, audit: await deps.store.audit(), transactions: await deps.store.transactionCount(), brokerUrl: deps.brokerUrl }));
  });
  return app;
}
