/**
 * docs/ACCOUNTS.md's staff commission example (`accounts-example: staff-commission`), replayed on a real hub:
 * the schedule saved as a rules version, the clerks' levels set by HQ over the HTTPS API, the sales, top-up and
 * refund applied by the real ledger from a counter kiosk with the clerks' real kiosk sessions, and the report read
 * over HTTPS (JSON and CSV) by whoever may, refused to whoever may not. The journal audit runs after.
 */
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import type { CommissionSchedule } from '../../core/rules/bundle-accounts.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT, type StaffActor } from '../../core/wire/transaction.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_CARDS, DEMO_STAFF_CARD, DEMO_STAFF_PIN, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { staffAuthorization } from '../testing/staff-actor.ts';
import { DEMO_REGION_ID } from '../demo/seed-demo-fleet.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const DOC = readFileSync(new URL('../../docs/ACCOUNTS.md', import.meta.url), 'utf8');

interface Line { category: string; qty: number; unitPriceCents: number }
interface CodeLine { code: string; amountCents: number; count: number; commissionCents: number }
interface CommissionExample {
  commission: CommissionSchedule;
  staff: Record<string, string>;
  period: { from: string; to: string };
  steps: ({ by: string | null; sale: string; lines: Line[] } | { by: string; topUpCents: number } | { by: string; refund: string; lineNos: number[] })[];
  report: Record<string, { level: string; codes: CodeLine[]; totalCents: number }>;
  totalCents: number;
}

function example(): CommissionExample {
  const match = /<!-- accounts-example: staff-commission -->\s*```json\n([\s\S]*?)\n```/.exec(DOC);
  if (!match) throw new Error('docs/ACCOUNTS.md has no accounts-example staff-commission');
  return JSON.parse(match[1]!) as CommissionExample;
}

const EXAMPLE = example();
const KIOSK = 'kiosk-salon';
const BUNDLE_VERSION = 41;
/** The example's day: mid-November 2025 in Shanghai, the clerks signed in at 09:00. */
const SIGN_IN_AT = Date.parse('2025-11-10T01:00:00.000Z');
const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

/** A GET over the hub's HTTPS listener answering text (the CSV). */
function httpsText(env: TestHub, path: string, token: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, env.httpsUrl!), { method: 'GET', ca: env.caPem, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('staff commission: the docs example through the ledger and the HTTPS API', () => {
  let env: TestHub;
  let adminToken: string;
  let identity: IdentityService;
  const staffIds = new Map<string, string>();
  const results: TxResult[] = [];
  const reportUrl = `/api/reports/commission?from=${EXAMPLE.period.from}&to=${EXAMPLE.period.to}`;

  beforeAll(async () => {
    env = await startTestHub();
    const store = env.hub.store;
    await store.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: BUNDLE_VERSION, commission: EXAMPLE.commission });
    await store.identity.setDeviceMode(KIOSK, 'attended');
    await store.identity.setDeviceStore(KIOSK, DEMO_STORE_ID);
    identity = createIdentityService({ store: store.identity, logger: pino({ level: 'silent' }) });
    adminToken = (await hubHttps(env, 'POST', '/api/login', { body: { login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD } })).body.token as string;

    // The clerks, made and levelled by HQ; they sign in on the counter kiosk on the example's morning.
    const onTheDay = createIdentityService({ store: store.identity, logger: pino({ level: 'silent' }), now: () => SIGN_IN_AT });
    const actors = new Map<string, StaffActor>();
    let card = 0xc0;
    for (const [name, level] of Object.entries(EXAMPLE.staff)) {
      const cardUid = `A5C0FFEE${(card += 1).toString(16).toUpperCase()}`;
      const account = await identity.addStaff({ name, role: 'cashier', storeIds: [DEMO_STORE_ID], cardUid, pin: '8642' }, { kind: 'system', id: 'test', surface: 'cli' });
      staffIds.set(name, account.staffId);
      const set = await hubHttps(env, 'PUT', `/api/staff/${account.staffId}/level`, { token: adminToken, body: { level } });
      expect(set).toMatchObject({ status: 200, body: { staffId: account.staffId, level } });
      const { session } = await onTheDay.signInWithCard(KIOSK, cardUid, '8642');
      actors.set(name, { staffId: session.staffId, sessionId: session.sessionId });
    }
    const manager = (await onTheDay.signInWithCard(KIOSK, DEMO_STAFF_CARD, DEMO_STAFF_PIN)).session;
    actors.set('store manager', { staffId: manager.staffId, sessionId: manager.sessionId });

    // The steps, a minute apart, from the counter kiosk.
    let seq = 0;
    const send = async (body: Record<string, unknown>): Promise<TxResult> => {
      seq += 1;
      const createdAt = new Date(SIGN_IN_AT + seq * 60_000).toISOString();
      const payload = { v: TX_FORMAT, id: nextId(), deviceId: KIOSK, epoch: 'E1', seq, createdAt, storeId: DEMO_STORE_ID, bundleVersion: BUNDLE_VERSION, cardUid: DEMO_CARDS.standard, ...body };
      const [result] = await store.applyBatch([{ topicDeviceId: KIOSK, parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
      return result!;
    };
    const sales = new Map<string, string>();
    for (const step of EXAMPLE.steps) {
      const actor = step.by === null ? {} : { actor: actors.get(step.by)! };
      let result: TxResult;
      if ('sale' in step) {
        const lines = step.lines.map((line, i) => ({ lineNo: i + 1, sku: `SKU-${line.category}`, ...line }));
        const total = lines.reduce((sum, line) => sum + line.qty * line.unitPriceCents, 0);
        result = await send({ kind: 'purchase', lines, payments: [{ method: 'cash', amountCents: total }], ...actor });
        sales.set(step.sale, result.id!);
      } else if ('topUpCents' in step) {
        result = await send({ kind: 'top_up', amountCents: step.topUpCents, tender: 'cash', ...actor });
      } else {
        result = await send({ kind: 'refund', purchaseTxId: sales.get(step.refund)!, lineNos: step.lineNos, ...actor });
      }
      expect(result).toMatchObject({ status: 'applied' });
      results.push(result);
    }
  });

  afterAll(async () => {
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  it('HQ sets a level, audited with before and after; a store manager may not', async () => {
    const wang = staffIds.get('王芳')!;
    const manager = await staffAuthorization(identity, 'store_manager', [DEMO_STORE_ID]);
    const refused = await hubHttps(env, 'PUT', `/api/staff/${wang}/level`, { token: manager.authorization.slice('Bearer '.length), body: { level: '普通' } });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'AUTH_FORBIDDEN' } } });
    expect((await hubHttps(env, 'PUT', `/api/staff/${wang}/level`, { body: { level: '普通' } })).status).toBe(401);
    expect((await hubHttps(env, 'PUT', '/api/staff/nobody/level', { token: adminToken, body: { level: '普通' } })).status).toBe(404);
    expect((await hubHttps(env, 'PUT', `/api/staff/${wang}/level`, { token: adminToken, body: { level: '' } })).body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    const log = await env.hub.store.identity.auditEntries({ limit: 10, action: 'staff.set_level', target: wang });
    expect(log).toEqual([expect.objectContaining({ outcome: 'ok', before: { level: null }, after: { level: '高级' } })]);
    expect((await env.hub.store.identity.staffCredentialsById(wang))?.level).toBe('高级');
  });

  it("the report over HTTPS gives the document's numbers: the refund off the seller, the self-service sale nobody's", async () => {
    const answer = await hubHttps(env, 'GET', reportUrl, { token: adminToken });
    expect(answer.status).toBe(200);
    const report = answer.body as { staff: { staffId: string; name: string; level: string; codes: CodeLine[]; totalCents: number }[]; totalCents: number; fromIso: string; toIso: string };
    // Shanghai's November.
    expect(report).toMatchObject({ fromIso: '2025-10-31T16:00:00.000Z', toIso: '2025-11-30T16:00:00.000Z' });
    const byName = Object.fromEntries(report.staff.map(({ name, level, codes, totalCents }) => [name, { level, codes, totalCents }]));
    expect(byName).toEqual(EXAMPLE.report);
    expect(report.totalCents).toBe(EXAMPLE.totalCents);
    expect(report.staff.map((row) => row.staffId)).not.toContain((await env.hub.store.identity.staffCredentialsByCard(DEMO_STAFF_CARD))!.staffId);
  });

  it('as CSV: a row per staff member and code, then their total', async () => {
    const csv = await httpsText(env, `${reportUrl}&format=csv`, adminToken);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain('text/csv');
    const rows = csv.text.trim().split('\n');
    expect(rows[0]).toBe('staff_id,name,level,code,amount_cents,count,commission_cents');
    const wang = staffIds.get('王芳')!;
    expect(rows).toContain(`${wang},王芳,高级,美发,19600,2,980`);
    expect(rows).toContain(`${wang},王芳,高级,total,,,2080`);
    expect(rows).toHaveLength(1 + 3 + 1 + 2 + 1);
  });

  it('scoped by store and role: managers read their stores, others are refused or see nothing', async () => {
    const token = async (role: Parameters<typeof staffAuthorization>[1], stores: string[]) => (await staffAuthorization(identity, role, stores)).authorization.slice('Bearer '.length);
    const region = await token('region_manager', [DEMO_STORE_ID, 'store-002']);
    expect(((await hubHttps(env, 'GET', reportUrl, { token: region })).body as { totalCents: number }).totalCents).toBe(EXAMPLE.totalCents);
    const elsewhere = await token('store_manager', ['store-002']);
    expect((await hubHttps(env, 'GET', reportUrl, { token: elsewhere })).body).toMatchObject({ storeIds: ['store-002'], staff: [], totalCents: 0 });
    expect(await hubHttps(env, 'GET', `${reportUrl}&storeId=${DEMO_STORE_ID}`, { token: elsewhere })).toMatchObject({ status: 403, body: { error: { code: 'AUTH_FORBIDDEN' } } });
    const cashier = await token('cashier', [DEMO_STORE_ID]);
    expect(await hubHttps(env, 'GET', reportUrl, { token: cashier })).toMatchObject({ status: 403, body: { error: { code: 'AUTH_FORBIDDEN' } } });
    expect((await hubHttps(env, 'GET', reportUrl)).status).toBe(401);
    expect((await hubHttps(env, 'GET', `/api/reports/commission?from=2025-12-01&to=2025-11-01`, { token: adminToken })).body).toMatchObject({ error: { code: 'BAD_REQUEST' } });
    // A period without the example's transactions.
    expect((await hubHttps(env, 'GET', '/api/reports/commission?from=2025-12-01&to=2026-01-01', { token: adminToken })).body).toMatchObject({ staff: [], totalCents: 0 });
    // By region: the demo region holds the demo store and its sales; a region of none of a manager's stores is refused.
    expect(((await hubHttps(env, 'GET', `${reportUrl}&regionId=${DEMO_REGION_ID}`, { token: adminToken })).body as { totalCents: number }).totalCents).toBe(EXAMPLE.totalCents);
    await env.hub.fleet.addRegion({ regionId: 'far', name: '远方' });
    await env.hub.fleet.addStore({ storeId: 'store-far', name: '远方店', regionId: 'far' });
    expect((await hubHttps(env, 'GET', `${reportUrl}&regionId=far`, { token: adminToken })).body).toMatchObject({ storeIds: ['store-far'], staff: [], totalCents: 0 });
    expect(await hubHttps(env, 'GET', `${reportUrl}&regionId=far`, { token: elsewhere })).toMatchObject({ status: 403, body: { error: { code: 'AUTH_FORBIDDEN' } } });
  });
});
