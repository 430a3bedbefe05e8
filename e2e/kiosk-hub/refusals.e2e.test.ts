/**
 * No poison transaction, no silent drop: a real kiosk (createDevice, HTTP, MQTT) against a real hub
 * (embedded aedes, SQLite). An entry the hub can never apply closes on the refusal it recorded and the queue
 * goes on; a refusal nobody recorded never closes an entry; a kiosk whose seqs someone else used, or that
 * was reinstalled under the same id, still gets every accepted sale applied once.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { RawDeviceClient } from '../../hub/testing/raw-device-client.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { openOutbox } from '../../device/outbox/sqlite-outbox.ts';
import { createCaptureLogger } from '../../device/test-support/capture-logger.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { findFreePort } from '../support/free-port.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { buyAs, tapMember } from '../support/kiosk-api.ts';
import { readLedgerTransactions } from '../support/ledger-file.ts';
import { readOutboxEntries } from '../support/outbox-file.ts';
import { purchaseBody } from '../support/purchase.ts';
import { kioskCredentials } from '../support/kiosk-credentials.ts';

interface KioskState {
  connected: boolean;
  outboxDepth: number;
  epoch: string;
  alerts: { code: string; detail: Record<string, unknown> }[];
}
interface SaleAnswer {
  id: string;
  status: string;
  error?: { code: string };
}

/** 200 lines whose sku and category are long CJK strings: every field valid, ~90 KB in all. */
function poisonLines() {
  return Array.from({ length: 200 }, (_, i) => ({ lineNo: i + 1, sku: '鲜'.repeat(63) + String(i % 10), category: '乳制品'.repeat(21), qty: 1, unitPriceCents: 100 }));
}

describe('refusals between a real kiosk and a real hub', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let env: TestHub | null = null;
  let devices: Device[] = [];

  beforeEach(() => {
    temp = makeTempDir('mk-e2e-refusals-');
    devices = [];
  });
  afterEach(async () => {
    for (const device of devices) await device.stop();
    const audit = await env?.hub.store.audit();
    await env?.dispose();
    env = null;
    temp.cleanup();
    if (audit !== undefined) expect(audit).toEqual([]);
  });

  async function startKiosk(deviceId: string, dataDir: string, hubUrl: string): Promise<string> {
    const device = createDevice({ demo: true, deviceId, storeId: DEMO_STORE_ID, hubUrl, mqtt: await kioskCredentials(env!, deviceId), dataDir, httpPort: 0, logLevel: 'silent', tuning: { reconnectMs: 100 } });
    devices.push(device);
    return (await device.start()).apiUrl;
  }

  async function drained(apiUrl: string): Promise<KioskState> {
    let state: KioskState | null = null;
    await vi.waitFor(
      async () => {
        state = await getJson<KioskState>(`${apiUrl}/state`);
        expect(state).toMatchObject({ connected: true, outboxDepth: 0 });
      },
      { timeout: 15_000, interval: 25 },
    );
    return state!;
  }

  it('refuses a basket over the envelope limit with 413 and queues nothing', async () => {
    env = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    const apiUrl = await startKiosk('kiosk-big', join(temp.dir, 'kiosk'), env.brokerTlsUrl!);
    await tapMember(apiUrl, DEMO_CARDS.gold);
    const refused = await postJson<SaleAnswer>(`${apiUrl}/tx/purchase`, { lines: poisonLines(), payments: [{ method: 'stored_value', amountCents: 20_000 }] });
    expect(refused.status).toBe(413);
    expect(refused.body.error?.code).toBe('TX_TOO_LARGE');
    expect((await getJson<KioskState>(`${apiUrl}/state`)).outboxDepth).toBe(0);
    const sold = await buyAs<SaleAnswer>(apiUrl, DEMO_CARDS.gold, purchaseBody(500));
    expect(sold.body.status).toBe('applied');
  });

  it('closes an oversize entry an older kiosk queued on the refusal the hub recorded, and the queue goes on', async () => {
    env = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    const kioskDir = join(temp.dir, 'kiosk');
    mkdirSync(kioskDir);
    // An entry a previous version accepted (each field valid) sits at the head of the outbox.
    const outbox = openOutbox({ path: join(kioskDir, 'device.sqlite'), deviceId: 'kiosk-old', storeId: DEMO_STORE_ID, logger: createCaptureLogger().logger });
    const epoch = outbox.epoch();
    outbox.close();
    const poisonId = createUlidFactory(Date.now, (n) => new Uint8Array(n).fill(7))();
    const poison = {
      id: poisonId, deviceId: 'kiosk-old', epoch, seq: 1, kind: 'purchase', createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 0,
      cardUid: DEMO_CARDS.gold, lines: poisonLines(), payments: [{ method: 'stored_value', amountCents: 20_000 }],
    };
    const db = new Database(join(kioskDir, 'device.sqlite'));
    db.prepare(`INSERT INTO outbox (pos, id, kind, epoch, seq, payload, status, created_at) VALUES (1, ?, 'purchase', ?, 1, ?, 'pending', ?)`).run(poisonId, epoch, JSON.stringify(poison), poison.createdAt);
    db.close();

    const apiUrl = await startKiosk('kiosk-old', kioskDir, env.brokerTlsUrl!);
    const after = await buyAs<SaleAnswer>(apiUrl, DEMO_CARDS.gold, purchaseBody(500));
    const state = await drained(apiUrl);
    expect((await getJson<SaleAnswer & { result: { code: string } }>(`${apiUrl}/tx/${poisonId}`))).toMatchObject({ status: 'done', result: { status: 'rejected', code: 'TX_TOO_LARGE', recorded: true } });
    expect(await getJson(`${apiUrl}/tx/${after.body.id}`)).toMatchObject({ status: 'done', result: { status: 'applied' } });
    expect(state.alerts).toContainEqual(expect.objectContaining({ code: 'TX_CLOSED_BY_REFUSAL', detail: expect.objectContaining({ txId: poisonId, code: 'TX_TOO_LARGE' }) }));
    expect(readLedgerTransactions(join(temp.dir, 'hub'), 'kiosk-old').map((r) => [r.seq, r.status])).toEqual([[2, 'applied'], [1, 'rejected']]);
  });

  it('applies the sales of a kiosk reinstalled with an empty data directory under the same id', async () => {
    env = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    const first = await startKiosk('kiosk-re', join(temp.dir, 'kiosk-before'), env.brokerTlsUrl!);
    for (let i = 0; i < 3; i++) expect((await buyAs<SaleAnswer>(first, DEMO_CARDS.gold, purchaseBody(100))).body.status).toBe('applied');
    await devices.pop()!.stop();

    // Same id, fresh disk: its seqs start at 1 again, in an epoch of their own.
    const again = await startKiosk('kiosk-re', join(temp.dir, 'kiosk-after'), env.brokerTlsUrl!);
    const sale = await buyAs<SaleAnswer>(again, DEMO_CARDS.gold, purchaseBody(700));
    expect(sale.body.status).toBe('applied');
    await drained(again);
    expect(await env.hub.store.consumedSeqs('kiosk-re')).toBe(4);
    expect((await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.history.map((h) => h.txId)).toContain(sale.body.id);
  });

  it('moves sales to a new epoch when an outside client used up the kiosk’s next seqs, and applies every one once', async () => {
    const port = await findFreePort();
    const hubDir = join(temp.dir, 'hub');
    const kioskDir = join(temp.dir, 'kiosk');
    // The TLS port is fixed: the hub restarts where the kiosk looks for it.
    env = await startTestHub({ dataDir: hubDir, broker: { mode: 'embedded', host: '127.0.0.1', port: 0, tlsPort: port } });
    const apiUrl = await startKiosk('kiosk-sq', kioskDir, env.brokerTlsUrl!);
    expect((await buyAs<SaleAnswer>(apiUrl, DEMO_CARDS.gold, purchaseBody(100))).body.status).toBe('applied');
    // A counter kiosk (as the hub told it on connect): its offline sales are paid in cash, which HQ's offline
    // limits (3 stored-value spends per card until the hub confirms them) do not cap.
    await vi.waitFor(async () => expect(await getJson(`${apiUrl}/state`)).toMatchObject({ mode: 'attended' }), { timeout: 10_000, interval: 25 });
    await env.hub.stop();
    const accepted: string[] = [];
    for (let i = 0; i < 5; i++) {
      const queued = await buyAs<SaleAnswer>(apiUrl, DEMO_CARDS.gold, purchaseBody(1_000 + i, { method: 'cash' }));
      expect(queued.status).toBe(202);
      accepted.push(queued.body.id);
    }
    const { epoch } = await getJson<KioskState>(`${apiUrl}/state`);
    await devices.pop()!.stop();

    // While the kiosk is away, someone publishing under its id (a clone holding its secret) takes seqs 2–4 of its epoch. The kiosk's 5 and 6
    // would be next in that epoch, but must not be applied before its 2–4 (now moved): the hub closes the epoch.
    await env.hub.start();
    const outsider = await RawDeviceClient.connect(env.brokerTlsUrl!, 'kiosk-sq', await kioskCredentials(env, 'kiosk-sq'));
    outsider.epoch = epoch;
    const foreign = { kind: 'purchase' as const, cardUid: DEMO_CARDS.silver, lines: [{ lineNo: 1, sku: 'X', category: 'c', qty: 1, unitPriceCents: 1 }], payments: [{ method: 'stored_value' as const, amountCents: 1 }] };
    for (let seq = 2; seq <= 4; seq++) expect((await outsider.send(outsider.make(foreign, { seq }))).status).toBe('applied');
    await outsider.close();

    const back = await startKiosk('kiosk-sq', kioskDir, env.brokerTlsUrl!);
    const state = await drained(back);
    expect(state.epoch).not.toBe(epoch);
    expect(state.alerts).toContainEqual(expect.objectContaining({ code: 'SEQ_EPOCH_MOVED', detail: expect.objectContaining({ moved: 5 }) }));
    for (const id of accepted) expect(await getJson(`${back}/tx/${id}`)).toMatchObject({ status: 'done', result: { status: 'applied' } });
    // Each applied once, in the new epoch, in the order the kiosk accepted them (ledger rows come in journal order).
    const ledger = readLedgerTransactions(hubDir, 'kiosk-sq');
    expect(ledger.filter((r) => accepted.includes(r.txId)).map((r) => [r.txId, r.epoch, r.seq, r.status])).toEqual(accepted.map((id, i) => [id, state.epoch, i + 1, 'applied']));
    expect(readOutboxEntries(kioskDir).filter((e) => e.status !== 'done')).toEqual([]);
    expect((await env.hub.store.deviceAlerts(20, 'kiosk-sq')).map((a) => a.code)).toContain('SEQ_EPOCH_MOVED');
  });
});
