/**
 * Signed fleet configuration at the hub, end to end on a real hub (embedded aedes, real SQLite, HTTPS API): the
 * demo root and signing key, retained sets and config.current checked with the kiosk's own acceptance, publishing
 * through the API (rights, audit, stale versions, unknown scopes, invalid rules), scoped re-snapshots, content-
 * addressed rules versions, signing-key rotation, and a region-scoped rule firing at the hub.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptConfigSet, type HeldConfig } from '../../core/config/accept-config-set.ts';
import type { ConfigSet } from '../../core/config/config-documents.ts';
import { certifySigningKey } from '../../core/config/sign-config-documents.ts';
import { createTopics } from '../../core/wire/topics.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_CARDS, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { DEMO_REGION_ID } from '../demo/seed-demo-fleet.ts';
import { DEMO_HQ_DIR } from '../demo/demo-config-keys.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import { enrolForTest, type DeviceCredentials } from '../testing/enrol-for-test.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import type { ConfigOverview } from './config-overview.ts';
import { createSigningKey } from './signing-key.ts';
import { ConfigKiosk } from './test-support/config-kiosk.ts';
import mqtt from 'mqtt';
import pino from 'pino';

const NOTHING: HeldConfig = { signingKeyVersion: 0, snapshotVersion: 0, scopeVersions: {} };
const topics = createTopics();

function held(set: ConfigSet): HeldConfig {
  return { signingKeyVersion: set.signingKey.signed.version, snapshotVersion: set.snapshot.signed.version, scopeVersions: Object.fromEntries(set.bundles.map((b) => [b.signed.scope, b.signed.version])) };
}

describe('signed configuration at the hub (real hub, broker, SQLite and HTTPS)', () => {
  let env: TestHub;
  let adminToken: string;
  let managerToken: string;
  const kiosks = new Map<string, { creds: DeviceCredentials; mqtt: ConfigKiosk }>();

  const call = (method: string, path: string, options: { token?: string; body?: unknown } = {}) => hubHttps(env, method, path, options);
  const overview = async () => (await call('GET', '/api/config', { token: adminToken })).body as unknown as ConfigOverview;
  const snapshotOf = async (deviceId: string) => (await overview()).kiosks.find((k) => k.deviceId === deviceId);
  const accept = (deviceId: string, set: unknown, h: HeldConfig = NOTHING) =>
    acceptConfigSet({ hqRootPublicKeyPem: env.hqRootPublicKeyPem, deviceId, storeId: kiosks.get(deviceId)!.creds.storeId, held: h, nowMs: Date.now(), set });

  async function addKiosk(deviceId: string, storeId: string): Promise<ConfigKiosk> {
    const creds = await enrolForTest(env, deviceId, { storeId });
    const mqtt = await ConfigKiosk.connect(env.brokerUrl, creds);
    kiosks.set(deviceId, { creds, mqtt });
    return mqtt;
  }

  beforeAll(async () => {
    env = await startTestHub();
    adminToken = (await call('POST', '/api/login', { body: { login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD } })).body.token as string;
    const identity = createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) });
    await identity.addStaff({ name: 'manager', role: 'store_manager', storeIds: [DEMO_STORE_ID], login: 'manager-1', password: 'a-long-password-1' }, { kind: 'system', id: 'test', surface: 'cli' });
    managerToken = (await identity.login('manager-1', 'a-long-password-1', 'hub')).token;
    for (const [id, name] of [['east', 'East'], ['west', 'West']] as const) await env.hub.fleet.addRegion({ regionId: id, name });
    await env.hub.fleet.addStore({ storeId: 'store-e1', name: 'E1', regionId: 'east' });
    await env.hub.fleet.addStore({ storeId: 'store-e2', name: 'E2', regionId: 'east' });
    await env.hub.fleet.addStore({ storeId: 'store-w1', name: 'W1', regionId: 'west' });
  });
  afterAll(async () => {
    for (const k of kiosks.values()) await k.mqtt.close();
    await env.dispose();
  });

  it('a demo hub pins a demo root before any kiosk enrols, and a kiosk’s retained set and config.current pass the kiosk’s checks', async () => {
    expect(env.hqRootPublicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(env.hqRootPublicKeyPem).toBe(readFileSync(join(env.dataDir, DEMO_HQ_DIR, 'hq-root.pub'), 'utf8'));
    const kiosk = await addKiosk('kiosk-demo', DEMO_STORE_ID);
    const retained = await kiosk.nextSet();
    const outcome = accept('kiosk-demo', retained);
    expect(outcome.status).toBe('accepted');
    if (outcome.status !== 'accepted') return;
    // The kiosk learns its store's region; the hub's own rules (the default, version 1) carry on as the global scope.
    expect(outcome.config.snapshot).toMatchObject({ deviceId: 'kiosk-demo', storeId: DEMO_STORE_ID, regionId: DEMO_REGION_ID, rulesVersion: 1 });
    expect(outcome.config.bundles.map((b) => b.scope)).toEqual(['global']);
    expect((await env.hub.store.latestRulesBundle())?.version).toBe(1);
    const answer = await kiosk.lookup({ op: 'config.current' });
    expect(answer).toMatchObject({ ok: true });
    const current = (answer as unknown as { configSet: ConfigSet }).configSet;
    expect(current.snapshot.signed.version).toBe(retained.snapshot.signed.version);
    expect(accept('kiosk-demo', current, held(retained))).toEqual({ status: 'unchanged' });
    const listed = await overview();
    expect(listed.signingKey).toMatchObject({ version: 1 });
    expect(listed.scopes).toContainEqual(expect.objectContaining({ scope: 'global', version: 1, publishedBy: 'hub', seededFromRules: 1 }));
  });

  it('refuses publishing to anyone but an HQ admin: 401 signed out, 403 a store manager; nothing stored', async () => {
    const body = { scope: 'global', content: { screen: { idleSeconds: 45 } } };
    expect((await call('POST', '/api/config', { body })).status).toBe(401);
    expect((await call('POST', '/api/config', { token: managerToken, body })).status).toBe(403);
    expect((await call('GET', '/api/config', { token: managerToken })).status).toBe(403);
    expect((await call('GET', '/api/config')).status).toBe(401);
    expect((await overview()).scopes.map((s) => s.scope)).toEqual(['global']);
  });

  it('a store-scoped bundle re-snapshots only that store’s kiosks, a region one only that region’s; equal merged rules share a rules version', async () => {
    const e1 = await addKiosk('kiosk-e1', 'store-e1');
    const e2 = await addKiosk('kiosk-e2', 'store-e2');
    const w1 = await addKiosk('kiosk-w1', 'store-w1');
    const before = { e1: await e1.nextSet(), e2: await e2.nextSet(), w1: await w1.nextSet() };
    const storeRule = { rules: [{ kind: 'earn_rate', id: 'store-double', rate: '2', categories: ['grocery'] }] };

    const published = await call('POST', '/api/config', { token: adminToken, body: { scope: 'store:store-e1', content: { rules: storeRule } } });
    expect(published).toMatchObject({ status: 201, body: { scope: 'store/store-e1', version: 1, kiosks: ['kiosk-e1'] } });
    const e1Set = await e1.nextSet((s) => s.snapshot.signed.version > before.e1.snapshot.signed.version);
    const e1Outcome = accept('kiosk-e1', e1Set, held(before.e1));
    expect(e1Outcome.status).toBe('accepted');
    if (e1Outcome.status !== 'accepted') return;
    expect(e1Outcome.config.rules.rules.map((r) => r.id)).toContain('store-double');
    const storeRulesVersion = e1Set.snapshot.signed.rulesVersion;
    expect(storeRulesVersion).toBeGreaterThan(1);
    // The ledger holds exactly the kiosk's merged rules under that number: it recomputes with them.
    expect(await env.hub.store.rulesBundle(storeRulesVersion)).toEqual(e1Outcome.config.rules);
    expect((await snapshotOf('kiosk-e2'))?.snapshotVersion).toBe(before.e2.snapshot.signed.version);
    expect((await snapshotOf('kiosk-w1'))?.snapshotVersion).toBe(before.w1.snapshot.signed.version);

    // Store e2 gets the same rule: same merged rules, same rules version (not a copy per store).
    await call('POST', '/api/config', { token: adminToken, body: { scope: 'store:store-e2', content: { rules: storeRule } } });
    const e2Set = await e2.nextSet((s) => s.snapshot.signed.version > before.e2.snapshot.signed.version);
    expect(e2Set.snapshot.signed.rulesVersion).toBe(storeRulesVersion);
    expect(accept('kiosk-e2', e2Set, held(before.e2)).status).toBe('accepted');

    // A region bundle: the west kiosk only.
    const e1Now = (await snapshotOf('kiosk-e1'))?.snapshotVersion;
    const e2Now = (await snapshotOf('kiosk-e2'))?.snapshotVersion;
    const west = await call('POST', '/api/config', { token: adminToken, body: { scope: 'region:west', content: { receipt: { footer: [{ 'zh-CN': '谢谢' }] } } } });
    expect(west).toMatchObject({ status: 201, body: { scope: 'region/west', kiosks: ['kiosk-w1'] } });
    const w1Set = await w1.nextSet((s) => s.snapshot.signed.version > before.w1.snapshot.signed.version);
    const w1Outcome = accept('kiosk-w1', w1Set, held(before.w1));
    expect(w1Outcome).toMatchObject({ status: 'accepted', config: { effective: { receipt: { footer: [{ 'zh-CN': '谢谢' }] } } } });
    // Nothing of the rules changed for the west kiosk: it keeps the shared default rules version.
    expect(w1Set.snapshot.signed.rulesVersion).toBe(before.w1.snapshot.signed.rulesVersion);
    expect((await snapshotOf('kiosk-e1'))?.snapshotVersion).toBe(e1Now);
    expect((await snapshotOf('kiosk-e2'))?.snapshotVersion).toBe(e2Now);
    const actions = (await env.hub.store.identity.auditEntries({ limit: 20, action: 'config.' })).map((e) => `${e.action} ${e.target} ${e.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['config.publish store/store-e1 ok', 'config.publish region/west ok']));
  });

  it('refuses a stale version, an unknown scope and content whose merged rules do not validate, auditing the refusals', async () => {
    expect(await call('POST', '/api/config', { token: adminToken, body: { scope: 'store:store-e1', version: 1, content: {} } })).toMatchObject({ status: 409, body: { error: { code: 'CONFIG_VERSION_STALE' } } });
    expect(await call('POST', '/api/config', { token: adminToken, body: { scope: 'store:store-nowhere', content: {} } })).toMatchObject({ status: 404, body: { error: { code: 'CONFIG_SCOPE_UNKNOWN' } } });
    expect(await call('POST', '/api/config', { token: adminToken, body: { scope: 'region:north', content: {} } })).toMatchObject({ status: 404, body: { error: { code: 'CONFIG_SCOPE_UNKNOWN' } } });
    expect(await call('POST', '/api/config', { token: adminToken, body: { scope: 'shelf:3', content: {} } })).toMatchObject({ status: 400, body: { error: { code: 'CONFIG_SCOPE_INVALID' } } });
    const bad = await call('POST', '/api/config', { token: adminToken, body: { scope: 'global', content: { rules: { rules: [{ kind: 'earn_rate', id: 'x', rate: 'lots' }] } } } });
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'CONFIG_INVALID' } } });
    expect(await call('POST', '/api/config', { token: adminToken, body: { scope: 'global', content: { offlineLimits: { perCardPerDayCents: 1.5 } } } })).toMatchObject({ status: 400, body: { error: { code: 'CONFIG_INVALID' } } });
    expect((await overview()).scopes.find((s) => s.scope === 'global')).toMatchObject({ version: 1 });
    const refusals = (await env.hub.store.identity.auditEntries({ limit: 20, action: 'config.' })).map((e) => e.outcome);
    expect(refusals).toEqual(expect.arrayContaining(['refused:CONFIG_VERSION_STALE', 'refused:CONFIG_SCOPE_UNKNOWN', 'refused:CONFIG_INVALID']));
  });

  it('a region-scoped rule fires at the hub for kiosks of that region only (the ledger knows each store’s region)', async () => {
    const regionRule = { rules: [{ kind: 'multiplier', id: 'demo-region-x3', factor: '3', scope: { regions: [DEMO_REGION_ID] } }] };
    const demo = kiosks.get('kiosk-demo')!;
    const before = (await snapshotOf('kiosk-demo'))!.snapshotVersion;
    expect(await call('POST', '/api/config', { token: adminToken, body: { scope: 'global', content: { rules: regionRule } } })).toMatchObject({ status: 201, body: { version: 2 } });
    const set = await demo.mqtt.nextSet((s) => s.snapshot.signed.version > before);
    const rulesVersion = set.snapshot.signed.rulesVersion;
    const device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-demo', demo.creds);
    try {
      // 100.00 paid in cash by a standard member: 1 pt/yuan, ×3 in the demo region.
      const tx = device.make(
        { kind: 'purchase', cardUid: DEMO_CARDS.standard, lines: [{ lineNo: 1, sku: 'TEA', category: 'grocery', qty: 1, unitPriceCents: 10_000 }], payments: [{ method: 'cash', amountCents: 10_000 }] },
        { bundleVersion: rulesVersion },
      );
      const result = await device.send(tx);
      expect(result).toMatchObject({ status: 'applied', outcome: { pointsEarned: 300 } });
    } finally {
      await device.close();
    }
    // The same rules for a kiosk of another region: no ×3.
    const west = kiosks.get('kiosk-w1')!;
    await west.mqtt.close();
    const westDevice = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-w1', west.creds);
    try {
      const westSet = (await snapshotOf('kiosk-w1'))!;
      const tx = { ...westDevice.make({ kind: 'purchase', cardUid: DEMO_CARDS.standard, lines: [{ lineNo: 1, sku: 'TEA', category: 'grocery', qty: 1, unitPriceCents: 10_000 }], payments: [{ method: 'cash', amountCents: 10_000 }] }, { bundleVersion: westSet.rulesVersion }), storeId: 'store-w1' };
      expect(await westDevice.send(tx)).toMatchObject({ status: 'applied', outcome: { pointsEarned: 100 } });
    } finally {
      await westDevice.close();
      kiosks.get('kiosk-w1')!.mqtt = await ConfigKiosk.connect(env.brokerUrl, west.creds);
    }
  });

  it('rotating the signing key re-signs everything: kiosks accept the new key with the root’s certificate and refuse a forged one', async () => {
    const kiosk = kiosks.get('kiosk-e1')!;
    const before = await kiosk.mqtt.nextSet();
    const rootPem = readFileSync(join(env.dataDir, DEMO_HQ_DIR, 'hq-root.key'), 'utf8');
    expect(createSigningKey(env.dataDir, rootPem).version).toBe(2);
    const rotated = await kiosk.mqtt.nextSet((s) => s.signingKey.signed.version === 2, 8_000);
    expect(accept('kiosk-e1', rotated, held(before)).status).toBe('accepted');
    // The same documents with the new key certified by another root (an attacker's): refused.
    const attacker = generateKeyPairSync('ed25519');
    const forged = structuredClone(rotated);
    const signingPublic = createPublicKey(createPrivateKey(readFileSync(join(env.dataDir, 'config-signing.key'), 'utf8')));
    forged.signingKey = certifySigningKey(attacker.privateKey, signingPublic, { version: 3, issuedAt: rotated.signingKey.signed.issuedAt, expires: rotated.signingKey.signed.expires });
    expect(accept('kiosk-e1', forged, held(before))).toMatchObject({ status: 'refused', code: 'CONFIG_SIGNING_KEY_UNCERTIFIED' });
    // The old key's set after the new one: refused as a rollback.
    expect(accept('kiosk-e1', before, held(rotated))).toMatchObject({ status: 'refused', code: 'CONFIG_ROLLBACK' });
    // A root that is not the installed one is refused by sign-key itself.
    const other = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => createSigningKey(env.dataDir, other)).toThrow(expect.objectContaining({ code: 'HQ_ROOT_MISMATCH' }));
    expect((await overview()).signingKey).toMatchObject({ version: 2 });
  });

  it('a revoked kiosk’s retained set is cleared from the broker and it leaves the overview', async () => {
    const probe = await addKiosk('kiosk-gone', 'store-w1');
    await probe.nextSet();
    /** Whether the broker still retains a set for the revoked kiosk (read with the hub's own rights). */
    const retained = async () => {
      const client = await mqtt.connectAsync(env.brokerUrl, { ...env.hub.embeddedBrokerCredentials!, clientId: `snoop-${Date.now()}`, reconnectPeriod: 0 });
      let found = false;
      client.on('message', (_topic, payload) => (found ||= payload.byteLength > 0));
      await client.subscribeAsync(topics.configSet('kiosk-gone'), { qos: 1 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      await client.endAsync();
      return found;
    };
    expect(await retained()).toBe(true);
    await env.hub.revokeDevice('kiosk-gone');
    await expect.poll(retained, { timeout: 5_000, interval: 100 }).toBe(false);
    // Its signed snapshots stay (transactions name them); it is no longer listed as a kiosk with a current set.
    expect((await overview()).kiosks.map((k) => k.deviceId)).not.toContain('kiosk-gone');
  });
});
