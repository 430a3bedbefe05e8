/** The hub's HTTP API and console. Built by a factory so tests drive it with inject(), no sockets. */
import Fastify, { type FastifyInstance } from 'fastify';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { renderConsole } from './console-page.ts';

export interface HubAppDeps {
  store: LedgerStore;
  brokerUrl: string;
  memberIds: () => string[];
}

export function buildApp(deps: HubAppDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/api/health', async () => ({ ok: true, brokerUrl: deps.brokerUrl, transactions: deps.store.transactionCount() }));
  app.get('/api/audit', async () => {
    const findings = deps.store.audit();
    return { ok: findings.length === 0, findings };
  });
  app.get('/api/members', async () => ({ members: deps.memberIds().map((id) => deps.store.memberViewById(id, 5)).filter((m) => m !== null) }));
  app.get<{ Params: { memberId: string } }>('/api/members/:memberId', async (request, reply) => {
    const view = deps.store.memberViewById(request.params.memberId, 50);
    if (!view) return reply.code(404).send({ error: { code: 'MEMBER_UNKNOWN', message: 'no such member' } });
    return view;
  });
  app.get('/', async (_request, reply) => {
    const members = deps.memberIds().map((id) => deps.store.memberViewById(id, 3)).filter((m) => m !== null);
    return reply.type('text/html; charset=utf-8').send(renderConsole({ members, audit: deps.store.audit(), transactions: deps.store.transactionCount(), brokerUrl: deps.brokerUrl }));
  });
  return app;
}
