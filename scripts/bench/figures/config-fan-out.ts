/**
 * Config fan-out: 500 enrolled simulated kiosks of one store (one process, connected over TLS to the embedded
 * broker and holding their first signed configuration before timing starts) receive a newly published store-wide
 * bundle on their retained set topic, check it with the kiosk's own acceptConfigSet (root → signing key →
 * snapshot → bundles), apply it (in memory: 500 kiosks in one process would otherwise measure one disk's fsyncs)
 * and report the new snapshot in their retained state. Measured: from the HQ admin's POST /api/config to the
 * hub's device registry recording each kiosk's new store version; p50 and p99, beside the same 500 clients
 * echoing an unsigned message of the same size the hub publishes to each (publish → the hub hears the echo), in
 * the same run. Target: p99 < 3 s.
 *
 * MK_FANOUT_KIOSKS shrinks it for a quick look.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { acceptConfigSet, type HeldConfig } from '../../../core/config/accept-config-set.ts';
import { createTopics } from '../../../core/wire/topics.ts';
import { enrolForTest } from '../../../hub/testing/enrol-for-test.ts';
import { hubHttps } from '../../../hub/testing/hub-https.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../../hub/testing/start-test-hub.ts';
import type { BenchFigure } from '../figure.ts';
import { percentile } from '../support/percentile.ts';

const KIOSKS = Number(process.env.MK_FANOUT_KIOSKS ?? 500);
const P99_TARGET_MS = 3_000;
const topics = createTopics();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SimulatedKiosk {
  id: string;
  client: MqttClient;
  held: HeldConfig;
  /** The latest raw set received (the retained one on subscribe, then each new one). */
  lastSetBytes: number;
}

/** Checks and applies a set as a kiosk does, then reports the result in its retained state. */
function onSet(env: TestHub, kiosk: SimulatedKiosk, payload: Buffer): void {
  kiosk.lastSetBytes = payload.length;
  let set: unknown;
  try {
    set = JSON.parse(payload.toString('utf8'));
  } catch {
    return;
  }
  const outcome = acceptConfigSet({ hqRootPublicKeyPem: env.hqRootPublicKeyPem ?? null, deviceId: kiosk.id, storeId: DEMO_STORE_ID, held: kiosk.held, nowMs: Date.now(), set });
  if (outcome.status !== 'accepted') return;
  const { snapshot, signingKey, bundles } = outcome.config;
  kiosk.held = { signingKeyVersion: signingKey.version, snapshotVersion: snapshot.version, scopeVersions: Object.fromEntries(bundles.map((b) => [b.scope, b.version])) };
  const report = { deviceId: kiosk.id, connected: true, outboxDepth: 0, software: 'bench', config: { snapshotVersion: snapshot.version, rulesVersion: snapshot.rulesVersion, scopeVersions: kiosk.held.scopeVersions, expires: snapshot.expires, lastRefusal: null }, at: new Date().toISOString() };
  kiosk.client.publish(topics.state(kiosk.id), JSON.stringify(report), { qos: 1, retain: true });
}

async function connectKiosks(env: TestHub): Promise<SimulatedKiosk[]> {
  const kiosks: SimulatedKiosk[] = [];
  for (let k = 0; k < KIOSKS; k += 25) {
    kiosks.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, KIOSKS - k) }, async (_, j) => {
          const id = `fan-${k + j}`;
          const { username, password } = await enrolForTest(env, id, { storeId: DEMO_STORE_ID, mode: 'unattended' });
          const client = await mqtt.connectAsync(env.brokerTlsUrl!, { protocolVersion: 4, clientId: id, username, password, ca: env.caPem, reconnectPeriod: 0 });
          const kiosk: SimulatedKiosk = { id, client, held: { signingKeyVersion: 0, snapshotVersion: 0, scopeVersions: {} }, lastSetBytes: 0 };
          client.on('message', (topic, payload) => {
            if (topic === topics.configSet(id)) onSet(env, kiosk, payload);
            else if (topic.startsWith(topics.config(`device/${id}/echo`))) client.publish(topics.state(id), payload, { qos: 1 });
          });
          await client.subscribeAsync([topics.configSet(id), topics.config(`device/${id}/echo`)], { qos: 1 });
          return kiosk;
        }),
      )),
    );
  }
  return kiosks;
}

export async function measure(): Promise<BenchFigure[]> {
  const env = await startTestHub();
  let kiosks: SimulatedKiosk[] = [];
  try {
    kiosks = await connectKiosks(env);
    // Before timing: every kiosk holds its first snapshot (the hub makes them in the background after enrolment).
    const deadline = Date.now() + 120_000;
    while (kiosks.some((k) => k.held.snapshotVersion === 0)) {
      if (Date.now() > deadline) throw new Error(`fan-out: ${kiosks.filter((k) => k.held.snapshotVersion === 0).length} kiosks never got a first snapshot`);
      await sleep(50);
    }
    const echo = await echoRound(env, kiosks);
    const login = await hubHttps(env, 'POST', '/api/login', { body: { login: DEMO_ADMIN_LOGIN, password: DEMO_ADMIN_PASSWORD } });
    const token = login.body.token as string;
    const recorded = new Map<string, number>();
    let version = 0;
    const stop = env.hub.deviceStatus.onRecorded((status) => {
      if (version > 0 && (status.scopeVersions[`store/${DEMO_STORE_ID}`] ?? 0) >= version && !recorded.has(status.deviceId)) recorded.set(status.deviceId, performance.now());
    });
    const content = { receipt: { footer: [{ 'zh-CN': '谢谢惠顾，欢迎再来', en: 'Thank you, come again' }] }, rules: { rules: [{ kind: 'earn_rate', id: 'store-fanout-bonus', rate: '2', categories: ['grocery'] }] } };
    const started = performance.now();
    const published = await hubHttps(env, 'POST', '/api/config', { body: { scope: `store:${DEMO_STORE_ID}`, content }, token });
    if (published.status !== 201) throw new Error(`fan-out: publishing answered ${published.status}: ${JSON.stringify(published.body)}`);
    version = published.body.version as number;
    while (recorded.size < kiosks.length && performance.now() - started < 60_000) await sleep(5);
    stop();
    if (recorded.size < kiosks.length) throw new Error(`fan-out: only ${recorded.size} of ${kiosks.length} kiosks recorded version ${version} within 60 s`);
    const samples = [...recorded.values()].map((at) => at - started);
    const p99 = percentile(samples, 99);
    return [
      {
        name: 'config fan-out p99',
        value: p99,
        unit: 'ms',
        baseline: percentile(echo, 99),
        ratio: percentile(echo, 99) / p99,
        target: `p99 < ${P99_TARGET_MS} ms`,
        met: p99 < P99_TARGET_MS,
        notes: `${kiosks.length} kiosks of one store, publish → signed, snapshotted, verified, applied, reported, recorded (p50 ${percentile(samples, 50).toFixed(0)} ms; set ${kiosks[0]!.lastSetBytes} bytes); baseline: the hub publishes an unsigned message of that size to each, the kiosk echoes it (p50 ${percentile(echo, 50).toFixed(0)} ms)`,
      },
    ];
  } finally {
    await Promise.all(kiosks.map((k) => k.client.endAsync()));
    await env.dispose();
  }
}

/** The hub's own client publishes a message the size of a set to each kiosk; each echoes it; the hub hears all. */
async function echoRound(env: TestHub, kiosks: SimulatedKiosk[]): Promise<number[]> {
  const size = Math.max(...kiosks.map((k) => k.lastSetBytes));
  const hub = await mqtt.connectAsync(env.brokerUrl, { protocolVersion: 4, clientId: 'bench-fanout-hub', ...env.hub.embeddedBrokerCredentials, reconnectPeriod: 0 });
  try {
    const heard = new Map<string, number>();
    await hub.subscribeAsync(topics.allState, { qos: 1 });
    hub.on('message', (topic, payload) => {
      const route = topics.parse(topic);
      if (route && payload.toString('utf8', 0, 9) === '{"echo":1' && !heard.has(route.deviceId)) heard.set(route.deviceId, performance.now());
    });
    const body = JSON.stringify({ echo: 1, pad: 'x'.repeat(Math.max(0, size - 20)) });
    const started = performance.now();
    for (const kiosk of kiosks) hub.publish(topics.config(`device/${kiosk.id}/echo`), body, { qos: 1 });
    while (heard.size < kiosks.length && performance.now() - started < 30_000) await sleep(5);
    return [...heard.values()].map((at) => at - started);
  } finally {
    await hub.endAsync();
  }
}
