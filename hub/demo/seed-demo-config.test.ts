/**
 * `memberkiosk demo`'s hub publishes the demo store's shop and receipt texts once, through the one publish path
 * (signed, versioned): a second start with the same data publishes nothing more. A hub without seedDemoConfig
 * (every other test hub) publishes none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from './seed-demo-data.ts';
import { DEMO_STORE_CONFIG } from './seed-demo-config.ts';
import { hubHttps } from '../testing/hub-https.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

async function storeBundles(hub: TestHub): Promise<{ scope: string; version: number }[]> {
  const login = await hubHttps(hub, 'POST', '/api/login', { body: { login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD } });
  const overview = await hubHttps(hub, 'GET', '/api/config', { token: String(login.body.token) });
  expect(overview.status).toBe(200);
  const scopes = (overview.body as { scopes: { scope: string; version: number; publishedBy: string }[] }).scopes;
  return scopes.filter((b) => b.scope === `store/${DEMO_STORE_ID}`);
}

describe('the demo store configuration', () => {
  const hubs: TestHub[] = [];
  afterEach(async () => {
    for (const hub of hubs.splice(0)) await hub.dispose();
  });

  it('is published once on a demo hub, signed like any other, and not again on the next start', async () => {
    const first = await startTestHub({ seedDemoConfig: true });
    hubs.push(first);
    expect(await storeBundles(first)).toEqual([expect.objectContaining({ scope: `store/${DEMO_STORE_ID}`, version: 1, publishedBy: 'hub' })]);
    await first.hub.stop();
    const again = await startTestHub({ seedDemoConfig: true, dataDir: first.dataDir });
    hubs.push(again);
    expect(await storeBundles(again)).toEqual([expect.objectContaining({ version: 1 })]);
    expect(DEMO_STORE_CONFIG.items?.every((item) => item.name['zh-CN'] && item.priceCents > 0)).toBe(true);
  });

  it('is not published by a hub that was not asked to', async () => {
    const plain = await startTestHub();
    hubs.push(plain);
    expect(await storeBundles(plain)).toEqual([]);
  });
});
