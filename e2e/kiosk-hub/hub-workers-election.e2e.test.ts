/**
 * Three hub workers (`memberkiosk hub --worker ID`, real processes) on one PostgreSQL database behind one Mosquitto 2
 * (dynamic security, TLS), with a real kiosk process (issue 15 part 2; docs/ARCHITECTURE.md "Several hub workers"):
 *
 * - election: exactly one worker holds the leader lock and runs the scheduled jobs; SIGKILLed, another takes over
 *   within a few seconds and runs them;
 * - availability: killing a worker — the leader, then another — never makes the kiosk see the hub as offline (the
 *   leader's presence and its delayed will, hub/workers/hub-presence.ts), and the kiosk keeps buying;
 * - Node-RED, given to every worker, runs on the leader alone and moves with the lead;
 * - the broker as an attacker sees it: a kiosk account cannot join the workers' shared subscription group nor read
 *   another kiosk's topics through `$share/…`.
 */
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { readProvisioning } from '../../device/provisioning/stored-provisioning.ts';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { NODE_RED_SECRET_ENV } from '../../flows/runtime/node-red-config.ts';
import { NODE_RED_PREFIX } from '../../hub/http/node-red-proxy.ts';
import { stopPostgres } from '../../hub/testing/start-postgres.ts';
import { CliProcesses } from '../support/cli-process.ts';
import { distinctFreePorts } from '../support/free-port.ts';
import { getJson } from '../support/http-json.ts';
import { startWorkerCluster, type WorkerCluster } from '../support/hub-worker-cluster.ts';
import { postKiosk, tapMember } from '../support/kiosk-api.ts';
import { startKioskProcess, type KioskProcess } from '../support/kiosk-process.ts';
import { purchaseBody } from '../support/purchase.ts';

const SWEPT = /scheduled jobs run/g;
const sweepsIn = (output: string) => (output.match(SWEPT) ?? []).length;

afterAll(async () => {
  await stopPostgres();
});

describe('three hub workers on PostgreSQL and Mosquitto', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let children: CliProcesses;
  let cluster: WorkerCluster | null = null;

  const secretBefore = process.env[NODE_RED_SECRET_ENV];
  beforeEach(() => {
    // The workers are started by this process and inherit it: Node-RED needs its credential secret.
    process.env[NODE_RED_SECRET_ENV] = 'workers-e2e-node-red-secret';
    temp = makeTempDir('mk-e2e-workers-');
    children = new CliProcesses();
  });

  afterEach(async () => {
    await children.killAll();
    await cluster?.stop();
    cluster = null;
    temp.cleanup();
    if (secretBefore === undefined) delete process.env[NODE_RED_SECRET_ENV];
    else process.env[NODE_RED_SECRET_ENV] = secretBefore;
  });

  it('one leader runs the scheduled jobs and Node-RED, and another takes over; a worker’s death never shows the kiosk the hub offline; kiosks cannot use $share', async () => {
    cluster = await startWorkerCluster(children, join(temp.dir, 'hub'));
    const c = cluster;
    // Every worker is given Node-RED, each on its own editor port: only the leader runs it.
    const nodeRedPorts = new Map<string, number>((await distinctFreePorts(3)).map((port, i) => [`w${i + 1}`, port]));
    const withNodeRed = (id: string) => ['--node-red', '--node-red-port', String(nodeRedPorts.get(id))];
    // Node-RED's own editor page (its admin root, titled as the hub sets it), not merely something on the port: in a
    // full run another test's server can take a port that was free when distinctFreePorts looked.
    const nodeRedAnswers = async (id: string) =>
      fetch(`http://127.0.0.1:${nodeRedPorts.get(id)}${NODE_RED_PREFIX}/`).then(
        async (response) => response.ok && (await response.text()).includes('<title>memberkiosk HQ</title>'),
        () => false,
      );
    await c.start('w1', { demo: true, extraArgs: withNodeRed('w1') });
    await Promise.all([c.start('w2', { extraArgs: withNodeRed('w2') }), c.start('w3', { extraArgs: withNodeRed('w3') })]);

    // --- election: one leader, and only its log says it ran the scheduled jobs ---
    await vi.waitFor(async () => expect(await c.leader()).not.toBeNull(), { timeout: 10_000, interval: 100 });
    const first = (await c.leader())!;
    await vi.waitFor(() => expect(sweepsIn(c.workers.get(first)!.process.output())).toBe(1), { timeout: 10_000, interval: 100 });
    for (const [id, w] of c.workers) if (id !== first) expect(sweepsIn(w.process.output()), id).toBe(0);
    // Each worker says what it is: health and /metrics.
    for (const [id, w] of c.workers) {
      expect(await getJson(`${w.httpUrl}/api/health`), id).toMatchObject({ ok: true, worker: { id, leader: id === first } });
      expect(await (await fetch(`${w.httpUrl}/metrics`)).text(), id).toMatch(new RegExp(`^memberkiosk_hub_leader\\{hubId="${id}"\\} ${id === first ? 1 : 0}$`, 'm'));
    }
    await vi.waitFor(async () => expect(await nodeRedAnswers(first)).toBe(true), { timeout: 30_000, interval: 200 });
    for (const id of c.workers.keys()) if (id !== first) expect(await nodeRedAnswers(id), id).toBe(false);

    // --- a real kiosk, enrolled through a worker, connected through Mosquitto ---
    const kioskDir = join(temp.dir, 'kiosk');
    await c.provision('kiosk-w1', kioskDir, 'w1');
    const kiosk: KioskProcess = await startKioskProcess(children, { hubUrl: c.kioskBrokerUrl, deviceId: 'kiosk-w1', dataDir: kioskDir });
    await vi.waitFor(async () => expect(await getJson(`${kiosk.apiUrl}/state`)).toMatchObject({ connected: true, mode: 'attended' }), { timeout: 20_000, interval: 50 });
    const buy = async () => {
      await tapMember(kiosk.apiUrl, DEMO_CARDS.diamond);
      return (await postKiosk(`${kiosk.apiUrl}/tx/purchase`, purchaseBody(1_000, { method: 'cash' }))).body;
    };
    expect(await buy()).toMatchObject({ status: 'applied' });

    // The kiosk's view of the hub, sampled throughout the kills.
    const seenOffline: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const state = await getJson<{ connected: boolean }>(`${kiosk.apiUrl}/state`).catch(() => null);
        if (state && !state.connected) seenOffline.push(new Date().toISOString());
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();

    // --- the leader dies: another takes over within a few seconds and runs the jobs; the kiosk sees no outage ---
    const killedAt = Date.now();
    await c.kill(first);
    // The successor is the leader read inside the wait: until PostgreSQL notices the killed worker's session is gone,
    // the lock still names it, and a read after that (a second query) can find no holder at all for a moment.
    let second = '';
    await vi.waitFor(
      async () => {
        const now = await c.leader();
        expect(now).toMatch(/^w[123]$/);
        expect(now).not.toBe(first);
        second = now!;
      },
      { timeout: 8_000, interval: 100 },
    );
    const tookOverMs = Date.now() - killedAt;
    expect(tookOverMs).toBeLessThan(5_000);
    await vi.waitFor(() => expect(sweepsIn(c.workers.get(second)!.process.output())).toBe(1), { timeout: 10_000, interval: 100 });
    await vi.waitFor(async () => expect(await nodeRedAnswers(second)).toBe(true), { timeout: 30_000, interval: 200 });
    // Past the presence's will delay (5 s): had the successor not taken the presence over, kiosks would see `offline` now.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect(await buy()).toMatchObject({ status: 'applied' });

    // --- a worker that is not the leader dies, and the one killed first comes back: still no outage ---
    const bystander = [...c.workers.keys()].find((id) => id !== first && id !== second)!;
    await c.kill(bystander);
    // The leader heard that worker's last will and told the kiosks to resend what it may have swallowed.
    await vi.waitFor(() => expect(c.workers.get(second)!.process.output()).toContain(`"worker":"${bystander}","msg":"a hub worker went away`), { timeout: 5_000, interval: 50 });
    await c.start(first, { extraArgs: withNodeRed(first) });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await c.leader()).toBe(second);
    expect(await buy()).toMatchObject({ status: 'applied' });
    watching = false;
    await watcher;
    expect(seenOffline).toEqual([]);
    // The one who came back did not run the jobs again: it is not the leader.
    expect(sweepsIn(c.workers.get(first)!.process.output())).toBe(0);

    // The retained presence says online (what a kiosk connecting now hears first).
    const observer = await mqtt.connectAsync(c.hubBrokerUrl, { protocolVersion: 5, clientId: 'test-observer', reconnectPeriod: 0, ca: [c.caPem] });
    const retained = new Promise<string>((resolve) => observer.once('message', (_t, payload) => resolve(payload.toString())));
    await observer.subscribeAsync('memberkiosk/v1/hub/availability', { qos: 1 });
    expect(await retained).toBe('online');
    await observer.endAsync();

    // --- an attacker with a kiosk's account: no $share subscription is granted, nothing is received ---
    const { mqttUsername, mqttPassword } = readProvisioning(kioskDir);
    await kiosk.process.kill('SIGKILL');
    const intruder = await mqtt.connectAsync(c.kioskBrokerUrl, { protocolVersion: 5, clientId: mqttUsername, username: mqttUsername, password: mqttPassword, reconnectPeriod: 0, ca: [c.caPem] });
    const stolen: string[] = [];
    intruder.on('message', (topic) => stolen.push(topic));
    for (const filter of ['$share/memberkiosk-hub/memberkiosk/v1/devices/+/tx', '$share/x/memberkiosk/v1/devices/kiosk-other/tx/result', '$share/x/memberkiosk/#', '$share/x/#']) {
      await expect(intruder.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow(/Not authorized/);
    }
    // A transaction from another (hub-side) publisher to some kiosk's topic: the workers take it, the intruder does not.
    const hubSide = await mqtt.connectAsync(c.hubBrokerUrl, { protocolVersion: 5, clientId: 'test-publisher', reconnectPeriod: 0, ca: [c.caPem] });
    await hubSide.publishAsync('memberkiosk/v1/devices/kiosk-other/tx/result', '{}', { qos: 1 });
    await hubSide.publishAsync('memberkiosk/v1/devices/kiosk-other/tx', 'not json', { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stolen).toEqual([]);
    await Promise.all([intruder.endAsync(), hubSide.endAsync()]);
    // Node-RED ran on the leader alone throughout: the worker that came back did not start it.
    for (const id of c.workers.keys()) expect(await nodeRedAnswers(id), id).toBe(id === second);
    // No worker still running logged an error (a lost leader lock, a failed duty, a refused subscription); the
    // flows' acting account is not configured here (FLOW_ACTOR_INVALID: grants refused, which this test does not use).
    for (const [id, w] of c.workers) expect(w.process.output().split('\n').filter((line) => /"level":(50|60)/.test(line) && !line.includes('FLOW_ACTOR_INVALID')), id).toEqual([]);
  }, 90_000);
});
