/**
 * The hub's ledger is restored from an older backup while a kiosk keeps selling: the transactions the kiosk sold
 * after the backup were confirmed (closed in its outbox) and are gone from the restored ledger. At its next sale
 * the hub answers TX_OUT_OF_ORDER naming the seq it expects; the kiosk sends its closed copies from there again
 * and the hub applies each once, in order (device/link/delivery-machine.ts, replay). Without that, the kiosk would
 * be stuck on TX_OUT_OF_ORDER for ever and the sales after the backup lost. The hub runs as `memberkiosk hub` in a
 * child process on SQLite (the backup is a copy of its ledger file, taken while it is stopped); the kiosk runs
 * in-process.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { readProvisioning } from '../../device/provisioning/stored-provisioning.ts';
import { CliProcesses } from '../support/cli-process.ts';
import { expectDeliveredOnceInOrder } from '../support/expect-delivered-once.ts';
import { distinctFreePorts } from '../support/free-port.ts';
import { hubAdminToken, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { tapMember } from '../support/kiosk-api.ts';
import { readLedgerTransactions } from '../support/ledger-file.ts';
import { readOutboxEntries } from '../support/outbox-file.ts';
import { provisionTestKiosk } from '../support/provision-test-kiosk.ts';
import { purchaseBody } from '../support/purchase.ts';

/** Diamond ×2 on 1 point per yuan: 10 yuan in cash earns 20 points. */
const CENTS = 1_000;
const POINTS_EACH = 20;
const MEMBER = 'M0004';
const LEDGER_FILES = ['ledger.sqlite', 'ledger.sqlite-wal', 'ledger.sqlite-shm'];

interface KioskState {
  connected: boolean;
  outboxDepth: number;
  alerts: { code: string; detail: Record<string, unknown> }[];
}

describe('hub ledger restored from an older backup', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let children: CliProcesses;
  let device: Device | null = null;
  let hubDir: string;
  let kioskDir: string;
  let backupDir: string;
  let ports: { mqttPort: number; mqttsPort: number };

  beforeEach(async () => {
    temp = makeTempDir('mk-e2e-hub-restored-');
    children = new CliProcesses();
    hubDir = join(temp.dir, 'hub');
    kioskDir = join(temp.dir, 'kiosk');
    backupDir = join(temp.dir, 'backup');
    const [plain, tls] = await distinctFreePorts(2);
    ports = { mqttPort: plain!, mqttsPort: tls! };
  });

  afterEach(async () => {
    await device?.stop();
    device = null;
    await children.killAll();
    temp.cleanup();
  });

  async function startKiosk(deviceId: string): Promise<string> {
    const { mqttUsername, mqttPassword, caPem } = readProvisioning(kioskDir);
    device = createDevice({
      demo: true,
      deviceId,
      storeId: DEMO_STORE_ID,
      hubUrl: `mqtts://127.0.0.1:${ports.mqttsPort}`,
      mqtt: { username: mqttUsername, password: mqttPassword, caPem },
      dataDir: kioskDir,
      httpPort: 0,
      logLevel: 'silent',
      tuning: { reconnectMs: 100 },
    });
    return (await device.start()).apiUrl;
  }

  /** Sells `count` purchases online and waits until the hub has confirmed every one (the outbox is empty). */
  async function sellOnline(apiUrl: string, count: number): Promise<void> {
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: true }), { timeout: 10_000, interval: 20 });
    expect(await tapMember(apiUrl, DEMO_CARDS.diamond)).toMatchObject({ member: { memberId: MEMBER } });
    for (let i = 0; i < count; i++) {
      const answer = await postJson(`${apiUrl}/tx/purchase`, purchaseBody(CENTS, { method: 'cash' }));
      expect(answer.status).toBeLessThan(300);
    }
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: true, outboxDepth: 0 }), { timeout: 20_000, interval: 25 });
  }

  async function points(hub: HubProcess): Promise<number> {
    return (await getJson<{ balances: { points: number } }>(`${hub.httpUrl}/api/members/${MEMBER}`, { token: await hubAdminToken(hub.httpUrl) })).balances.points;
  }

  async function transactions(hub: HubProcess): Promise<number> {
    return (await getJson<{ transactions: number }>(`${hub.httpUrl}/api/health`)).transactions;
  }

  function copyLedger(from: string, to: string): void {
    mkdirSync(to, { recursive: true });
    for (const file of LEDGER_FILES) {
      rmSync(join(to, file), { force: true });
      if (existsSync(join(from, file))) copyFileSync(join(from, file), join(to, file));
    }
  }

  it('the kiosk sends the sales the restored ledger lost again, and the hub applies each once, in order', async () => {
    const deviceId = 'kiosk-hub-restored';
    const first = await startHubProcess(children, { dataDir: hubDir, ...ports });
    await provisionTestKiosk({ hubDataDir: hubDir, httpsUrl: first.httpsUrl, deviceId, kioskDir });
    const apiUrl = await startKiosk(deviceId);
    const baseline = { transactions: await transactions(first), points: await points(first) };
    await sellOnline(apiUrl, 3);

    // The nightly backup: a copy of the ledger while the hub is stopped.
    expect(await first.process.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    copyLedger(hubDir, backupDir);

    // The next day's sales: confirmed by the hub and closed on the kiosk…
    const second = await startHubProcess(children, { dataDir: hubDir, ...ports });
    await sellOnline(apiUrl, 4);
    expect(await transactions(second)).toBe(baseline.transactions + 7);
    // …then the hub's disk dies and the operator restores last night's backup.
    expect(await second.process.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    copyLedger(backupDir, hubDir);

    const restored = await startHubProcess(children, { dataDir: hubDir, ...ports });
    expect(await transactions(restored)).toBe(baseline.transactions + 3);
    await sellOnline(apiUrl, 1);

    expect(await transactions(restored)).toBe(baseline.transactions + 8);
    expect(await points(restored)).toBe(baseline.points + 8 * POINTS_EACH);
    expect(await getJson(`${restored.httpUrl}/api/audit`, { token: await hubAdminToken(restored.httpUrl) })).toEqual({ ok: true, findings: [] });
    const state = await getJson<KioskState>(`${apiUrl}/state`);
    expect(state.alerts.filter((a) => a.code === 'TX_REPLAYED_TO_HUB')).toEqual([expect.objectContaining({ code: 'TX_REPLAYED_TO_HUB', detail: expect.objectContaining({ applied: expect.any(Number) }) })]);
    await device?.stop();
    device = null;
    const outbox = readOutboxEntries(kioskDir);
    expect(outbox).toHaveLength(8);
    expectDeliveredOnceInOrder(outbox, readLedgerTransactions(hubDir, deviceId));
  });
});
