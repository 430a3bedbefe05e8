/**
 * The hub process dies (SIGKILL) and comes back on the same data dir and MQTT port while a kiosk keeps
 * selling. Everything the kiosk queued must be applied exactly once, in the kiosk's seq order, with the
 * journal still explaining every balance. The hub runs as `memberkiosk hub` in a child process so the kill is
 * real (its SQLite ledger is left mid-WAL, its broker vanishes); the kiosk runs in-process.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { CliProcesses } from '../support/cli-process.ts';
import { expectDeliveredOnceInOrder } from '../support/expect-delivered-once.ts';
import { distinctFreePorts } from '../support/free-port.ts';
import { provisionTestKiosk } from '../support/provision-test-kiosk.ts';
import { readProvisioning } from '../../device/provisioning/stored-provisioning.ts';
import { hubAdminToken, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { tapMember } from '../support/kiosk-api.ts';
import { readLedgerTransactions } from '../support/ledger-file.ts';
import { readOutboxEntries } from '../support/outbox-file.ts';
import { purchaseBody } from '../support/purchase.ts';

const TOTAL = 200;
/**
 * Diamond ×2 on 1 point per yuan: 10 yuan earns 20 points. Paid in cash (200 × 10 yuan is more than the
 * member's stored value), so the kiosk is a counter kiosk: the hub is told so before the kiosk first connects.
 */
const CENTS = 1_000;
const POINTS_EACH = 20;
const MEMBER = 'M0004';

interface KioskState {
  connected: boolean;
  outboxDepth: number;
}

describe('hub process killed with SIGKILL', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let children: CliProcesses;
  let device: Device | null = null;
  let hubDir: string;
  let kioskDir: string;
  let mqttPort: number;
  let mqttsPort: number;

  beforeEach(async () => {
    temp = makeTempDir('mk-e2e-hub-down-');
    children = new CliProcesses();
    hubDir = join(temp.dir, 'hub');
    kioskDir = join(temp.dir, 'kiosk');
    // Both fixed: the hub comes back where the kiosk (over TLS) and the test look for it.
    const [plain, tls] = await distinctFreePorts(2);
    mqttPort = plain!;
    mqttsPort = tls!;
  });

  afterEach(async () => {
    await device?.stop();
    device = null;
    await children.killAll();
    temp.cleanup();
  });

  /** Enrols the kiosk's data directory with the running hub, as a technician does; the kiosk keeps the credentials. */
  async function enrolKiosk(deviceId: string, hub: HubProcess): Promise<void> {
    await provisionTestKiosk({ hubDataDir: hubDir, httpsUrl: hub.httpsUrl, deviceId, kioskDir });
  }

  async function startKiosk(deviceId: string): Promise<string> {
    const { mqttUsername, mqttPassword, caPem } = readProvisioning(kioskDir);
    // reconnectMs 100: the kiosk notices the hub is back within a tenth of a second, not the default second.
    device = createDevice({
      demo: true,
      deviceId,
      storeId: DEMO_STORE_ID,
      hubUrl: `mqtts://127.0.0.1:${mqttsPort}`,
      mqtt: { username: mqttUsername, password: mqttPassword, caPem },
      dataDir: kioskDir,
      httpPort: 0,
      logLevel: 'silent',
      tuning: { reconnectMs: 100 },
    });
    return (await device.start()).apiUrl;
  }

  /** While the hub answers: the kiosk learns its mode and caches the member on the tap. */
  async function meetTheHub(apiUrl: string): Promise<void> {
    await vi.waitFor(async () => expect(await getJson(`${apiUrl}/state`)).toMatchObject({ connected: true, mode: 'attended' }), { timeout: 10_000, interval: 20 });
    expect(await tapMember(apiUrl, DEMO_CARDS.diamond)).toMatchObject({ source: 'hub', member: { memberId: MEMBER } });
  }

  /**
   * Takes TOTAL purchases while the hub is unreachable: each must be answered 'queued' (in the outbox). Every one
   * is for the member on the reader (shown from the kiosk's cache, the hub being gone).
   */
  async function sellWhileHubIsDown(apiUrl: string): Promise<void> {
    const answers: { status: number; body: Record<string, unknown> }[] = [];
    let next = 0;
    const till = async () => {
      while (next < TOTAL) {
        next += 1;
        answers.push(await postJson(`${apiUrl}/tx/purchase`, purchaseBody(CENTS, { method: 'cash' })));
      }
    };
    expect(await tapMember(apiUrl, DEMO_CARDS.diamond)).toMatchObject({ source: 'cache', offline: true, member: { memberId: MEMBER } });
    await Promise.all(Array.from({ length: 8 }, till));
    expect(answers.filter((a) => a.status !== 202 || a.body.status !== 'queued')).toEqual([]);
    expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: false, outboxDepth: TOTAL });
  }

  async function points(hub: HubProcess, token: string): Promise<number> {
    return (await getJson<{ balances: { points: number } }>(`${hub.httpUrl}/api/members/${MEMBER}`, { token })).balances.points;
  }

  /** Waits until the kiosk's outbox is empty and the hub holds all TOTAL, then checks the ledger file. */
  async function expectAllAppliedOnce(hub: HubProcess, apiUrl: string, deviceId: string, baseline: { transactions: number; points: number }): Promise<void> {
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: true, outboxDepth: 0 }), { timeout: 20_000, interval: 25 });
    expect(await getJson(`${hub.httpUrl}/api/health`)).toMatchObject({ ok: true, transactions: baseline.transactions + TOTAL });
    const token = await hubAdminToken(hub.httpUrl);
    expect(await points(hub, token)).toBe(baseline.points + TOTAL * POINTS_EACH);
    expect(await getJson(`${hub.httpUrl}/api/audit`, { token })).toEqual({ ok: true, findings: [] });
    await device?.stop();
    device = null;
    const outbox = readOutboxEntries(kioskDir);
    expect(outbox).toHaveLength(TOTAL);
    expectDeliveredOnceInOrder(outbox, readLedgerTransactions(hubDir, deviceId));
  }

  it('applies 200 purchases taken while the hub was down exactly once, in order, when it returns', async () => {
    const deviceId = 'kiosk-hub-down';
    const hub = await startHubProcess(children, { dataDir: hubDir, mqttPort, mqttsPort });
    // Enrolled as an attended counter kiosk (the enrolment code says so): it takes cash.
    await enrolKiosk(deviceId, hub);
    const apiUrl = await startKiosk(deviceId);
    await meetTheHub(apiUrl);
    const baseline = { transactions: (await getJson<{ transactions: number }>(`${hub.httpUrl}/api/health`)).transactions, points: await points(hub, await hubAdminToken(hub.httpUrl)) };

    expect(await hub.process.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    // The kiosk must know it is offline, or each purchase would wait for an answer before saying "queued".
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: false }), { timeout: 10_000, interval: 20 });
    await sellWhileHubIsDown(apiUrl);

    const back = await startHubProcess(children, { dataDir: hubDir, mqttPort, mqttsPort });
    await expectAllAppliedOnce(back, apiUrl, deviceId, baseline);
  });

  it('applies all 200 exactly once when the hub is killed in the middle of draining them', async () => {
    const deviceId = 'kiosk-mid-drain';
    // A first run seeds the demo ledger and gives the baseline; the kiosk meets it once (its mode, the member's
    // view), then the hub is down before the kiosk sells anything.
    const seeding = await startHubProcess(children, { dataDir: hubDir, mqttPort, mqttsPort });
    const baseline = { transactions: (await getJson<{ transactions: number }>(`${seeding.httpUrl}/api/health`)).transactions, points: await points(seeding, await hubAdminToken(seeding.httpUrl)) };
    await enrolKiosk(deviceId, seeding);
    const apiUrl = await startKiosk(deviceId);
    await meetTheHub(apiUrl);
    expect(await seeding.process.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: false }), { timeout: 10_000, interval: 20 });
    await sellWhileHubIsDown(apiUrl);

    const hub = await startHubProcess(children, { dataDir: hubDir, mqttPort, mqttsPort });
    // Kill as soon as the kiosk has seen the first results: the drain has begun and is not over.
    await vi.waitFor(async () => expect((await getJson<KioskState>(`${apiUrl}/state`)).outboxDepth).toBeLessThan(TOTAL), { timeout: 10_000, interval: 2 });
    await hub.process.kill('SIGKILL');
    // Still pending after the kill: results the dead hub never sent (applied or not) must be settled on restart.
    expect((await getJson<KioskState>(`${apiUrl}/state`)).outboxDepth).toBeGreaterThan(0);

    const back = await startHubProcess(children, { dataDir: hubDir, mqttPort, mqttsPort });
    await expectAllAppliedOnce(back, apiUrl, deviceId, baseline);
  });
});
