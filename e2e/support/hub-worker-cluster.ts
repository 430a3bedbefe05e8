/**
 * Hub workers as a chain runs them (docs/OPERATIONS.md, "Several hub workers"): one PostgreSQL database (a fresh one
 * on the test file's throwaway cluster), one Mosquitto 2 with the dynamic security plugin behind TLS (the hub's own
 * certificate, made before the first worker starts — as the soak does), and `memberkiosk hub --worker ID` processes
 * sharing one data directory. Each worker can be SIGKILLed and started again under its id.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { MosquittoDynsecAccounts } from '../../hub/broker/mosquitto-dynsec-accounts.ts';
import { ensureHubTls } from '../../hub/pki/hub-tls.ts';
import { startMosquittoDynsec, type DynsecMosquitto } from '../../hub/testing/start-mosquitto-dynsec.ts';
import { freshPostgresDatabase } from '../../hub/testing/start-postgres.ts';
import { LEADER_LOCK_KEY } from '../../hub/workers/leader-election.ts';
import { provisionKiosk } from '../../device/provisioning/provision-kiosk.ts';
import { DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import type { CliProcess, CliProcesses } from './cli-process.ts';
import { hubAdminToken } from './hub-process.ts';
import { postJson } from './http-json.ts';

export interface WorkerProcess {
  id: string;
  process: CliProcess;
  httpUrl: string;
  httpsUrl: string;
}

export interface WorkerCluster {
  dbUrl: string;
  hubDir: string;
  broker: DynsecMosquitto;
  /** The broker as kiosks reach it (TLS; credentials from their provisioning). */
  kioskBrokerUrl: string;
  /** The hub's own broker login, for a test's observer client. */
  hubBrokerUrl: string;
  caPem: string;
  workers: Map<string, WorkerProcess>;
  /** Starts (or starts again) the worker with this id; `demo` seeds the demo data (the first worker, once). */
  start(id: string, opts?: { demo?: boolean; extraArgs?: string[] }): Promise<WorkerProcess>;
  kill(id: string): Promise<void>;
  /**
   * The single-node hub a chain starts from: one `memberkiosk hub` on SQLite in the same data directory, on the same
   * Mosquitto (no --worker, no --db), with the demo data; stopped with SIGTERM by the caller before migrating.
   */
  startSingleNode(): Promise<WorkerProcess>;
  /**
   * Provisions a kiosk data directory through a worker, as a technician does: an attended code made through the
   * hub's API (wherever the fleet is kept), redeemed over that worker's HTTPS; the worker makes its broker account.
   */
  provision(deviceId: string, kioskDir: string, through?: string): Promise<void>;
  /** The worker whose election session holds the leader lock now (application_name), or null. */
  leader(): Promise<string | null>;
  stop(): Promise<void>;
}

const READY = /hub console: (http:\/\/\S+)\nMQTT broker: \S+\nhub HTTPS \(console, enrolment\): (https:\/\/\S+)\n/;

export async function startWorkerCluster(children: CliProcesses, hubDir: string): Promise<WorkerCluster> {
  const dbUrl = await freshPostgresDatabase('workers');
  const hubTls = await ensureHubTls(hubDir, []);
  const broker = await startMosquittoDynsec({ tls: { certPem: hubTls.certChainPem, keyPem: hubTls.keyPem } });
  const hubLogin = { username: 'hub', password: randomBytes(12).toString('hex') };
  await new MosquittoDynsecAccounts({ url: broker.adminUrl, ca: [hubTls.caPem], logger: pino({ level: 'silent' }) }).ensureHubAccount(hubLogin.username, hubLogin.password);
  const hubBrokerUrl = broker.url(hubLogin.username, hubLogin.password);
  const kioskBrokerUrl = `mqtts://127.0.0.1:${broker.port}`;
  const workers = new Map<string, WorkerProcess>();
  const cluster: WorkerCluster = {
    dbUrl,
    hubDir,
    broker,
    kioskBrokerUrl,
    hubBrokerUrl,
    caPem: hubTls.caPem,
    workers,
    async start(id, opts = {}) {
      const { process, match } = await children.start(
        [
          'hub', '--worker', id, '--data', hubDir, '--db', dbUrl,
          '--broker', hubBrokerUrl, '--dynsec-admin', broker.adminUrl, '--kiosk-broker', kioskBrokerUrl,
          '--http-port', '0', '--https-port', '0', '--demo', opts.demo ? 'true' : 'false', '--log-level', 'info',
          ...(opts.extraArgs ?? []),
        ],
        READY,
        30_000,
      );
      const worker = { id, process, httpUrl: match[1]!, httpsUrl: match[2]! };
      workers.set(id, worker);
      return worker;
    },
    async startSingleNode() {
      const { process, match } = await children.start(
        [
          'hub', '--data', hubDir, '--broker', hubBrokerUrl, '--dynsec-admin', broker.adminUrl, '--kiosk-broker', kioskBrokerUrl,
          '--http-port', '0', '--https-port', '0', '--demo', 'true', '--log-level', 'info',
        ],
        READY,
        30_000,
      );
      const single = { id: 'single-node', process, httpUrl: match[1]!, httpsUrl: match[2]! };
      workers.set(single.id, single);
      return single;
    },
    async provision(deviceId, kioskDir, through) {
      const worker = through ? workers.get(through) : [...workers.values()][0];
      if (!worker) throw new Error('no worker to provision a kiosk through');
      const token = await hubAdminToken(worker.httpUrl);
      const made = await postJson<{ code?: string }>(`${worker.httpUrl}/api/enrolment-codes`, { storeId: DEMO_STORE_ID, mode: 'attended', ttlHours: 1, deviceId }, { token });
      if (made.status !== 201 || !made.body.code) throw new Error(`making an enrolment code answered ${made.status}: ${JSON.stringify(made.body)}`);
      await provisionKiosk({ hubUrl: worker.httpsUrl, code: made.body.code, dataDir: kioskDir });
    },
    async kill(id) {
      await workers.get(id)?.process.kill('SIGKILL');
    },
    async leader() {
      const client = new pg.Client({ connectionString: dbUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string }>(
          `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1`,
          [LEADER_LOCK_KEY],
        );
        if (rows.length > 1) throw new Error(`more than one leader: ${rows.map((r) => r.name).join(', ')}`);
        return rows[0]?.name.replace(/^memberkiosk-hub-leader-/, '') ?? null;
      } finally {
        await client.end();
      }
    },
    async stop() {
      await broker.stop();
    },
  };
  return cluster;
}
