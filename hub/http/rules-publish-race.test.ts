/**
 * Two publishes from the same draft (a double click on two stacked confirm boxes, two tabs, a resent request) must
 * not both land: the draft's baseVersion is the version the new one replaces, so only one of them may become
 * baseVersion + 1. The route checked the base, then let the publish path number the bundle "newest + 1" after
 * checking the draft; a publish landing in between was checked against a base that no longer held, and the second
 * request was stored as one more version instead of being refused.
 *
 * Real hub over HTTPS, real SQLite config store. The order is forced, not hoped for: the config store's read of the
 * scope's newest version inside the first publish is held (a wrapper on the real store's method, the injected
 * delay) until the second, identical publish has been answered — exactly the window a slow publish leaves open.
 */
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SqliteConfigStore } from '../config/sqlite-config-store.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { createIdentityService } from '../identity/identity-service.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const STORE_SCOPE = `store/${DEMO_STORE_ID}`;

describe('publishing rules twice from the same draft (real hub, the second publish forced into the first one’s window)', () => {
  let env: TestHub;
  let token = '';
  const publish = (baseVersion: number, rate: string) =>
    hubHttps(env, 'POST', '/api/rules/publish', { token, body: { scope: `store:${DEMO_STORE_ID}`, baseVersion, rules: { rules: [{ kind: 'earn_rate', id: 'base', rate }] } } });
  const versions = async () => ((await hubHttps(env, 'GET', `/api/rules/scope?scope=store:${DEMO_STORE_ID}`, { token })).body.history as { version: number }[]).map((h) => h.version);

  beforeAll(async () => {
    env = await startTestHub();
    const identity = createIdentityService({ store: env.hub.store.identity, logger: pino({ level: 'silent' }) });
    token = (await identity.login(DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, 'hub')).token;
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    await env?.dispose();
  });

  it('stores one new version and refuses the other with CONFIG_VERSION_STALE, whichever lands first', async () => {
    const first = await publish(0, '1');
    expect(first).toMatchObject({ status: 201, body: { version: 1 } });

    // Reads of the store's newest version: the first publish's base check is read 1, its publish path's read 2.
    // Read 2 waits until a second publish from the same draft (base 1) has been answered.
    const realLatest = Object.getOwnPropertyDescriptor(SqliteConfigStore.prototype, 'latestBundle')!.value as SqliteConfigStore['latestBundle'];
    let reads = 0;
    let second: Awaited<ReturnType<typeof publish>> | undefined;
    vi.spyOn(SqliteConfigStore.prototype, 'latestBundle').mockImplementation(async function (this: SqliteConfigStore, scope: string) {
      if (scope === STORE_SCOPE && ++reads === 2) second = await publish(1, '2');
      return realLatest.call(this, scope);
    });
    const firstOfTwo = await publish(1, '2');
    expect(second, 'the second publish was sent inside the first one’s window').toBeDefined();

    const answers = [firstOfTwo, second!].map((a) => (a.status === 201 ? `201 v${String(a.body.version)}` : `${a.status} ${(a.body.error as { code: string }).code}`));
    expect(answers.sort()).toEqual(['201 v2', '409 CONFIG_VERSION_STALE']);
    vi.restoreAllMocks();
    expect(await versions()).toEqual([2, 1]);
    const outcomes = (await env.hub.store.identity.auditEntries({ limit: 10, target: STORE_SCOPE })).map((e) => `${e.action} ${e.outcome}`);
    expect(outcomes.filter((o) => o === 'rules.publish refused:CONFIG_VERSION_STALE')).toHaveLength(1);
  });
});
