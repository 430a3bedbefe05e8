/**
 * The hub on the PostgreSQL ledger (`memberkiosk hub --db postgres://…`, issue 15) with a real kiosk: createDevice
 * over MQTT-over-TLS, buying and topping up. First in process (createHub with `db`): the ledger is in the database,
 * not in DATA/ledger.sqlite, and health, metrics and the console's reports read it there. Then as a real process
 * killed with SIGKILL in the middle of a burst of purchases and top-ups and started again on the same database:
 * every request the kiosk accepted is in the ledger once under its idempotency key's transaction, in the kiosk's
 * seq order, and the journal audit is clean. A throwaway PostgreSQL cluster per file
 * (hub/testing/start-postgres.ts); the check reads the database with `pg` directly, not through the hub's code.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { readProvisioning } from '../../device/provisioning/stored-provisioning.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { freshPostgresDatabase, stopPostgres } from '../../hub/testing/start-postgres.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { CliProcesses } from '../support/cli-process.ts';
import { postgresLedgerRows } from '../support/postgres-ledger-rows.ts';
import { distinctFreePorts } from '../support/free-port.ts';
import { hubAdminToken, startHubProcess, type HubProcess } from '../support/hub-process.ts';
import { publishConfig } from '../support/hub-config.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { kioskCredentials } from '../support/kiosk-credentials.ts';
import { postKiosk, staffSignIn, tapMember } from '../support/kiosk-api.ts';
import { readOutboxEntries } from '../support/outbox-file.ts';
import { provisionTestKiosk } from '../support/provision-test-kiosk.ts';
import { purchaseBody } from '../support/purchase.ts';

const MEMBER = 'M0004';

interface KioskState {
  connected: boolean;
  outboxDepth: number;
}

interface TrendTotals {
  totals: { salesCount: number; salesCents: number; topUpCount: number; topUpCents: number };
}

interface TxAnswer {
  id?: string;
  seq?: number;
  status?: string;
}

/** `work` on a connection of its own to the database, read as pg reads it (BIGINT as text). */
async function inDatabase<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** `memberkiosk_ledger_transactions{hub="…"} N` from /metrics. */
async function metricsLedgerCount(consoleUrl: string): Promise<number> {
  const text = await (await fetch(`${consoleUrl}/metrics`)).text();
  const found = /^memberkiosk_ledger_transactions\{[^}]*\} (\d+)$/m.exec(text);
  if (!found) throw new Error(`no memberkiosk_ledger_transactions in /metrics:\n${text}`);
  return Number(found[1]);
}

afterAll(async () => {
  await stopPostgres();
});

describe('the hub on PostgreSQL (in process)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let env: TestHub | null = null;
  let device: Device | null = null;

  beforeEach(() => {
    temp = makeTempDir('mk-e2e-hub-pg-');
  });

  afterEach(async () => {
    await device?.stop();
    device = null;
    await env?.dispose();
    env = null;
    temp.cleanup();
  });

  it('a kiosk buys and tops up; the ledger is in PostgreSQL; health, metrics and the reports count it', async () => {
    const url = await freshPostgresDatabase('hub');
    env = await startTestHub({ dataDir: join(temp.dir, 'hub'), db: { kind: 'postgres', url }, http: { host: '127.0.0.1', port: 0 } });
    const consoleUrl = env.consoleUrl!;
    const deviceId = 'kiosk-pg-1';
    device = createDevice({ demo: true, deviceId, storeId: DEMO_STORE_ID, hubUrl: env.brokerTlsUrl!, mqtt: await kioskCredentials(env, deviceId), dataDir: join(temp.dir, 'kiosk'), httpPort: 0, logLevel: 'silent' });
    const { apiUrl } = await device.start();
    await vi.waitFor(async () => expect(await getJson(`${apiUrl}/state`)).toMatchObject({ connected: true, mode: 'attended' }), { timeout: 10_000, interval: 20 });
    const before = (await env.hub.store.memberViewByCard(DEMO_CARDS.diamond))!;
    const baseline = (await getJson<{ transactions: number }>(`${consoleUrl}/api/health`)).transactions;
    const token = await hubAdminToken(consoleUrl);
    // Yesterday to the day after tomorrow (UTC; `to` is exclusive): today in whatever time zone the rules name.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const period = `from=${day(-1)}&to=${day(2)}`;
    const trendBefore = await getJson<TrendTotals>(`${consoleUrl}/api/reports/trend?${period}&grain=day`, { token });

    await tapMember(apiUrl, DEMO_CARDS.diamond);
    const bought = await postJson<TxAnswer>(`${apiUrl}/tx/purchase`, purchaseBody(1_000, { method: 'cash' }));
    expect(bought.body).toMatchObject({ seq: 1, status: 'applied' });
    await staffSignIn(apiUrl);
    await tapMember(apiUrl, DEMO_CARDS.diamond);
    const toppedUp = await postJson<TxAnswer>(`${apiUrl}/tx/top-up`, { amountCents: 5_000, tender: 'bank_card' });
    expect(toppedUp.body).toMatchObject({ seq: 2, status: 'applied' });

    const after = (await env.hub.store.memberViewByCard(DEMO_CARDS.diamond))!;
    expect(after.balances.storedValueCents).toBe(before.balances.storedValueCents + 5_000);
    expect(after.balances.points).toBeGreaterThan(before.balances.points);
    // In the database, and no SQLite file was made for the ledger nor for the fleet.
    expect((await postgresLedgerRows(url, deviceId)).map((r) => [r.seq, r.txId, r.status])).toEqual([
      [1, bought.body.id, 'applied'],
      [2, toppedUp.body.id, 'applied'],
    ]);
    expect(existsSync(join(env.dataDir, 'ledger.sqlite'))).toBe(false);
    expect(existsSync(join(env.dataDir, 'fleet.sqlite'))).toBe(false);

    // The fleet is in the database too: the kiosk enrolled there, HQ publishes a signed configuration for its store,
    // the hub signs the kiosk a new snapshot from it (kept there), and the kiosk applies it and sells under it.
    const stateOf = async () => getJson<{ config: { snapshotVersion: number | null; scopeVersions?: Record<string, number> } }>(`${apiUrl}/state`);
    await vi.waitFor(async () => expect((await stateOf()).config.snapshotVersion).not.toBeNull(), { timeout: 10_000, interval: 20 });
    const firstSnapshot = (await stateOf()).config.snapshotVersion!;
    const published = await publishConfig(env, `store:${DEMO_STORE_ID}`, { receipt: { header: [{ 'zh-CN': '数据库里的配置', en: 'Configuration from the database' }] } });
    expect(published.kiosks).toContain(deviceId);
    await vi.waitFor(async () => expect((await stateOf()).config.snapshotVersion).toBeGreaterThan(firstSnapshot), { timeout: 10_000, interval: 20 });
    const newSnapshot = (await stateOf()).config.snapshotVersion!;
    const fleetRows = await inDatabase(url, async (client) => ({
      device: (await client.query('SELECT device_id, store_id, revoked_at FROM fleet_devices WHERE device_id = $1', [deviceId])).rows,
      bundle: (await client.query('SELECT scope, version FROM config_bundles WHERE scope = $1', [`store/${DEMO_STORE_ID}`])).rows,
      snapshot: (await client.query('SELECT device_id FROM config_snapshots WHERE version = $1 AND set_json IS NOT NULL', [newSnapshot])).rows,
    }));
    expect(fleetRows.device).toEqual([{ device_id: deviceId, store_id: DEMO_STORE_ID, revoked_at: null }]);
    expect(fleetRows.bundle).toEqual([{ scope: `store/${DEMO_STORE_ID}`, version: String(published.version) }]);
    expect(fleetRows.snapshot).toEqual([{ device_id: deviceId }]);
    // The device registry too: what the kiosk reports of itself (written behind, in batches).
    const status = () => inDatabase(url, async (client) => (await client.query<{ online: number; snapshot_version: string }>('SELECT online, snapshot_version FROM device_status WHERE device_id = $1', [deviceId])).rows);
    await vi.waitFor(async () => expect(await status()).toEqual([{ online: 1, snapshot_version: String(newSnapshot) }]), { timeout: 10_000, interval: 50 });
    await tapMember(apiUrl, DEMO_CARDS.diamond);
    const underNew = await postJson<TxAnswer>(`${apiUrl}/tx/purchase`, purchaseBody(1_000, { method: 'cash' }));
    expect(underNew.body).toMatchObject({ seq: 3, status: 'applied' });
    expect(await env.hub.store.deviceAlerts(10, deviceId)).toEqual([]);

    // Health and metrics read the count from the PostgreSQL store.
    expect(await getJson(`${consoleUrl}/api/health`)).toMatchObject({ ok: true, ledger: { open: true }, transactions: baseline + 3 });
    expect(await metricsLedgerCount(consoleUrl)).toBe(baseline + 3);

    // The console's reports read the database: the sale and the top-up in the trend (the rollup kept by the
    // database), the sale among the consumption records, and the member reports answer.
    const trendAfter = await getJson<TrendTotals>(`${consoleUrl}/api/reports/trend?${period}&grain=day`, { token });
    expect(trendAfter.totals).toEqual({
      salesCount: trendBefore.totals.salesCount + 2,
      salesCents: trendBefore.totals.salesCents + 2_000,
      topUpCount: trendBefore.totals.topUpCount + 1,
      topUpCents: trendBefore.totals.topUpCents + 5_000,
    });
    const consumption = await getJson<{ records: { txId: string; memberId: string; cashCents: number }[] }>(`${consoleUrl}/api/reports/consumption?${period}&pageSize=500`, { token });
    expect(consumption.records.filter((r) => r.txId === bought.body.id)).toEqual([expect.objectContaining({ memberId: MEMBER, cashCents: 1_000 })]);
    expect(await getJson(`${consoleUrl}/api/reports/churn?page=1&pageSize=10`, { token })).toMatchObject({ page: 1 });
    expect(await getJson(`${consoleUrl}/api/audit`, { token })).toEqual({ ok: true, findings: [] });
  });
});

describe('memberkiosk hub --db postgres://… (a real process)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let children: CliProcesses;
  let device: Device | null = null;

  beforeEach(() => {
    temp = makeTempDir('mk-e2e-hub-pg-process-');
    children = new CliProcesses();
  });

  afterEach(async () => {
    await device?.stop();
    device = null;
    await children.killAll();
    temp.cleanup();
  });

  it('starts on the database (its password never printed), stops on SIGTERM, and refuses a URL that is not postgres://', async () => {
    const url = await freshPostgresDatabase('hubcli');
    // Trust auth ignores the password; it is there to be hidden.
    const withPassword = url.replace('postgres@', 'postgres:Sekr1t-pw@');
    const hubDir = join(temp.dir, 'hub');
    const [mqttPort] = await distinctFreePorts(1);
    const hub = await startHubProcess(children, { dataDir: hubDir, mqttPort: mqttPort!, extraArgs: ['--db', withPassword, '--log-level', 'info'] });
    expect(await getJson(`${hub.httpUrl}/api/health`)).toMatchObject({ ok: true, ledger: { open: true } });
    expect(existsSync(join(hubDir, 'ledger.sqlite'))).toBe(false);
    // The demo data went into the database.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect(Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM members')).rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
    expect(await hub.process.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(hub.process.output()).toContain(`ledger: ${withPassword.replace('Sekr1t-pw', '***')}`);
    expect(hub.process.output()).not.toContain('Sekr1t-pw');

    const refused = children.start(['hub', '--data', hubDir, '--db', 'mysql://root:Sekr1t-pw@127.0.0.1/x'], /never/);
    await expect(refused).rejects.toThrow(/db\.url: a postgres:\/\/user@host:port\/database URL/);
    await expect(refused).rejects.not.toThrow(/Sekr1t-pw/);
  });

  it('a burst of purchases and top-ups with the hub SIGKILLed in the middle: 0 lost, 0 doubled, in order, audit clean', async () => {
    const url = await freshPostgresDatabase('hubkill');
    const hubDir = join(temp.dir, 'hub');
    const kioskDir = join(temp.dir, 'kiosk');
    const deviceId = 'kiosk-pg-kill';
    const [mqttPort, mqttsPort] = await distinctFreePorts(2);
    const startHub = () => startHubProcess(children, { dataDir: hubDir, mqttPort: mqttPort!, mqttsPort: mqttsPort!, extraArgs: ['--db', url] });
    let hub: HubProcess = await startHub();
    await provisionTestKiosk({ hubDataDir: hubDir, httpsUrl: hub.httpsUrl, deviceId, kioskDir, db: { kind: 'postgres', url } });
    expect(existsSync(join(hubDir, 'fleet.sqlite'))).toBe(false);
    const { mqttUsername, mqttPassword, caPem } = readProvisioning(kioskDir);
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
    const { apiUrl } = await device.start();
    await vi.waitFor(async () => expect(await getJson(`${apiUrl}/state`)).toMatchObject({ connected: true, mode: 'attended' }), { timeout: 10_000, interval: 20 });
    const token = await hubAdminToken(hub.httpUrl);
    const member = async (h: HubProcess, t: string) => (await getJson<{ balances: { points: number; storedValueCents: number } }>(`${h.httpUrl}/api/members/${MEMBER}`, { token: t })).balances;
    const baseline = { transactions: (await getJson<{ transactions: number }>(`${hub.httpUrl}/api/health`)).transactions, balances: await member(hub, token) };
    // The manager signs in while the hub answers (sign-in needs it); the member stays on the reader for the burst.
    await staffSignIn(apiUrl);
    await tapMember(apiUrl, DEMO_CARDS.diamond);

    // 4 tills, 120 requests: every third a bank-card top-up of ¥50, the others ¥10 cash purchases, each under its
    // own Idempotency-Key. The hub is killed once 30 have been answered, and started again once 10 more were queued.
    const TOTAL = 120;
    const answers = new Map<string, { status: number; body: TxAnswer }>();
    let next = 0;
    const till = async () => {
      while (next < TOTAL) {
        const index = next++;
        const key = `burst-${index}`;
        const request = index % 3 === 2 ? postKiosk<TxAnswer>(`${apiUrl}/tx/top-up`, { amountCents: 5_000, tender: 'bank_card' }, { 'idempotency-key': key }) : postKiosk<TxAnswer>(`${apiUrl}/tx/purchase`, purchaseBody(1_000, { method: 'cash' }), { 'idempotency-key': key });
        answers.set(key, await request);
      }
    };
    const killer = (async () => {
      await vi.waitFor(() => expect(answers.size).toBeGreaterThanOrEqual(30), { timeout: 30_000, interval: 5 });
      expect(await hub.process.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      // Down long enough for the kiosk to notice and queue some: those reach the restarted hub from its outbox.
      await vi.waitFor(async () => expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: false }), { timeout: 10_000, interval: 20 });
      const atKill = answers.size;
      await vi.waitFor(() => expect(answers.size).toBeGreaterThanOrEqual(atKill + 10), { timeout: 10_000, interval: 5 });
      hub = await startHub();
    })();
    await Promise.all([...Array.from({ length: 4 }, till), killer]);

    // Every request accepted: applied (200) or queued in the outbox (202) while the hub was away; both happened,
    // or the kill did not fall in the middle of the burst.
    expect([...answers.values()].filter((a) => !(a.status === 200 || a.status === 202) || !a.body.id)).toEqual([]);
    const statuses = [...answers.values()].map((a) => a.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(30);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(0);
    // A till resending a key is answered with the transaction made the first time, not a new one.
    const again = await postKiosk<TxAnswer>(`${apiUrl}/tx/purchase`, purchaseBody(1_000, { method: 'cash' }), { 'idempotency-key': 'burst-0' });
    expect(again.body.id).toBe(answers.get('burst-0')!.body.id);

    await vi.waitFor(async () => expect(await getJson<KioskState>(`${apiUrl}/state`)).toMatchObject({ connected: true, outboxDepth: 0 }), { timeout: 30_000, interval: 25 });
    const t2 = await hubAdminToken(hub.httpUrl);
    expect(await getJson(`${hub.httpUrl}/api/health`)).toMatchObject({ ok: true, transactions: baseline.transactions + TOTAL });
    const topUps = Math.floor(TOTAL / 3);
    expect((await member(hub, t2)).storedValueCents).toBe(baseline.balances.storedValueCents + topUps * 5_000);
    expect(await getJson(`${hub.httpUrl}/api/audit`, { token: t2 })).toEqual({ ok: true, findings: [] });
    await device.stop();
    device = null;

    // 0 lost, 0 doubled: each key's transaction once in the ledger, applied, under the outbox's slot, in seq order.
    const outbox = readOutboxEntries(kioskDir);
    const rows = await postgresLedgerRows(url, deviceId);
    const keyed = [...answers.values()].map((a) => a.body.id!);
    expect(new Set(keyed).size).toBe(TOTAL);
    expect(rows.map((r) => r.txId).sort()).toEqual([...keyed].sort());
    expect(rows.map((r) => [r.epoch, r.seq, r.txId])).toEqual(outbox.map((e) => [e.epoch, e.seq, e.id]));
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows.filter((r) => r.status !== 'applied' || r.firstEntry === null)).toEqual([]);
    expect(hub.process.output()).not.toMatch(/cannot start/);
  });
});
