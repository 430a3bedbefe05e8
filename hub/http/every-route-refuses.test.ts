/**
 * Every route of the hub's API, found by reading the route files (so a route added tomorrow is checked without
 * anyone remembering to), asked by someone who may not: with no session it is 401, and a cashier or a technician
 * (whose work is at the kiosk: the console gives them their own account only) is 403, before the route reads or
 * writes anything. The routes open to everyone are named here, each with why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { staffToken } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const HTTP_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Open without a session, and why. */
const PUBLIC = new Map<string, string>([
  ['GET /api/health', 'whether the hub is up, for monitoring'],
  ['GET /api/ping', 'a kiosk measures its clock against the hub'],
  ['POST /api/login', 'how a session starts'],
  ['POST /api/logout', 'ends the session it names, if any'],
  ['POST /api/enrol', 'a kiosk proves itself with a one-time enrolment code'],
  ['GET /', 'the old console page: answers with its login form'],
  ['GET /console', 'the console web app: its own login page'],
  ['GET /console/*', 'the console web app: its own login page'],
  ['POST /api/messaging/sms-inbound', "the SMS relay forwards members' replies with its own token (messaging.inboundToken), not a staff session"],
  ['GET /metrics', 'Prometheus scrapes with its own token (metrics.token), not a staff session: hub/metrics/hub-metrics.test.ts shows the refusals'],
]);

/** What a cashier or technician may do in the console: their own account. */
const EVERY_STAFF = new Set(['GET /api/me', 'GET /api/me/sessions', 'POST /api/me/password', 'POST /api/me/sessions/:ref/end']);

/**
 * What any staff member may read: a redemption code checked before it is redeemed, the draws on offer, and whether a
 * receipt a customer shows is genuine (for their own stores: receipt-routes.test.ts shows the scope refusals).
 */
const ANY_STAFF_READS = new Set(['GET /api/codes/verify', 'GET /api/draws', 'GET /api/draws/:drawId', 'POST /api/receipts/verify']);

/** Staff work a cashier does at a kiosk that the hub's API serves too, with the kiosk's checks. */
const CASHIER_WORK = new Set(['POST /api/cards/:uid/lifecycle', 'POST /api/cards/:uid/service', 'POST /api/members/:memberId/cards', 'GET /api/card-types']);

/**
 * Money-moving HQ transactions for a member, where the ledger decides the role (core/ledger/staff-rules.ts) and
 * records the refusal, as it does for the same transaction from a kiosk: the route only signs the caller in. The
 * last test shows the ledger refusing and recording it.
 */
const LEDGER_DECIDES = new Set([
  'POST /api/members/:memberId/manual-bonus',
  'POST /api/members/:memberId/card-return',
  'POST /api/members/:memberId/credit-repay',
  'POST /api/members/:memberId/code-redeem',
]);

function routesInSource(): string[] {
  const found = new Set<string>();
  for (const file of readdirSync(HTTP_DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const source = readFileSync(join(HTTP_DIR, file), 'utf8');
    for (const match of source.matchAll(/\b(?:app|scope)\.(get|post|put|delete|patch)(?:<[^>]*>)?\(\s*'([^']+)'/g)) found.add(`${match[1]!.toUpperCase()} ${match[2]!}`);
  }
  return [...found].sort();
}

const concrete = (path: string) => path.replace(/:[A-Za-z]+/g, 'X1').replace('*', 'members');

describe('every hub route refuses who may not call it', () => {
  let env: TestHub;
  const tokens: Record<'cashier' | 'technician', string> = { cashier: '', technician: '' };
  const routes = routesInSource();

  beforeAll(async () => {
    env = await startTestHub({ https: { host: '127.0.0.1', port: 0 } });
    const identity = createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) });
    tokens.cashier = await staffToken(identity, 'cashier', [DEMO_STORE_ID]);
    tokens.technician = await staffToken(identity, 'technician', [DEMO_STORE_ID]);
  }, 60_000);
  afterAll(async () => env?.dispose());

  it('finds the routes it checks in the route files (the reading works)', () => {
    expect(routes.length).toBeGreaterThan(80);
    for (const known of ['GET /api/reports/churn', 'POST /api/member-import/commit', 'PUT /api/settings/retention', 'POST /api/gift-stock/:storeId/:sku']) expect(routes).toContain(known);
  });

  it('answers 401 to every route but the public ones without a session', async () => {
    const answers: string[] = [];
    for (const route of routes.filter((r) => !PUBLIC.has(r))) {
      const [method, path] = route.split(' ') as [string, string];
      const answer = await hubHttps(env, method, concrete(path), method === 'GET' ? {} : { body: {} });
      if (answer.status !== 401) answers.push(`${route}: ${answer.status}`);
    }
    expect(answers).toEqual([]);
  }, 60_000);

  it('answers 403 to a cashier and a technician everywhere but their own account and the cashier work the kiosk shares', async () => {
    const answers: string[] = [];
    for (const route of routes.filter((r) => !PUBLIC.has(r) && !EVERY_STAFF.has(r) && !ANY_STAFF_READS.has(r) && !LEDGER_DECIDES.has(r))) {
      const [method, path] = route.split(' ') as [string, string];
      for (const role of ['cashier', 'technician'] as const) {
        if (role === 'cashier' && CASHIER_WORK.has(route)) continue;
        const answer = await hubHttps(env, method, concrete(path), { token: tokens[role], ...(method === 'GET' ? {} : { body: {} }) });
        if (answer.status !== 403) answers.push(`${role} ${route}: ${answer.status}`);
      }
    }
    expect(answers).toEqual([]);
  }, 60_000);

  it('a manual bonus by a cashier is refused by the ledger, which records the refusal with the cashier as actor', async () => {
    const answer = await hubHttps(env, 'POST', '/api/members/M0001/manual-bonus', { token: tokens.cashier, body: { points: 500, reason: '回访补偿' } });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ code: 'STAFF_UNAUTHORIZED' });
    const db = new Database(join(env.dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      const recorded = db.prepare("SELECT status, code, member_id AS memberId FROM transactions WHERE kind = 'manual_bonus'").all();
      expect(recorded).toEqual([{ status: 'rejected', code: 'STAFF_UNAUTHORIZED', memberId: 'M0001' }]);
      // The demo gave M0001 50 points; the refused bonus gave nothing.
      expect(db.prepare("SELECT balance FROM accounts WHERE member_id = 'M0001' AND account = 'points'").get()).toEqual({ balance: 50 });
    } finally {
      db.close();
    }
  });
});
