/**
 * Upgrades keep queued money. A kiosk outbox written by transaction format 1 (four sales queued while the hub
 * was away) and a hub ledger at schema version 1, both made by the previous release's own code
 * (fixtures/*.sql), are opened by this version: the ledger migrates, the outbox migrates, and the queued
 * entries drain into the new hub exactly once, in order, under the seqs they were queued with. A queued staff
 * transaction authorised only by a staff card number (format 1 had no staff sessions) is refused
 * STAFF_SESSION_REQUIRED, recorded, so the queue goes on; staff card numbers are kept masked in the ledger.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { maskCardUid } from '../../core/privacy/mask.ts';
import { DEMO_CARDS, DEMO_STAFF_CARD } from '../../hub/demo/seed-demo-data.ts';
import { SCHEMA_VERSION } from '../../hub/ledger/sqlite/schema.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { tapMember } from '../support/kiosk-api.ts';
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
    // The previous version's kiosk was a counter kiosk that took cash: the hub is told so before it connects
    // (a kiosk the hub was not told about is unattended, and its cash sales would be refused TENDER_NOT_ALLOWED).
    await env.hub.store.identity.setDeviceMode('kiosk-v1', 'attended');
    const goldBefore = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    const silverBefore = (await env.hub.store.memberViewByCard(DEMO_CARDS.silver))!.balances;
    device = createDevice({ demo: true, deviceId: 'kiosk-v1', storeId: 'store-001', hubUrl: env.brokerTlsUrl!, mqtt: await kioskCredentials(env, 'kiosk-v1'), dataDir: kioskDir, httpPort: 0, logLevel: 'silent', tuning: { reconnectMs: 100 } });
    const { apiUrl } = await device.start();
    await vi.waitFor(async () => expect(await getJson(`${apiUrl}/state`)).toMatchObject({ connected: true, outboxDepth: 0 }), { timeout: 10_000, interval: 25 });

    // Format 1's payloads applied as they were written: 12.50 + 20.00 (stored value) + 9.90 for gold.
    const goldAfter = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    expect(goldAfter.storedValueCents).toBe(goldBefore.storedValueCents - 2_000);
    expect(goldAfter.points).toBeGreaterThan(goldBefore.points);
    // Seq 5, a ¥100 top-up for silver authorised by a staff card number alone: refused, recorded, nothing credited.
    expect(await getJson(`${apiUrl}/tx/01M8PYB2ZMADWGDK10BXTSR09P`)).toMatchObject({ status: 'done', result: { status: 'rejected', code: 'STAFF_SESSION_REQUIRED', recorded: true } });
    expect((await env.hub.store.memberViewByCard(DEMO_CARDS.silver))!.balances).toEqual(silverBefore);

    // New sales continue the same sequence in format 1's epoch, so the hub sees one unbroken order.
    await tapMember(apiUrl, DEMO_CARDS.gold);
    const sold = await postJson<{ status: string; seq: number }>(`${apiUrl}/tx/purchase`, purchaseBody(500));
    expect(sold.body).toMatchObject({ status: 'applied', seq: 7 });
    await device.stop();
    device = null;

    const outbox = readOutboxEntries(kioskDir);
    // Nor in the kiosk's outbox: its upgrade masked the entries format 1 wrote (done and pending alike).
    const kioskDb = new Database(join(kioskDir, 'device.sqlite'), { readonly: true });
    expect(kioskDb.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE instr(payload, ?) > 0').get(DEMO_STAFF_CARD)).toEqual({ n: 0 });
    expect(kioskDb.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE instr(payload, ?) > 0').get(maskCardUid(DEMO_STAFF_CARD))).toEqual({ n: 2 });
    kioskDb.close();
    const ledger = readLedgerTransactions(hubDir, 'kiosk-v1');
    expect(outbox.every((e) => e.status === 'done' && e.epoch === '')).toBe(true);
    // Every entry once under its seq: all applied but the refused staff top-up (recorded, with no journal entry,
    // so it comes last in journal order); the applied ones in the kiosk's order.
    const REFUSED_SEQ = 5;
    expect(ledger.map((r) => [r.epoch, r.seq, r.txId]).sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual(outbox.map((e) => ['', e.seq, e.id]));
    expect(ledger.map((r) => [r.seq, r.status])).toEqual([
      ...outbox.filter((e) => e.seq !== REFUSED_SEQ).map((e) => [e.seq, 'applied']),
      [REFUSED_SEQ, 'rejected'],
    ]);
    expect(await env.hub.store.audit()).toEqual([]);
    // Schema 4: the members schema 1 knew have no home store (only chain-wide staff see them) until they shop in
    // a store: the gold member's queued purchases were made at kiosk-v1, enrolled in store-001.
    const gold = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.memberId;
    expect(await env.hub.store.memberStores(gold)).toEqual({ homeStoreId: null, shoppedAtStoreIds: ['store-001'] });
    const db = new Database(join(hubDir, 'ledger.sqlite'), { readonly: true });
    expect(db.prepare("SELECT value FROM schema_meta WHERE key = 'schema_version'").get()).toEqual({ value: String(SCHEMA_VERSION) });
    expect(db.prepare('SELECT COUNT(*) AS n FROM members WHERE home_store_id IS NOT NULL').get()).toEqual({ n: 0 });
    // No staff card number in clear in the ledger: not in the rows schema 1 recorded, not in the refusal made now.
    const refused = db.prepare<[string], { code: string; payload: string }>('SELECT code, payload FROM transactions WHERE tx_id = ?').get('01M8PYB2ZMADWGDK10BXTSR09P');
    expect(refused?.code).toBe('STAFF_SESSION_REQUIRED');
    expect(JSON.parse(refused!.payload)).toMatchObject({ staffCardUid: maskCardUid(DEMO_STAFF_CARD) });
    const appliedTopUp = db.prepare<[string], { payload: string }>('SELECT payload FROM transactions WHERE tx_id = ?').get('01M8PYB2YPYQWARHEC7EZENJRR');
    expect(JSON.parse(appliedTopUp!.payload)).toMatchObject({ staffCardUid: maskCardUid(DEMO_STAFF_CARD) });
    for (const table of ['transactions', 'sequence_slots']) {
      expect(db.prepare<[string], { n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE instr(payload, ?) > 0`).get(DEMO_STAFF_CARD)).toEqual({ n: 0 });
    }
    db.close();
  });
});
