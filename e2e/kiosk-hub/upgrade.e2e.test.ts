/**
 * Upgrades keep queued money. A kiosk outbox written by transaction format 1 (four sales queued while the hub
 * was away) and a hub ledger at schema version 1, both made by the previous release's own code
 * (fixtures/*.sql), are opened by this version: the ledger migrates, the outbox migrates, and the queued
 * entries drain into the new hub exactly once, in order, under the seqs they were queued with.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { readLedgerTransactions } from '../support/ledger-file.ts';
import { readOutboxEntries } from '../support/outbox-file.ts';
import { purchaseBody } from '../support/purchase.ts';
import { kioskCredentials } from '../support/kiosk-credentials.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

function restore(path: string, sql: string): void {
  const db = new Database(path);
  db.exec(sql);
  db.close();
}

describe('upgrade from transaction format 1 and ledger schema 1', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let env: TestHub | null = null;
  let device: Device | null = null;

  beforeEach(() => {
    temp = makeTempDir('mk-e2e-upgrade-');
  });
  afterEach(async () => {
    await device?.stop();
    await env?.dispose();
    temp.cleanup();
  });

  it('drains the outbox the previous version queued into the new hub, once each, in order', async () => {
    const hubDir = join(temp.dir, 'hub');
    const kioskDir = join(temp.dir, 'kiosk');
    mkdirSync(hubDir);
    mkdirSync(kioskDir);
    restore(join(hubDir, 'ledger.sqlite'), fixture('ledger-schema-1.sql'));
    restore(join(kioskDir, 'device.sqlite'), fixture('outbox-format-1.sql'));
    const v1 = new Database(join(kioskDir, 'device.sqlite'), { readonly: true });
    const queued = v1.prepare<[], { seq: number; status: string }>('SELECT seq, status FROM outbox ORDER BY seq').all();
    v1.close();
    expect(queued.map((e) => [e.seq, e.status])).toEqual([[1, 'done'], [2, 'done'], [3, 'pending'], [4, 'pending'], [5, 'pending'], [6, 'pending']]);

    env = await startTestHub({ dataDir: hubDir });
    const goldBefore = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    device = createDevice({ deviceId: 'kiosk-v1', storeId: 'store-001', hubUrl: env.brokerUrl, mqtt: await kioskCredentials(env, 'kiosk-v1'), dataDir: kioskDir, httpPort: 0, logLevel: 'silent', tuning: { reconnectMs: 100 } });
    const { apiUrl } = await device.start();
    await vi.waitFor(async () => expect(await getJson(`${apiUrl}/state`)).toMatchObject({ connected: true, outboxDepth: 0 }), { timeout: 10_000, interval: 25 });

    // Format 1's payloads applied as they were written: 12.50 + 20.00 (stored value) + 9.90 for gold.
    const goldAfter = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    expect(goldAfter.storedValueCents).toBe(goldBefore.storedValueCents - 2_000);
    expect(goldAfter.points).toBeGreaterThan(goldBefore.points);

    // New sales continue the same sequence in format 1's epoch, so the hub sees one unbroken order.
    const sold = await postJson<{ status: string; seq: number }>(`${apiUrl}/tx/purchase`, purchaseBody(500, { cardUid: DEMO_CARDS.gold }));
    expect(sold.body).toMatchObject({ status: 'applied', seq: 7 });
    await device.stop();
    device = null;

    const outbox = readOutboxEntries(kioskDir);
    const ledger = readLedgerTransactions(hubDir, 'kiosk-v1');
    expect(outbox.every((e) => e.status === 'done' && e.epoch === '')).toBe(true);
    expect(ledger.map((r) => [r.epoch, r.seq, r.txId, r.status])).toEqual(outbox.map((e) => ['', e.seq, e.id, 'applied']));
    expect(await env.hub.store.audit()).toEqual([]);
    const db = new Database(join(hubDir, 'ledger.sqlite'), { readonly: true });
    expect(db.prepare("SELECT value FROM schema_meta WHERE key = 'schema_version'").get()).toEqual({ value: '2' });
    db.close();
  });
});
