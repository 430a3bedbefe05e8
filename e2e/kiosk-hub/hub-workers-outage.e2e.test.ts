/**
 * The spine's outages on a chain's set-up (issue 15): three `memberkiosk hub --worker` processes on one PostgreSQL
 * database behind Mosquitto 2 (dynamic security, TLS) and a real kiosk process.
 * - Every worker SIGKILLed at once: the kiosk keeps selling (each sale queued in its outbox), and when two workers
 *   come back everything queued is applied exactly once, in the kiosk's seq order.
 * - The broker restarted in the middle of a burst: every worker and the kiosk reconnect on their own, and every sale
 *   is applied exactly once, in order.
 * The ledger is read with `pg` directly, not through the hub's code.
 * One database, broker and three workers serve the whole file (starting them is most of a test's time); each test
 * has its own kiosk (device id, data directory) and its own baseline, and first starts again any worker the test
 * before left dead, so each begins with all three running.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { stopPostgres } from '../../hub/testing/start-postgres.ts';
import { CliProcesses, type CliProcess } from '../support/cli-process.ts';
import { expectDeliveredOnceInOrder } from '../support/expect-delivered-once.ts';
import { getJson } from '../support/http-json.ts';
import { hubAdminToken } from '../support/hub-process.ts';
import { startWorkerCluster, type WorkerCluster, type WorkerProcess } from '../support/hub-worker-cluster.ts';
import { postKiosk, staffSignIn, tapMember } from '../support/kiosk-api.ts';
import { startKioskProcess } from '../support/kiosk-process.ts';
import { readOutboxEntries } from '../support/outbox-file.ts';
import { postgresLedgerRows } from '../support/postgres-ledger-rows.ts';
import { purchaseBody } from '../support/purchase.ts';

const MEMBER = 'M0004';
const WORKERS = ['w1', 'w2', 'w3'];

interface TxAnswer {
  id?: string;
  status?: string;
}

interface KioskState {
  connected: boolean;
  outboxDepth: number;
}

describe('three hub workers: the whole hub down, and the broker restarted', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let children: CliProcesses;
  let cluster: WorkerCluster | null = null;
  /** The test's kiosk, SIGKILLed after it whatever happened. */
  let kioskProcess: CliProcess | null = null;

  beforeAll(async () => {
    temp = makeTempDir('mk-e2e-workers-outage-');
    children = new CliProcesses();
    cluster = await startWorkerCluster(children, join(temp.dir, 'hub'));
    await cluster.start('w1', { demo: true });
    await Promise.all([cluster.start('w2'), cluster.start('w3')]);
  }, 90_000);

  afterEach(async () => {
    await kioskProcess?.kill('SIGKILL');
    kioskProcess = null;
  });

  afterAll(async () => {
    await children?.killAll();
    await cluster?.stop();
    cluster = null;
    temp?.cleanup();
    await stopPostgres();
  });

  /** Whether a worker's process is still running (a test may have SIGKILLed it). */
  const running = (worker: WorkerProcess | undefined) => worker !== undefined && worker.process.child.exitCode === null && worker.process.child.signalCode === null;

  /** Three workers running, a kiosk process of its own enrolled through the first, a cashier signed in, the member on the reader. */
  async function chainWithKiosk(deviceId: string) {
    const c = cluster!;
    await Promise.all(WORKERS.filter((id) => !running(c.workers.get(id))).map((id) => c.start(id)));
    const kioskDir = join(temp.dir, deviceId);
    await c.provision(deviceId, kioskDir, 'w1');
    const kiosk = await startKioskProcess(children, { hubUrl: c.kioskBrokerUrl, deviceId, dataDir: kioskDir });
    kioskProcess = kiosk.process;
    await vi.waitFor(async () => expect(await getJson(`${kiosk.apiUrl}/state`)).toMatchObject({ connected: true, mode: 'attended' }), { timeout: 20_000, interval: 50 });
    const token = await hubAdminToken(c.workers.get('w1')!.httpUrl);
    const transactions = async (worker: string) => (await getJson<{ transactions: number }>(`${c.workers.get(worker)!.httpUrl}/api/health`)).transactions;
    const points = async (worker: string) => (await getJson<{ balances: { points: number } }>(`${c.workers.get(worker)!.httpUrl}/api/members/${MEMBER}`, { token })).balances.points;
    const baseline = { transactions: await transactions('w1'), points: await points('w1') };
    await staffSignIn(kiosk.apiUrl);
    await tapMember(kiosk.apiUrl, DEMO_CARDS.diamond);
    return { c, kiosk, kioskDir, token, transactions, points, baseline };
  }

  /** `count` cash sales of ¥10 (diamond ×2: 20 points each) by two tills, each under its own Idempotency-Key. */
  async function sell(apiUrl: string, prefix: string, count: number): Promise<Map<string, { status: number; body: TxAnswer }>> {
    const answers = new Map<string, { status: number; body: TxAnswer }>();
    let next = 0;
    const till = async () => {
      while (next < count) {
        const key = `${prefix}-${next++}`;
        answers.set(key, await postKiosk<TxAnswer>(`${apiUrl}/tx/purchase`, purchaseBody(1_000, { method: 'cash' }), { 'idempotency-key': key }));
      }
    };
    await Promise.all([till(), till()]);
    return answers;
  }

  it('every worker killed while the kiosk sells: all queued sales applied once, in order, when two come back', async () => {
    const deviceId = 'kiosk-workers-down';
    const { c, kiosk, kioskDir, token, transactions, points, baseline } = await chainWithKiosk(deviceId);
    const online = await sell(kiosk.apiUrl, 'before', 10);
    for (const id of WORKERS) await c.kill(id);
    // With no worker leading, the presence connection's will says the hub is gone (after its 5 s delay).
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${kiosk.apiUrl}/state`)).toMatchObject({ connected: false }), { timeout: 20_000, interval: 50 });
    const offline = await sell(kiosk.apiUrl, 'down', 40);
    expect([...offline.values()].filter((a) => a.status !== 202 || a.body.status !== 'queued')).toEqual([]);
    expect((await getJson<KioskState>(`${kiosk.apiUrl}/state`)).outboxDepth).toBe(40);

    await Promise.all([c.start('w1'), c.start('w2')]);
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${kiosk.apiUrl}/state`)).toMatchObject({ connected: true, outboxDepth: 0 }), { timeout: 30_000, interval: 50 });
    expect(await transactions('w2')).toBe(baseline.transactions + 50);
    expect(await points('w2')).toBe(baseline.points + 50 * 20);
    expect(await getJson(`${c.workers.get('w2')!.httpUrl}/api/audit`, { token })).toEqual({ ok: true, findings: [] });
    await kiosk.process.kill('SIGKILL');
    const outbox = readOutboxEntries(kioskDir);
    const rows = await postgresLedgerRows(c.dbUrl, deviceId);
    const keyed = [...online.values(), ...offline.values()].map((a) => a.body.id!);
    expect(rows.map((r) => r.txId).sort()).toEqual([...keyed].sort());
    expectDeliveredOnceInOrder(outbox, rows);
  }, 150_000);

  it('the broker restarted in the middle of a burst: every sale applied once, in order', async () => {
    const deviceId = 'kiosk-broker-restart';
    const { c, kiosk, kioskDir, token, transactions, points, baseline } = await chainWithKiosk(deviceId);
    let selling = true;
    let restartedMidBurst = false;
    const restart = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await c.broker.restart(() => (restartedMidBurst = selling));
    })();
    const answers = await sell(kiosk.apiUrl, 'burst', 120);
    selling = false;
    await restart;
    // The broker was down while the tills were still selling.
    expect(restartedMidBurst).toBe(true);
    // Applied at once (200) or queued while the broker was away (202): every sale accepted, with its id.
    expect([...answers.values()].filter((a) => !(a.status === 200 || a.status === 202) || !a.body.id)).toEqual([]);

    await vi.waitFor(async () => expect(await getJson<KioskState>(`${kiosk.apiUrl}/state`)).toMatchObject({ connected: true, outboxDepth: 0 }), { timeout: 40_000, interval: 50 });
    expect(await transactions('w3')).toBe(baseline.transactions + 120);
    expect(await points('w3')).toBe(baseline.points + 120 * 20);
    expect(await getJson(`${c.workers.get('w3')!.httpUrl}/api/audit`, { token })).toEqual({ ok: true, findings: [] });
    await kiosk.process.kill('SIGKILL');
    const rows = await postgresLedgerRows(c.dbUrl, deviceId);
    expect(rows.map((r) => r.txId).sort()).toEqual([...answers.values()].map((a) => a.body.id!).sort());
    expectDeliveredOnceInOrder(readOutboxEntries(kioskDir), rows);
  }, 150_000);
});
