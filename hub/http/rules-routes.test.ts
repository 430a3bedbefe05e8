/**
 * The console's Rules API over real HTTPS (real hub, fleet, identity and signed configuration): who may use it,
 * checking and trying a draft without changing anything, publishing through the one publish path, rolling an
 * earlier version forward, and which kiosks applied it.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigStore } from '../config/config-store.ts';
import { openSqliteConfigStore } from '../config/sqlite-config-store.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { DEMO_REGION_ID } from '../demo/seed-demo-fleet.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const OTHER_STORE = 'store-rules-2';
const STORE_SCOPE = `store/${DEMO_STORE_ID}`;

/** A purchase of one 100-yuan line by a standard member: 100 points at 1 point per yuan. */
const sample = (storeId = DEMO_STORE_ID) => ({
  kind: 'purchase',
  at: '2026-06-01T10:00:00+08:00',
  storeId,
  member: { memberId: 'M-try', tier: 'standard', cumulativeSpendCents: 0, cumulativePointsEarned: 0 },
  lines: [{ lineNo: 1, sku: 'SKU-1', category: 'food', qty: 1, unitPriceCents: 10_000 }],
  payments: [{ method: 'cash', amountCents: 10_000 }],
});

describe('Rules over the hub API (real hub over HTTPS)', () => {
  let env: TestHub;
  let configStore: ConfigStore;
  const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) => hubHttps(env, method, path, options);
  const tokens: Record<'admin' | 'region' | 'store' | 'cashier', string> = { admin: '', region: '', store: '', cashier: '' };

  beforeAll(async () => {
    env = await startTestHub();
    configStore = await openSqliteConfigStore(env.dataDir);
    await env.hub.fleet.addStore({ storeId: OTHER_STORE, name: 'Other store', regionId: DEMO_REGION_ID });
    const identity = createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) });
    const by = { kind: 'system', id: 'test', surface: 'cli' } as const;
    await identity.addStaff({ name: 'Region', role: 'region_manager', storeIds: [DEMO_STORE_ID], login: 'rules-region', password: 'a-long-password-1' }, by);
    await identity.addStaff({ name: 'Store', role: 'store_manager', storeIds: [DEMO_STORE_ID], login: 'rules-store', password: 'a-long-password-2' }, by);
    await identity.addStaff({ name: 'Till', role: 'cashier', storeIds: [DEMO_STORE_ID], login: 'rules-cashier', password: 'a-long-password-3' }, by);
    tokens.admin = (await identity.login(DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, 'hub')).token;
    tokens.region = (await identity.login('rules-region', 'a-long-password-1', 'hub')).token;
    tokens.store = (await identity.login('rules-store', 'a-long-password-2', 'hub')).token;
    tokens.cashier = (await identity.login('rules-cashier', 'a-long-password-3', 'hub')).token;
  });
  afterAll(async () => {
    await configStore?.close();
    await env?.dispose();
  });

  it('refuses callers without a session (401) and roles other than HQ admin and region manager (403) on every route', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/rules/scopes'],
      ['GET', `/api/rules/scope?scope=store:${DEMO_STORE_ID}`],
      ['GET', '/api/rules/schema'],
      ['POST', '/api/rules/validate', { scope: `store:${DEMO_STORE_ID}`, rules: {} }],
      ['POST', '/api/rules/try', { scope: `store:${DEMO_STORE_ID}`, rules: {}, input: sample() }],
      ['POST', '/api/rules/publish', { scope: `store:${DEMO_STORE_ID}`, rules: {} }],
      ['GET', `/api/rules/rollout?scope=store:${DEMO_STORE_ID}`],
    ];
    for (const [method, path, body] of routes) {
      expect((await call(method, path, { body })).status, `${method} ${path} unsigned`).toBe(401);
      for (const role of ['store', 'cashier'] as const) {
        const answer = await call(method, path, { token: tokens[role], body });
        expect(answer.status, `${method} ${path} as ${role}`).toBe(403);
        expect(answer.body).toMatchObject({ error: { code: 'AUTH_FORBIDDEN' } });
      }
    }
    expect((await call('GET', `/api/rules/scope?scope=store:${DEMO_STORE_ID}`, { token: tokens.admin })).body).toMatchObject({ latest: null });
  });

  it('lets a region manager work on their own stores only, never the chain, a region or another store (refusals audited)', async () => {
    const scopes = (await call('GET', '/api/rules/scopes', { token: tokens.region })).body.scopes as { scope: string }[];
    expect(scopes.map((s) => s.scope)).toEqual([STORE_SCOPE]);
    const all = (await call('GET', '/api/rules/scopes', { token: tokens.admin })).body.scopes as { scope: string }[];
    expect(all.map((s) => s.scope)).toEqual(expect.arrayContaining(['global', `region/${DEMO_REGION_ID}`, STORE_SCOPE, `store/${OTHER_STORE}`]));

    for (const scope of ['global', `region:${DEMO_REGION_ID}`, `store:${OTHER_STORE}`]) {
      expect((await call('GET', `/api/rules/scope?scope=${scope}`, { token: tokens.region })).status, scope).toBe(403);
      expect((await call('POST', '/api/rules/publish', { token: tokens.region, body: { scope, rules: {} } })).status, scope).toBe(403);
      expect((await call('POST', '/api/rules/try', { token: tokens.region, body: { scope, rules: {}, input: sample() } })).status, scope).toBe(403);
    }
    const refused = await env.hub.store.identity.auditEntries({ limit: 10, action: 'rules.publish' });
    expect(refused.map((e) => e.outcome)).toEqual(expect.arrayContaining(['refused:AUTH_FORBIDDEN']));
    expect(refused.every((e) => e.actorId !== '' && e.outcome === 'refused:AUTH_FORBIDDEN')).toBe(true);
    expect((await configStore.latestBundle('global'))?.publishedBy).not.toMatch(/^staff:/);
  });

  it('serves the draft JSON Schema made from the zod schema', async () => {
    const schema = (await call('GET', '/api/rules/schema', { token: tokens.admin })).body;
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false });
    expect(Object.keys(schema.properties as object)).toEqual(expect.arrayContaining(['points', 'tiers', 'rules', 'pointsPayment']));
    expect(schema.required).toBeUndefined();
  });

  it('checks a draft with coded issues and paths (its own and, merged over the chain, the result), changing nothing', async () => {
    const bad = await call('POST', '/api/rules/validate', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: 'fast' }], version: 3 } } });
    expect(bad.status).toBe(200);
    expect(bad.body.valid).toBe(false);
    expect(bad.body.issues).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'RULES_INVALID', path: 'rules.0.rate', source: 'draft' }), expect.objectContaining({ code: 'RULES_INVALID', path: 'version' })]));

    // Valid alone, invalid merged: a multiplier for a tier the ladder does not have.
    const merged = await call('POST', '/api/rules/validate', {
      token: tokens.admin,
      body: { scope: `store:${DEMO_STORE_ID}`, rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: '2' }], tiers: { ladder: [{ tier: 'standard', from: 100 }] } } },
    });
    expect(merged.body.valid).toBe(false);
    expect((merged.body.issues as { code: string; source: string }[]).every((i) => i.code === 'CONFIG_INVALID')).toBe(true);

    const good = await call('POST', '/api/rules/validate', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: '2' }] } } });
    expect(good.body).toMatchObject({ valid: true, issues: [] });
    // The store's rule replaced the chain's `base` in place; the tier multipliers are inherited.
    expect((good.body.effective as { rules: { id: string; rate?: string }[] }).rules).toEqual([expect.objectContaining({ id: 'base', rate: '2' }), expect.objectContaining({ id: 'tier-multipliers' })]);
    expect((await call('POST', '/api/rules/validate', { token: tokens.admin, body: { scope: 'store:nowhere', rules: {} } })).status).toBe(404);
    expect((await call('POST', '/api/rules/validate', { token: tokens.admin, body: { scope: 'planet:mars', rules: {} } })).status).toBe(400);
    expect(await configStore.latestBundle(STORE_SCOPE)).toBeNull();
  });

  it('tries a draft on a sample member and basket: the engine’s points and trace under the draft and as published, no ledger change', async () => {
    const before = await env.hub.store.transactionCount();
    const answer = await call('POST', '/api/rules/try', { token: tokens.region, body: { scope: `store:${DEMO_STORE_ID}`, rules: { rules: [{ kind: 'earn_rate', id: 'base', label: '2 pt/yuan', rate: '2' }] }, input: sample() } });
    expect(answer.status).toBe(200);
    const draft = answer.body.draft as { ok: boolean; evaluation: { result: { pointsEarned: number; trace: { ruleId: string }[] }; receipt: string[] } };
    const published = answer.body.published as typeof draft;
    expect(draft.ok).toBe(true);
    expect(draft.evaluation.result.pointsEarned).toBe(200);
    expect(published.evaluation.result.pointsEarned).toBe(100);
    expect(draft.evaluation.result.trace.map((t) => t.ruleId)).toContain('base');
    // Each step in both languages for the console: HQ's label as written, the engine's own words rendered.
    expect(draft.evaluation.result.trace.find((t) => t.ruleId === 'base')).toMatchObject({ label: '2 pt/yuan', textZh: '2 pt/yuan', textEn: '2 pt/yuan' });
    const unlabelled = await call('POST', '/api/rules/try', { token: tokens.region, body: { scope: `store:${DEMO_STORE_ID}`, rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: '3' }] }, input: sample() } });
    expect((unlabelled.body.draft as typeof draft).evaluation.result.trace.find((t) => t.ruleId === 'base')).toMatchObject({ label: '3 pt/yuan', textZh: '每元3积分', textEn: '3 pt/yuan' });
    expect(await env.hub.store.transactionCount()).toBe(before);

    const invalid = await call('POST', '/api/rules/try', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, rules: { rules: 'x' }, input: sample() } });
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: 'RULES_INVALID' } } });
    const badInput = await call('POST', '/api/rules/try', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, rules: {}, input: { lines: [] } } });
    expect(badInput).toMatchObject({ status: 400, body: { error: { code: 'TX_INVALID' } } });
    // An engine refusal is an answer of the dry run, not a failed request.
    const overShare = { ...sample(), payments: [{ method: 'points', points: 9_999_999 }] };
    const refused = await call('POST', '/api/rules/try', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, rules: { pointsPayment: { pointsPerYuan: 100, maxShare: '0.5' } }, input: overShare } });
    expect(refused.status).toBe(200);
    expect(refused.body.draft).toMatchObject({ ok: false, error: { code: expect.any(String) } });
  });

  it('publishes a draft signed to a store (other sections kept), refuses a stale base, rolls an earlier version forward, all audited', async () => {
    // The store already publishes a receipt text through `config publish`: the Rules page keeps it.
    const withReceipt = await call('POST', '/api/config', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, content: { receipt: { footer: [{ 'zh-CN': '谢谢惠顾' }] } } } });
    expect(withReceipt.status).toBe(201);
    const kiosk = await enrolForTest(env, 'kiosk-rules-1');

    const first = await call('POST', '/api/rules/publish', { token: tokens.region, body: { scope: `store:${DEMO_STORE_ID}`, baseVersion: 1, rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: '2' }] } } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ scope: STORE_SCOPE, version: 2, kiosks: [kiosk.deviceId] });
    const stored = (await configStore.latestBundle(STORE_SCOPE))!;
    expect(stored.publishedBy).toMatch(/^staff:/);
    expect(stored.signed.signed.content).toEqual({ receipt: { footer: [{ 'zh-CN': '谢谢惠顾' }] }, rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: '2' }] } });

    // Someone else's draft opened at version 1: refused, nothing stored.
    const stale = await call('POST', '/api/rules/publish', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, baseVersion: 1, rules: {} } });
    expect(stale).toMatchObject({ status: 409, body: { error: { code: 'CONFIG_VERSION_STALE' } } });
    const invalid = await call('POST', '/api/rules/publish', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: '-1' }] } } });
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: 'RULES_INVALID' } } });
    expect((await configStore.latestBundle(STORE_SCOPE))!.version).toBe(2);

    const third = await call('POST', '/api/rules/publish', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, baseVersion: 2, rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: '3' }] } } });
    expect(third.body).toMatchObject({ version: 3 });
    // Roll forward: version 2's rules again, as version 4.
    const again = await call('POST', '/api/rules/publish', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, fromVersion: 2, baseVersion: 3 } });
    expect(again).toMatchObject({ status: 201, body: { version: 4 } });
    const view = (await call('GET', `/api/rules/scope?scope=store:${DEMO_STORE_ID}`, { token: tokens.admin })).body as { latest: { version: number; rules: unknown; digest: string }; history: { version: number; digest: string | null }[]; inherited: { rules: unknown[] }; effective: { rules: { id: string; rate?: string }[] } };
    expect(view.latest).toMatchObject({ version: 4, rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: '2' }] } });
    expect(view.history.map((h) => h.version)).toEqual([4, 3, 2, 1]);
    expect(view.history[0]!.digest).toBe(view.history[2]!.digest);
    expect(view.history[3]!.digest).toBeNull();
    expect(view.effective.rules[0]).toMatchObject({ id: 'base', rate: '2' });
    expect(view.inherited.rules).toHaveLength(2);
    expect((await call('POST', '/api/rules/publish', { token: tokens.admin, body: { scope: `store:${DEMO_STORE_ID}`, fromVersion: 99 } })).status).toBe(404);

    const entries = await env.hub.store.identity.auditEntries({ limit: 50, target: STORE_SCOPE });
    const outcomes = entries.map((e) => `${e.action} ${e.outcome}`);
    expect(outcomes).toEqual(expect.arrayContaining(['rules.publish ok', 'rules.publish refused:CONFIG_VERSION_STALE', 'rules.publish refused:RULES_INVALID', 'rules.roll_forward ok', 'rules.roll_forward refused:NOT_FOUND']));
    expect(entries.find((e) => e.action === 'rules.roll_forward' && e.outcome === 'ok')).toMatchObject({ before: { version: 3 }, after: { version: 4, kiosks: 1 }, detail: { fromVersion: 2 } });

    // Rollout: the kiosk reports it applied version 4 of the store's scope.
    const pending = (await call('GET', `/api/rules/rollout?scope=store:${DEMO_STORE_ID}`, { token: tokens.region })).body;
    expect(pending).toMatchObject({ scope: STORE_SCOPE, version: 4, applied: 0, pending: 1, kiosks: [{ deviceId: kiosk.deviceId, status: 'pending', scopeVersion: null }] });
    const report = { deviceId: kiosk.deviceId, connected: true, software: '0.1.0', config: { snapshotVersion: 9, rulesVersion: 2, scopeVersions: { global: 1, [STORE_SCOPE]: 4 }, expires: '2030-01-01T00:00:00.000Z', lastRefusal: null } };
    env.hub.deviceStatus.receiveState(kiosk.deviceId, Buffer.from(JSON.stringify(report)), true);
    await env.hub.deviceStatus.waitFor((s) => s.deviceId === kiosk.deviceId && s.scopeVersions[STORE_SCOPE] === 4);
    const applied = (await call('GET', `/api/rules/rollout?scope=store:${DEMO_STORE_ID}&version=4`, { token: tokens.admin })).body;
    expect(applied).toMatchObject({ version: 4, applied: 1, pending: 0, kiosks: [{ deviceId: kiosk.deviceId, status: 'applied', scopeVersion: 4 }] });
    expect((await call('GET', `/api/rules/rollout?scope=store:${OTHER_STORE}`, { token: tokens.region })).status).toBe(403);
  });
});
