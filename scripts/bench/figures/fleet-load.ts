/**
 * Sustained fleet load: 500 enrolled simulated kiosks in one process (each provisioned with a code, with its real
 * SQLite outbox and hub link, connected over TLS with its own credentials before timing starts; the hub runs as
 * `memberkiosk hub` in a process of its own) each make one purchase a second for 60 s
 * through the embedded broker to the ledger. Confirmation time: from the outbox write to the result closing the
 * entry on the kiosk; p99 beside the same number of TLS clients doing a raw QoS 1 publish → echo at the same rate
 * for as long, in the same run (a bare aedes over TLS with an echo client: nothing of ours in the path). Also: every
 * kiosk's outbox depth, sampled at each write and each result, must never pass its in-flight window, and every
 * outbox must be empty within 5 s after the load stops. Target: p99 < 100 ms and within 5× the echo's p99.
 *
 * MK_FLEET_KIOSKS and MK_FLEET_SECONDS shrink it for a quick look.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { createTopics } from '../../../core/wire/topics.ts';
import { createHubLink, type HubLink } from '../../../device/link/hub-link.ts';
import { openOutbox, type Outbox, type TxBodyInput } from '../../../device/outbox/sqlite-outbox.ts';
import { DEMO_CARDS } from '../../../hub/demo/seed-demo-data.ts';
import { ensureHubTls } from '../../../hub/pki/hub-tls.ts';
import { CliProcesses } from '../../../e2e/support/cli-process.ts';
import { startHubProcess, hubAdminToken } from '../../../e2e/support/hub-process.ts';
import { getJson } from '../../../e2e/support/http-json.ts';
import { provisionTestKiosk } from '../../../e2e/support/provision-test-kiosk.ts';
import type { BenchFigure } from '../figure.ts';
import { percentile } from '../support/percentile.ts';

const KIOSKS = Number(process.env.MK_FLEET_KIOSKS ?? 500);
const SECONDS = Number(process.env.MK_FLEET_SECONDS ?? 60);
const WINDOW = 100;
const DRAIN_LIMIT_MS = 5_000;
const topics = createTopics();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const purchase = (i: number): TxBodyInput => ({
  kind: 'purchase',
  cardUid: [DEMO_CARDS.standard, DEMO_CARDS.silver, DEMO_CARDS.gold, DEMO_CARDS.diamond][i % 4]!,
  lines: [{ lineNo: 1, sku: `SKU-${i % 97}`, category: 'grocery', qty: 1, unitPriceCents: 1_250 + (i % 500) }],
  payments: [{ method: 'cash', amountCents: 1_250 + (i % 500) }],
});

/**
 * Every kiosk fires once a second, kiosk k at k/KIOSKS of the second (a fleet's sales are spread, not in
 * lockstep), until SECONDS have passed. `fire(k, n)` starts kiosk k's n-th; resolves when the last was started.
 */
async function paced(fire: (kiosk: number, n: number) => void): Promise<void> {
  const started = performance.now();
  const total = KIOSKS * SECONDS;
  for (let i = 0; i < total; i++) {
    const due = started + (i / KIOSKS) * 1_000;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    fire(i % KIOSKS, Math.floor(i / KIOSKS));
  }
}

interface Kiosk {
  id: string;
  outbox: Outbox;
  link: HubLink;
  maxDepth: number;
}

async function fleetRun(dir: string): Promise<{ samples: number[]; maxDepth: number; drainMs: number; applied: number }> {
  // The hub in a process of its own, as in a store: the 500 kiosks' outbox fsyncs (one per sale, each on the
  // kiosk's own disk in real life) share this process's thread, and must not stall the hub's.
  const children = new CliProcesses();
  const hubDir = join(dir, 'hub');
  const kiosks: Kiosk[] = [];
  try {
    const hub = await startHubProcess(children, { dataDir: hubDir, mqttPort: 0 });
    const logger = pino({ level: 'silent' });
    for (let k = 0; k < KIOSKS; k += 25) {
      kiosks.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(25, KIOSKS - k) }, async (_, j) => {
            const id = `fleet-${k + j}`;
            // Enrolled as a technician does (a code, then provisioning over the hub's HTTPS): an attended kiosk.
            const provisioned = await provisionTestKiosk({ hubDataDir: hubDir, httpsUrl: hub.httpsUrl, deviceId: id, kioskDir: join(dir, id) });
            const outbox = openOutbox({ path: join(dir, `${id}.sqlite`), deviceId: id, storeId: 'store-001', logger, bundleVersion: () => 0 });
            const link = createHubLink({
              url: hub.brokerTlsUrl,
              deviceId: id,
              outbox,
              topics,
              logger,
              window: WINDOW,
              clientOptions: { username: provisioned.mqttUsername, password: provisioned.mqttPassword, ca: provisioned.caPem },
            });
            await link.start();
            if (!link.isConnected()) throw new Error(`${id} did not connect`);
            return { id, outbox, link, maxDepth: 0 };
          }),
        )),
      );
    }
    const samples: number[] = [];
    const writtenAt = new Map<string, number>();
    let applied = 0;
    for (const kiosk of kiosks) {
      kiosk.link.on('result', (result) => {
        const at = result.id ? writtenAt.get(result.id) : undefined;
        if (at === undefined) return;
        writtenAt.delete(result.id!);
        samples.push(performance.now() - at);
        if (result.status === 'applied') applied += 1;
        kiosk.maxDepth = Math.max(kiosk.maxDepth, kiosk.outbox.depth());
      });
    }
    await paced((k, n) => {
      const kiosk = kiosks[k]!;
      const tx = kiosk.outbox.append(purchase(k * 1_000 + n));
      writtenAt.set(tx.id, performance.now());
      kiosk.maxDepth = Math.max(kiosk.maxDepth, kiosk.outbox.depth());
      kiosk.link.kick();
    });
    const stoppedAt = performance.now();
    while (kiosks.some((k) => k.outbox.depth() > 0) && performance.now() - stoppedAt < 30_000) await sleep(10);
    const drainMs = performance.now() - stoppedAt;
    const audit = await getJson<{ ok: boolean }>(`${hub.httpUrl}/api/audit`, { token: await hubAdminToken(hub.httpUrl) });
    if (!audit.ok) throw new Error('journal audit failed after the fleet load');
    return { samples, maxDepth: Math.max(...kiosks.map((k) => k.maxDepth)), drainMs, applied };
  } finally {
    await Promise.all(kiosks.map(async (k) => (await k.link.stop(), k.outbox.close())));
    await children.killAll();
  }
}

/** The same number of TLS clients, each a raw QoS 1 publish → echo a second for as long, through a bare aedes. */
async function echoRun(dir: string): Promise<number[]> {
  const tls = await ensureHubTls(join(dir, 'echo-tls'), []);
  const aedes = await Aedes.createBroker();
  const server: TlsServer = createTlsServer({ key: tls.keyPem, cert: tls.certChainPem }, aedes.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `mqtts://127.0.0.1:${(server.address() as { port: number }).port}`;
  const clients: MqttClient[] = [];
  try {
    const echoer = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: 'echo', ca: tls.caPem, reconnectPeriod: 0 });
    clients.push(echoer);
    await echoer.subscribeAsync(topics.allTx, { qos: 1 });
    echoer.on('message', (topic, message) => {
      const route = topics.parse(topic);
      if (route) echoer.publish(topics.txResult(route.deviceId), message, { qos: 1 });
    });
    const senders: MqttClient[] = [];
    for (let k = 0; k < KIOSKS; k += 50) {
      senders.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, KIOSKS - k) }, async (_, j) => {
            const id = `echo-${k + j}`;
            const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: id, ca: tls.caPem, reconnectPeriod: 0 });
            (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
            await client.subscribeAsync(topics.txResult(id), { qos: 1 });
            return client;
          }),
        )),
      );
    }
    clients.push(...senders);
    const samples: number[] = [];
    const sentAt = new Map<string, number>();
    senders.forEach((client) =>
      client.on('message', (_topic, message) => {
        const key = message.toString('utf8', 0, 40);
        const at = sentAt.get(key);
        if (at === undefined) return;
        sentAt.delete(key);
        samples.push(performance.now() - at);
      }),
    );
    await paced((k, n) => {
      const id = `echo-${k}`;
      const body = JSON.stringify({ key: `${id}:${n}`.padEnd(30, '.'), ...purchase(k * 1_000 + n), deviceId: id, seq: n + 1 });
      sentAt.set(body.slice(0, 40), performance.now());
      senders[k]!.publish(topics.tx(id), body, { qos: 1 });
    });
    const stoppedAt = performance.now();
    while (sentAt.size > 0 && performance.now() - stoppedAt < 10_000) await sleep(10);
    return samples;
  } finally {
    await Promise.all(clients.map((c) => c.endAsync()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
  }
}

export async function measure(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-bench-fleet-'));
  try {
    const echo = await echoRun(dir);
    const fleet = await fleetRun(dir);
    const expected = KIOSKS * SECONDS;
    if (fleet.samples.length !== expected || echo.length !== expected) throw new Error(`fleet load: ${fleet.samples.length} confirmations and ${echo.length} echoes of ${expected}`);
    if (fleet.applied !== expected) throw new Error(`fleet load: ${fleet.applied} of ${expected} purchases applied`);
    const p99 = percentile(fleet.samples, 99);
    const echoP99 = percentile(echo, 99);
    return [
      {
        name: 'sustained fleet load confirmation p99',
        value: p99,
        unit: 'ms',
        baseline: echoP99,
        ratio: echoP99 / p99,
        target: 'p99 < 100 ms and within 5× the raw echo p99',
        met: p99 < 100 && p99 <= 5 * echoP99,
        notes: `${KIOSKS} enrolled kiosks over TLS × 1 purchase/s × ${SECONDS} s (p50 ${percentile(fleet.samples, 50).toFixed(1)} ms); baseline: ${KIOSKS} TLS clients, raw QoS 1 publish → echo at the same rate (p50 ${percentile(echo, 50).toFixed(1)} ms)`,
      },
      {
        name: 'sustained fleet load outbox drain after the load',
        value: fleet.drainMs,
        unit: 'ms',
        baseline: DRAIN_LIMIT_MS,
        ratio: DRAIN_LIMIT_MS / Math.max(1, fleet.drainMs),
        target: `every outbox empty within ${DRAIN_LIMIT_MS} ms and no depth above the in-flight window (${WINDOW})`,
        met: fleet.drainMs <= DRAIN_LIMIT_MS && fleet.maxDepth <= WINDOW,
        notes: `largest outbox depth seen on any kiosk: ${fleet.maxDepth}`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
