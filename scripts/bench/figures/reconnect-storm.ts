/**
 * Reconnect storm: 500 enrolled kiosk connections in one process, over TLS with their own credentials,
 * reconnecting at once with no back-off after their broker restarts (for the embedded broker: the whole hub).
 * For each client, the time from the broker accepting connections again to the SUBACK of its results topic;
 * p99 and max, beside the same 500 over TLS without authentication in the same run — on the embedded broker
 * (baseline: a bare aedes over TLS) and on Mosquitto (dynamic security vs anonymous). Target: p99 < 5 s and
 * within 2× the unauthenticated run on both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { createTopics } from '../../../core/wire/topics.ts';
import { MosquittoDynsecAccounts } from '../../../hub/broker/mosquitto-dynsec-accounts.ts';
import { DEMO_STORE_ID } from '../../../hub/demo/seed-demo-data.ts';
import { DEMO_REGION_ID } from '../../../hub/demo/seed-demo-fleet.ts';
import { createHub, type Hub, type HubConfig } from '../../../hub/main.ts';
import { ensureHubTls } from '../../../hub/pki/hub-tls.ts';
import { enrolForTest } from '../../../hub/testing/enrol-for-test.ts';
import { startMosquittoDynsec } from '../../../hub/testing/start-mosquitto-dynsec.ts';
import type { BenchFigure } from '../figure.ts';
import { freePort } from '../../../hub/testing/free-port.ts';
import { percentile } from '../support/percentile.ts';

const CLIENTS = Number(process.env.MK_STORM_CLIENTS ?? 500);
const P99_TARGET_MS = 5_000;
const topics = createTopics();

interface Login {
  id: string;
  username?: string;
  password?: string;
}

/** Resolves with the first moment (performance.now) a TCP connection to the port succeeds, polling every 2 ms. */
async function firstAccept(port: number, signal: { stop: boolean }): Promise<number> {
  while (!signal.stop) {
    const at = await new Promise<number | null>((resolve) => {
      const socket = tcpConnect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(performance.now())));
      socket.once('error', () => resolve(null));
    });
    if (at !== null) return at;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error('stopped before the broker accepted connections');
}

/**
 * Connects every login, then restarts the broker and measures each client's reconnect-to-SUBACK time from the
 * moment the broker accepted connections again.
 */
async function storm(url: string, ca: string, logins: Login[], restart: (downFrom: () => void) => Promise<void>, port: number): Promise<number[]> {
  let restartedAt: number | null = null;
  const subackAt = new Map<string, number>();
  const clients: MqttClient[] = [];
  let ready = 0;
  for (let i = 0; i < logins.length; i += 50) {
    clients.push(
      ...(await Promise.all(
        logins.slice(i, i + 50).map(async (login) => {
          const client = await mqtt.connectAsync(url, {
            protocolVersion: 4,
            clientId: login.id,
            ...(login.username ? { username: login.username, password: login.password } : {}),
            ca,
            clean: true,
            // No back-off: every client hammers the broker while it is down and the moment it is back.
            reconnectPeriod: 1,
            connectTimeout: 30_000,
          });
          client.on('connect', () => {
            void client.subscribeAsync(topics.txResult(login.id), { qos: 1 }).then(() => {
              if (restartedAt !== null && !subackAt.has(login.id)) subackAt.set(login.id, performance.now());
            });
          });
          client.on('error', () => undefined);
          await client.subscribeAsync(topics.txResult(login.id), { qos: 1 });
          ready += 1;
          return client;
        }),
      )),
    );
  }
  if (ready !== logins.length) throw new Error('not every client connected before the restart');
  const polling = { stop: false };
  let acceptedAt: Promise<number> | null = null;
  await restart(() => {
    restartedAt = performance.now();
    acceptedAt = firstAccept(port, polling);
  });
  const t0 = await acceptedAt!;
  const deadline = Date.now() + 120_000;
  while (subackAt.size < logins.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  polling.stop = true;
  await Promise.all(clients.map((c) => c.endAsync(true)));
  if (subackAt.size < logins.length) throw new Error(`only ${subackAt.size} of ${logins.length} clients were back within 120 s`);
  return [...subackAt.values()].map((at) => Math.max(0, at - t0));
}

function figure(name: string, samples: number[], baseline: number[], notes: string): BenchFigure {
  const p99 = percentile(samples, 99);
  const baseP99 = percentile(baseline, 99);
  const max = Math.max(...samples);
  return {
    name,
    value: p99,
    unit: 'ms',
    baseline: baseP99,
    ratio: p99 > 0 ? baseP99 / p99 : 1,
    target: `p99 < ${P99_TARGET_MS} ms and <= 2x the unauthenticated p99`,
    met: p99 < P99_TARGET_MS && p99 <= 2 * Math.max(baseP99, 1),
    notes: `${notes}; max ${Math.round(max)} ms (unauthenticated max ${Math.round(Math.max(...baseline))} ms)`,
  };
}

async function embedded(dir: string): Promise<BenchFigure> {
  const mqttPort = await freePort();
  const tlsPort = await freePort();
  const config: HubConfig = { dataDir: join(dir, 'hub'), broker: { mode: 'embedded', host: '127.0.0.1', port: mqttPort, tlsPort }, seedDemoData: true, logLevel: 'silent' };
  let hub: Hub = createHub(config, pino({ level: 'silent' }));
  const { caPem, caSha256 } = await hub.start();
  const logins: Login[] = [];
  for (let i = 0; i < CLIENTS; i += 1) {
    const credentials = await enrolForTest({ hub, caSha256 }, `storm-${i}`);
    logins.push({ id: credentials.deviceId, username: credentials.username, password: credentials.password });
  }
  const url = `mqtts://127.0.0.1:${tlsPort}`;
  const authenticated = await storm(
    url,
    caPem,
    logins,
    async (down) => {
      await hub.stop();
      down();
      hub = createHub(config, pino({ level: 'silent' }));
      await hub.start();
    },
    tlsPort,
  );
  await hub.stop();

  // Baseline: the same 500 over TLS with the same certificate, on a bare aedes that asks nothing.
  const tls = await ensureHubTls(config.dataDir, []);
  const basePort = await freePort();
  let bare = await bareTlsBroker(basePort, tls.keyPem, tls.certChainPem);
  const unauthenticated = await storm(
    `mqtts://127.0.0.1:${basePort}`,
    caPem,
    logins.map((l) => ({ id: l.id })),
    async (down) => {
      await bare.stop();
      down();
      bare = await bareTlsBroker(basePort, tls.keyPem, tls.certChainPem);
    },
    basePort,
  );
  await bare.stop();
  return figure('reconnect storm p99 (embedded, hub restart)', authenticated, unauthenticated, `${CLIENTS} TLS clients in one process, reconnectPeriod 1 ms; the hub (fleet lookup, SHA-256 check, ACL) restarted vs a bare aedes over TLS`);
}

async function bareTlsBroker(port: number, key: string, cert: string): Promise<{ stop(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const server: TlsServer = createTlsServer({ key, cert }, (socket) => {
    socket.setNoDelay(true);
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function mosquitto(dir: string): Promise<BenchFigure> {
  const tls = await ensureHubTls(join(dir, 'mosquitto-pki'), []);
  const authed = await startMosquittoDynsec({ tls: { certPem: tls.certChainPem, keyPem: tls.keyPem } });
  const accounts = new MosquittoDynsecAccounts({ url: authed.adminUrl.replace('mqtt://', 'mqtts://'), ca: [tls.caPem], logger: pino({ level: 'silent' }) });
  const logins: Login[] = [];
  for (let i = 0; i < CLIENTS; i += 1) {
    const id = `storm-${i}`;
    const password = randomBytes(32).toString('base64url');
    await accounts.addDevice({ deviceId: id, storeId: DEMO_STORE_ID, regionId: DEMO_REGION_ID }, password);
    logins.push({ id, username: id, password });
  }
  const authenticated = await storm(`mqtts://127.0.0.1:${authed.port}`, tls.caPem, logins, (down) => restartMosquitto(authed, down), authed.port);
  await authed.stop();
  const open = await startMosquittoDynsec({ tls: { certPem: tls.certChainPem, keyPem: tls.keyPem }, anonymous: true });
  const unauthenticated = await storm(`mqtts://127.0.0.1:${open.port}`, tls.caPem, logins.map((l) => ({ id: l.id })), (down) => restartMosquitto(open, down), open.port);
  await open.stop();
  return figure('reconnect storm p99 (Mosquitto, restart)', authenticated, unauthenticated, `${CLIENTS} TLS clients in one process, reconnectPeriod 1 ms; dynamic security (PBKDF2 passwords, one role per kiosk) vs anonymous`);
}

/** "Down" once the old process is gone, so the poll finds the new one's first accept. */
async function restartMosquitto(broker: { restart(stopped?: () => void): Promise<void> }, down: () => void): Promise<void> {
  await broker.restart(down);
}

export async function measure(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-bench-storm-'));
  try {
    return [await embedded(dir), await mosquitto(dir)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
