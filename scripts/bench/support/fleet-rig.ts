/**
 * The chain the fleet benchmarks drive, every part a real process: a throwaway PostgreSQL cluster with the ledger
 * (hub/testing/start-postgres.ts), a TLS-only Mosquitto 2 with the dynamic security plugin serving a certificate of
 * the hub's own CA (hub/testing/start-mosquitto-dynsec.ts, the documented production broker), and N `memberkiosk hub
 * --db postgres://… --broker mqtts://…` processes. Kiosks are enrolled the one honest way — a one-time code made and
 * redeemed through hub/fleet/enrolment.ts against the hub's fleet registry (on the database, as the workers have it), each kiosk's own account and role on
 * the dynamic security plugin written in bulk into the plugin's file while the broker is restarted
 * (dynsec-file-accounts.ts says why not through its control topic), and the ledger told each kiosk's mode and store
 * as the hub's enrolment endpoint does (recordKioskMode).
 *
 * Workers: with `workers` > 1 every hub process gets `workerArgs` (the worker mode's flags, `{id}` replaced by its
 * id) and its own MEMBERKIOSK_HUB_ID; all share one data directory (its TLS CA and signing keys).
 *
 * MK_FLEET_PROFILE_DIR=dir: each worker runs with `--cpu-prof` into that folder and is stopped with SIGTERM at the
 * end (a profile is written on a clean exit only), to see where a worker's time goes under the fleet's load.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { MosquittoDynsecAccounts } from '../../../hub/broker/mosquitto-dynsec-accounts.ts';
import { DEMO_STORE_ID } from '../../../hub/demo/seed-demo-data.ts';
import { seedDemoFleet } from '../../../hub/demo/seed-demo-fleet.ts';
import { createEnrolmentCode, redeemEnrolmentCode } from '../../../hub/fleet/enrolment.ts';
import { openHubStores } from '../../../hub/db/open-hub-stores.ts';
import { recordKioskMode } from '../../../hub/fleet/record-kiosk-mode.ts';
import type { Ledger } from '../../../hub/ledger/ledger.ts';
import { openLedger } from '../../../hub/ledger/open-ledger.ts';
import { ensureHubTls } from '../../../hub/pki/hub-tls.ts';
import { startMosquittoDynsec, type DynsecMosquitto } from '../../../hub/testing/start-mosquitto-dynsec.ts';
import { startPostgres, stopPostgres, type PostgresCluster } from '../../../hub/testing/start-postgres.ts';
import { CliProcesses, type CliProcess } from '../../../e2e/support/cli-process.ts';
import { DynsecFileAccounts } from './dynsec-file-accounts.ts';
import type { KioskLogin } from './load-plan.ts';
import { findPid, treeCpuSeconds } from './proc-cpu.ts';
import { benchCardUids } from './purchase-payloads.ts';

export interface FleetRig {
  brokerUrl: string;
  caPem: string;
  databaseUrl: string;
  kiosks: KioskLogin[];
  cards: string[];
  /** Setup times for the notes: members, enrolment, broker messages. */
  setup: { membersMs: number; enrolMs: number; workersMs: number };
  workerPids: number[];
  /** Each worker's plain HTTP listener (loopback): /metrics, /api/health. */
  workerHttpUrls: string[];
  /** CPU seconds used so far by the broker, the database cluster, each worker. */
  cpu(): CpuSample;
  /** The ledger opened beside the workers, for the checks after a run. */
  ledger(): Promise<Ledger>;
  stop(): Promise<void>;
}

export interface CpuSample {
  broker: number;
  database: number;
  workers: number[];
}

export interface FleetRigOptions {
  dir: string;
  kiosks: number;
  members: number;
  workers: number;
  /** Added to every hub process's arguments when workers > 1: the worker mode's flags, `{id}` standing for the worker's id. */
  workerArgs: string[];
  kioskPrefix?: string;
}

const silent = pino({ level: 'silent' });

/**
 * The bench's members, one card each (benchCardUids), in two set-based statements: the rows the ledger's own
 * createMember writes (postgres-ledger-admin.ts), for a chain's hundreds of thousands of members in seconds rather
 * than a transaction each. Seed data only: every sale of the run still goes through the workers.
 */
async function seedBenchMembers(databaseUrl: string, cards: readonly string[]): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const now = new Date().toISOString();
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO members (member_id, name, phone, tier, referrer_id, credit_limit_cents, created_at, home_store_id)
       SELECT 'BM' || (n - 1), 'Bench ' || (n - 1), '13800000000', 'gold', NULL, 0, $2, NULL FROM unnest($1::text[]) WITH ORDINALITY AS c(uid, n)`,
      [cards, now],
    );
    await db.query(
      `INSERT INTO cards (uid, member_id, status, valid_from, valid_until, issued_at)
       SELECT uid, 'BM' || (n - 1), 'active', NULL, NULL, $2 FROM unnest($1::text[]) WITH ORDINALITY AS c(uid, n)`,
      [cards, now],
    );
    await db.query('COMMIT');
  } finally {
    await db.end();
  }
}

export async function startFleetRig(options: FleetRigOptions): Promise<FleetRig> {
  const hubDir = join(options.dir, 'hub');
  const brokerDir = join(options.dir, 'mosquitto');
  mkdirSync(hubDir, { recursive: true });
  const children = new CliProcesses();
  let broker: DynsecMosquitto | null = null;
  let cluster: PostgresCluster | null = null;
  const opened: Ledger[] = [];
  const workersForProfile: CliProcess[] = [];
  const stop = async () => {
    if (process.env['MK_FLEET_PROFILE_DIR']) await Promise.all(workersForProfile.map((w) => w.kill('SIGTERM')));
    await children.killAll();
    await Promise.all(opened.map((l) => l.close().catch(() => undefined)));
    await broker?.stop();
    if (cluster) await stopPostgres();
  };
  try {
    cluster = await startPostgres();
    const databaseUrl = await cluster.createDatabase('bench_fleet');
    const openBenchLedger = async () => {
      const ledger = await openLedger({ kind: 'postgres', url: databaseUrl, logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 10 });
      opened.push(ledger);
      return ledger;
    };
    const ledger = await openBenchLedger();

    let t0 = performance.now();
    const cards = benchCardUids(options.members);
    await seedBenchMembers(databaseUrl, cards);
    const membersMs = performance.now() - t0;

    // The hub's CA and certificate first: Mosquitto serves that certificate, and the hub trusts its own CA.
    const tls = await ensureHubTls(hubDir, []);
    broker = await startMosquittoDynsec({ tls: { certPem: tls.certChainPem, keyPem: tls.keyPem }, dir: brokerDir });
    const hubPassword = randomBytes(24).toString('base64url');
    await new MosquittoDynsecAccounts({ url: broker.adminUrl, ca: [tls.caPem], logger: silent }).ensureHubAccount('hub', hubPassword);

    t0 = performance.now();
    // The fleet the workers will read: on the ledger's database (hub/db/open-hub-stores.ts chooses as the hub does).
    const stores = await openHubStores({ kind: 'postgres', url: databaseUrl }, hubDir, { logger: silent });
    const fleet = stores.fleet;
    const accounts = new DynsecFileAccounts();
    const kiosks: KioskLogin[] = [];
    try {
      await seedDemoFleet(fleet);
      const prefix = options.kioskPrefix ?? 'sim';
      const { publicKey } = generateKeyPairSync('ed25519');
      const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      for (let i = 0; i < options.kiosks; i += 100) {
        const ids = Array.from({ length: Math.min(100, options.kiosks - i) }, (_, j) => `${prefix}-${String(i + j).padStart(5, '0')}`);
        const grants = await Promise.all(
          ids.map(async (deviceId) => {
            const { code } = await createEnrolmentCode(fleet, { storeId: DEMO_STORE_ID, mode: 'attended', ttlMs: 3_600_000, deviceId, caSha256: tls.caSha256 });
            // One key pair for all: the key signs receipts, which the benchmark never asks for.
            return redeemEnrolmentCode(fleet, { code, publicKeyPem }, silent, accounts);
          }),
        );
        // What the hub's enrolment endpoint does after redeeming: the ledger learns the kiosk's mode and store.
        for (let g = 0; g < grants.length; g += 10) await Promise.all(grants.slice(g, g + 10).map((grant) => recordKioskMode(ledger.identity, grant)));
        kiosks.push(...grants.map((g) => ({ deviceId: g.deviceId, username: g.deviceId, password: g.mqttSecret, storeId: g.storeId })));
      }
    } finally {
      await stores.close();
    }
    await broker.restart(() => accounts.writeInto(join(brokerDir, 'dynsec.json')));
    const enrolMs = performance.now() - t0;

    t0 = performance.now();
    const hubBroker = broker.url('hub', hubPassword);
    const workers: CliProcess[] = [];
    const workerHttpUrls: string[] = [];
    for (let w = 0; w < options.workers; w += 1) {
      const previousId = process.env['MEMBERKIOSK_HUB_ID'];
      // The spawned process copies the environment at start: each worker its own id.
      const workerId = `bench-worker-${w + 1}`;
      process.env['MEMBERKIOSK_HUB_ID'] = workerId;
      const profileDir = process.env['MK_FLEET_PROFILE_DIR'];
      if (profileDir) process.env['MK_CLI_NODE_ARGS'] = `--cpu-prof --cpu-prof-dir=${profileDir}`;
      try {
        const { process: worker, match } = await children.start(
          ['hub', '--data', hubDir, '--db', databaseUrl, '--broker', hubBroker, '--http-port', '0', '--https-port', '0', '--log-level', 'warn', ...(options.workers > 1 ? options.workerArgs.map((arg) => arg.replaceAll('{id}', workerId)) : [])],
          /hub console: (http:\/\/\S+)\n/,
          300_000,
        );
        workers.push(worker);
        workersForProfile.push(worker);
        workerHttpUrls.push(match[1]!);
      } finally {
        delete process.env['MK_CLI_NODE_ARGS'];
        if (previousId === undefined) delete process.env['MEMBERKIOSK_HUB_ID'];
        else process.env['MEMBERKIOSK_HUB_ID'] = previousId;
      }
    }
    const workersMs = performance.now() - t0;
    const brokerPid = findPid([join(brokerDir, 'mosquitto.conf')]);
    const databasePid = findPid(['postgres', `-p ${cluster.port}`]);
    if (brokerPid === null || databasePid === null) throw new Error('could not find the broker or the database process');
    return {
      brokerUrl: `mqtts://127.0.0.1:${broker.port}`,
      caPem: tls.caPem,
      databaseUrl,
      kiosks,
      cards,
      setup: { membersMs, enrolMs, workersMs },
      workerPids: workers.map((w) => w.pid),
      workerHttpUrls,
      cpu: () => ({ broker: treeCpuSeconds(brokerPid), database: treeCpuSeconds(databasePid), workers: workers.map((w) => treeCpuSeconds(w.pid)) }),
      ledger: openBenchLedger,
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
