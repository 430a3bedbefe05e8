/** The hub's HTTP API and console. Built by a factory so tests drive it with inject(), no sockets. */
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HQ_DEVICE_ID, submitHqTransaction } from '../hq/hq-transactions.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { renderConsole } from './console-page.ts';

export interface HubAppDeps {
  store: Pick<LedgerStore, 'transactionCount' | 'audit' | 'memberViewById' | 'applyHq'>;
  brokerUrl: string;
  memberIds: () => Promise<string[]>;
}

/** Shapes only; the transaction schema checks the details (whole points, reason length, card UID) and answers TX_INVALID. */
const manualBonusBodySchema = z.object({ points: z.number(), reason: z.string(), staffCardUid: z.string() });

export function buildApp(deps: HubAppDeps): FastifyInstance {
  const app = Fastify({ logger: false });
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
  app.get<{ Params: { memberId: string } }>('/api/members/:memberId', async (request, reply) => {
    const view = await deps.store.memberViewById(request.params.memberId, 50);
    if (!view) return reply.code(404).send({ error: { code: 'MEMBER_UNKNOWN', message: 'no such member' } });
    return view;
  });
  // A manual bonus (or, negative, a correction) from HQ: recorded as an HQ transaction on the member's active
  // card, with who and why in its payload. Answers the transaction's result; a refusal is a 400 with its code.
  app.post<{ Params: { memberId: string } }>('/api/members/:memberId/manual-bonus', async (request, reply) => {
    const body = manualBonusBodySchema.safeParse(request.body ?? {});
    if (!body.success) return reply.code(400).send({ error: { code: 'TX_INVALID', message: body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } });
    const view = await deps.store.memberViewById(request.params.memberId, 0);
    if (!view) return reply.code(404).send({ error: { code: 'MEMBER_UNKNOWN', message: 'no such member' } });
    const result = await submitHqTransaction(deps.store, {
      kind: 'manual_bonus',
      storeId: HQ_DEVICE_ID,
      cardUid: view.card.uid,
      points: body.data.points,
      reason: body.data.reason,
      staffCardUid: body.data.staffCardUid,
    });
    return reply.code(result.status === 'rejected' ? 400 : 200).send(result);
  });
  app.get('/', async (_request, reply) => {
    const members = await memberViews(3);
    return reply
      .type('text/html; charset=utf-8')
      .send(renderConsole({ members, audit: await deps.store.audit(), transactions: await deps.store.transactionCount(), brokerUrl: deps.brokerUrl }));
  });
  return app;
}
