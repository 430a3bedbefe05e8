/**
 * The kiosk process dies (SIGKILL: no stop(), no flush) and comes back on the same data dir. What the outbox
 * held must reach the hub exactly once, in seq order: the outbox write is the promise, publishing is not.
 * The kiosk runs as `memberkiosk device` in a child process so the kill is real; the hub runs in-process.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { CliProcesses } from '../support/cli-process.ts';
import { expectDeliveredOnceInOrder } from '../support/expect-delivered-once.ts';
import { findFreePort } from '../support/free-port.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { tapMember } from '../support/kiosk-api.ts';
import { startKioskProcess } from '../support/kiosk-process.ts';
import { provisionTestKiosk } from '../support/provision-test-kiosk.ts';
import { readLedgerTransactions } from '../support/ledger-file.ts';
import { readOutboxEntries } from '../support/outbox-file.ts';
import { purchaseBody } from '../support/purchase.ts';

interface Submitted {
  id: string;
  seq: number;
  status: string;
}

describe('kiosk process killed with SIGKILL', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let children: CliProcesses;
  let env: TestHub | null = null;

  beforeEach(() => {
    temp = makeTempDir('mk-e2e-kiosk-crash-');
    children = new CliProcesses();
  });

  afterEach(async () => {
    await children.killAll();
    const audit = await env?.hub.store.audit();
    await env?.dispose();
    env = null;
    temp.cleanup();
    // The journal must still explain every balance, whatever the test did (undefined: the hub never started,
    // and the test has already failed on that).
    if (audit !== undefined) expect(audit).toEqual([]);
  });

  it('delivers a purchase written to the outbox but never published exactly once after a restart', async () => {
    const deviceId = 'kiosk-crash-1';
    const kioskDir = join(temp.dir, 'kiosk');
    const hubDir = join(temp.dir, 'hub');
    // The hub's TLS port is fixed, so it can come back where the kiosk looks for it.
    const mqttsPort = await findFreePort();
    const hubUrl = `mqtts://127.0.0.1:${mqttsPort}`;
    // Enrolled first, as a technician does; then the hub goes away before the kiosk ever starts.
    const enrolling = await startTestHub({ dataDir: hubDir });
    await provisionTestKiosk({ hubDataDir: hubDir, httpsUrl: enrolling.httpsUrl!, deviceId, kioskDir });
    await enrolling.dispose();

    env = await startTestHub({ dataDir: hubDir, broker: { mode: 'embedded', host: '127.0.0.1', port: 0, tlsPort: mqttsPort } });
    const store = env.hub.store;
    const first = await startKioskProcess(children, { hubUrl, deviceId, dataDir: kioskDir });
    // The member taps while the hub answers (the kiosk caches the view), then the hub goes away: the kiosk
    // acts only for a card on its reader, and shows a member it never saw only with the hub.
    await vi.waitFor(async () => expect(await getJson(`${first.apiUrl}/state`)).toMatchObject({ connected: true }), { timeout: 10_000, interval: 20 });
    const before = (await store.memberViewByCard(DEMO_CARDS.gold))!;
    await tapMember(first.apiUrl, DEMO_CARDS.gold);
    const countBefore = await store.transactionCount();
    expect(await store.consumedSeqs(deviceId)).toBe(0);
    await env.hub.stop();

    // Nobody listens on the hub's port now, so 'queued' means: durably in the outbox, not published.
    const submitted = await postJson<Submitted>(`${first.apiUrl}/tx/purchase`, purchaseBody(4_000));
    expect(submitted.status).toBe(202);
    expect(submitted.body).toMatchObject({ seq: 1, status: 'queued' });
    expect(await first.process.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    await env.hub.start();
    expect(await store.consumedSeqs(deviceId)).toBe(0);

    const second = await startKioskProcess(children, { hubUrl, deviceId, dataDir: kioskDir });
    await vi.waitFor(async () => expect(await getJson(`${second.apiUrl}/tx/${submitted.body.id}`)).toMatchObject({ status: 'done', result: { status: 'applied' } }), { timeout: 10_000, interval: 20 });

    expect(await store.consumedSeqs(deviceId)).toBe(1);
    expect(await store.transactionCount()).toBe(countBefore + 1);
    // 40 yuan at gold ×1.5 = 60 points, credited once.
    const after = (await store.memberViewByCard(DEMO_CARDS.gold, 50))!;
    expect(after.balances.points).toBe(before.balances.points + 60);
    expect(after.history.filter((h) => h.txId === submitted.body.id)).toHaveLength(1);
    expectDeliveredOnceInOrder(readOutboxEntries(kioskDir), readLedgerTransactions(hubDir, deviceId));
  });

  it('delivers every outbox entry exactly once, in order, after a kill in the middle of a connected burst', async () => {
    const deviceId = 'kiosk-crash-burst';
    const kioskDir = join(temp.dir, 'kiosk');
    const hubDir = join(temp.dir, 'hub');
    env = await startTestHub({ dataDir: hubDir });
    const store = env.hub.store;
    const before = (await store.memberViewByCard(DEMO_CARDS.gold))!;
    // 50 sales of 10 yuan are more than the member's stored value: a counter kiosk, told so by the hub before it
    // connects, takes cash (an unattended one is refused TENDER_NOT_ALLOWED).
    await store.identity.setDeviceMode(deviceId, 'attended');

    const first = await startKioskProcess(children, { hubUrl: env.brokerTlsUrl!, deviceId, dataDir: kioskDir, hub: { dataDir: hubDir, httpsUrl: env.httpsUrl! } });
    await vi.waitFor(async () => expect(await getJson(`${first.apiUrl}/state`)).toMatchObject({ connected: true, mode: 'attended' }), { timeout: 10_000, interval: 20 });
    // One member at the till: every sale of the burst is for the card on the reader.
    await tapMember(first.apiUrl, DEMO_CARDS.gold);
    const total = 50;
    const killAfterApplied = 15;
    let next = 0;
    let killed = false;
    // Five tills tapping "pay" at once; each request waits for the hub's answer (or "queued") as a member would.
    const submitter = async () => {
      while (!killed && next < total) {
        next += 1;
        await postJson(`${first.apiUrl}/tx/purchase`, purchaseBody(1_000, { method: 'cash' })).catch(() => undefined);
      }
    };
    const submitting = Promise.all(Array.from({ length: 5 }, submitter));
    // Kill while the burst is still being submitted and published: the hub has some, the outbox has more.
    await vi.waitFor(async () => expect(await store.consumedSeqs(deviceId)).toBeGreaterThanOrEqual(killAfterApplied), { timeout: 15_000, interval: 2 });
    killed = true;
    await first.process.kill('SIGKILL');
    await submitting;
    const appliedAtKill = await store.consumedSeqs(deviceId);
    expect(next).toBeLessThan(total);

    const written = readOutboxEntries(kioskDir);
    expect(written.length).toBeGreaterThanOrEqual(appliedAtKill);

    const second = await startKioskProcess(children, { hubUrl: env.brokerTlsUrl!, deviceId, dataDir: kioskDir });
    await vi.waitFor(async () => expect(await getJson(`${second.apiUrl}/state`)).toMatchObject({ connected: true, outboxDepth: 0 }), { timeout: 15_000, interval: 20 });
    // SIGTERM: a clean stop checkpoints the outbox, so the read below sees exactly what the kiosk committed.
    expect(await second.process.kill('SIGTERM')).toEqual({ code: 0, signal: null });

    const outbox = readOutboxEntries(kioskDir);
    expect(outbox.length).toBe(written.length);
    expectDeliveredOnceInOrder(outbox, readLedgerTransactions(hubDir, deviceId));
    expect(await store.consumedSeqs(deviceId)).toBe(outbox.length);
    // 10 yuan at gold ×1.5 = 15 points per purchase, each credited once.
    expect((await store.memberViewByCard(DEMO_CARDS.gold))!.balances.points).toBe(before.balances.points + 15 * outbox.length);
  });
});
