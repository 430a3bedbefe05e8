/**
 * The operator's path in docs/OPERATIONS.md, from a single-node hub to a chain's set-up, with a kiosk selling
 * throughout: one `memberkiosk hub` on SQLite (already on Mosquitto with dynamic security) → stopped →
 * `memberkiosk migrate --from sqlite:… --to postgres://…` (the ledger and fleet.sqlite copied, every table and the
 * journal audit compared) → two `memberkiosk hub --worker` processes on the database. The kiosk keeps its enrolment
 * and its broker account; what it sold while the hub was stopped is applied once, in order, after the move; the
 * audit is clean and the member's points add up.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { stopPostgres } from '../../hub/testing/start-postgres.ts';
import { CliProcesses } from '../support/cli-process.ts';
import { expectDeliveredOnceInOrder } from '../support/expect-delivered-once.ts';
import { getJson } from '../support/http-json.ts';
import { hubAdminToken } from '../support/hub-process.ts';
import { startWorkerCluster, type WorkerCluster } from '../support/hub-worker-cluster.ts';
import { postKiosk, staffSignIn, tapMember } from '../support/kiosk-api.ts';
import { startKioskProcess } from '../support/kiosk-process.ts';
import { readOutboxEntries } from '../support/outbox-file.ts';
import { postgresLedgerRows } from '../support/postgres-ledger-rows.ts';
import { purchaseBody } from '../support/purchase.ts';
import { memberkioskProcess } from '../../scripts/build/memberkiosk-under-test.ts';

const MEMBER = 'M0004';
const DEVICE = 'kiosk-moved';

interface KioskState {
  connected: boolean;
  outboxDepth: number;
}

afterAll(async () => {
  await stopPostgres();
});

describe('from a single-node hub on SQLite to two workers on PostgreSQL, a kiosk selling throughout', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let children: CliProcesses;
  let cluster: WorkerCluster | null = null;

  beforeEach(() => {
    temp = makeTempDir('mk-e2e-single-to-workers-');
    children = new CliProcesses();
  });

  afterEach(async () => {
    await children.killAll();
    await cluster?.stop();
    cluster = null;
    temp.cleanup();
  });

  async function sell(apiUrl: string, prefix: string, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const answer = await postKiosk<{ id?: string }>(`${apiUrl}/tx/purchase`, purchaseBody(1_000, { method: 'cash' }), { 'idempotency-key': `${prefix}-${i}` });
      expect(answer.status === 200 || answer.status === 202).toBe(true);
      ids.push(answer.body.id!);
    }
    return ids;
  }

  it('migrates with every table and the audit equal, and the workers take over the kiosk where the hub left it', async () => {
    const hubDir = join(temp.dir, 'hub');
    cluster = await startWorkerCluster(children, hubDir);
    const c = cluster;
    const single = await c.startSingleNode();
    const kioskDir = join(temp.dir, 'kiosk');
    await c.provision(DEVICE, kioskDir, single.id);
    const kiosk = await startKioskProcess(children, { hubUrl: c.kioskBrokerUrl, deviceId: DEVICE, dataDir: kioskDir });
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${kiosk.apiUrl}/state`)).toMatchObject({ connected: true }), { timeout: 20_000, interval: 50 });
    const singleToken = await hubAdminToken(single.httpUrl);
    const pointsAt = async (httpUrl: string, token: string) => (await getJson<{ balances: { points: number } }>(`${httpUrl}/api/members/${MEMBER}`, { token })).balances.points;
    const startPoints = await pointsAt(single.httpUrl, singleToken);
    await staffSignIn(kiosk.apiUrl);
    await tapMember(kiosk.apiUrl, DEMO_CARDS.diamond);
    const onSqlite = await sell(kiosk.apiUrl, 'sqlite', 15);
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${kiosk.apiUrl}/state`)).toMatchObject({ outboxDepth: 0 }), { timeout: 20_000, interval: 50 });

    // 2. Stop the hub; the kiosk goes on selling (queued).
    expect(await single.process.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    const duringMove = await sell(kiosk.apiUrl, 'moving', 10);

    // 3–4. Migrate into the empty database: exit 0 only when every table and every check is equal.
    const migrate = memberkioskProcess(['migrate', '--from', `sqlite:${join(hubDir, 'ledger.sqlite')}`, '--to', c.dbUrl, '--work', temp.dir]);
    const migrated = spawnSync(process.execPath, migrate.args, { encoding: 'utf8', timeout: 120_000, env: migrate.env });
    expect(migrated.stderr).toBe('');
    expect(migrated.status).toBe(0);
    expect(migrated.stdout).toMatch(/journal audit \(differences\)\s+0\s+0\s+equal/);
    expect(migrated.stdout).toMatch(/fleet_devices .*equal/);
    expect(migrated.stdout).toMatch(/migration checked: every table and every check equal/);

    // 5. Two workers on the database, the same data directory (TLS, signing keys): the kiosk reconnects by itself.
    await Promise.all([c.start('w1'), c.start('w2')]);
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${kiosk.apiUrl}/state`)).toMatchObject({ connected: true, outboxDepth: 0 }), { timeout: 30_000, interval: 50 });
    const onWorkers = await sell(kiosk.apiUrl, 'workers', 15);
    await vi.waitFor(async () => expect(await getJson<KioskState>(`${kiosk.apiUrl}/state`)).toMatchObject({ outboxDepth: 0 }), { timeout: 20_000, interval: 50 });

    const w1 = c.workers.get('w1')!;
    const token = await hubAdminToken(w1.httpUrl);
    expect(await pointsAt(w1.httpUrl, token)).toBe(startPoints + 40 * 20);
    expect(await getJson(`${w1.httpUrl}/api/audit`, { token })).toEqual({ ok: true, findings: [] });
    await kiosk.process.kill('SIGKILL');
    const rows = await postgresLedgerRows(c.dbUrl, DEVICE);
    expect(rows.map((r) => r.txId).sort()).toEqual([...onSqlite, ...duringMove, ...onWorkers].sort());
    expectDeliveredOnceInOrder(readOutboxEntries(kioskDir), rows);
  }, 180_000);
});
