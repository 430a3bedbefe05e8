/**
 * A kiosk with Node-RED switched on, against a real hub (embedded aedes over TLS, SQLite, demo data): the real
 * supervised child with our kiosk nodes and the shipped tenth-visit flow. A tap reaches the `card tap` node and the
 * tenth visit prints a coupon through the kiosk's printer (the simulated printer driver); the editor lets in a
 * technician of the store and nobody else; a runaway flow deployed by the editor is killed while the kiosk goes on
 * serving taps and the hub goes on applying its transactions.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDevice, type Device } from '../../device/main.ts';
import { PrinterSink } from '../../device/hardware/printer-sink.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { SimulatedPrinter } from '../../drivers/printer/simulated-printer.ts';
import { DEMO_CARDS, DEMO_MEMBERS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { getJson } from '../support/http-json.ts';
import { deployFlows, editorToken, waitFor } from '../support/node-red-editor.ts';
import { kioskCredentials } from '../support/kiosk-credentials.ts';
import { buyAs, staffSignIn, tapMember } from '../support/kiosk-api.ts';
import { purchaseBody } from '../support/purchase.ts';

const DEVICE_ID = 'kiosk-e2e-flows';
const PASSWORD = 'a long enough password';
const FLOW = 'mk-tenth-visit-coupon';
const TECH_CARD = '04AB12CD34EF77';
const TECH_PIN = '482913';
const memberOf = (card: string) => DEMO_MEMBERS.find((m) => m.card === card)!.memberId;
/** The title of the note the runaway tab prints once it runs. */
const RUNAWAY_LIVE = 'runaway flow listening';



describe('a kiosk with Node-RED on, against a real hub', () => {
  let temp: ReturnType<typeof makeTempDir> | null = null;
  let hub: TestHub | null = null;
  let device: Device | null = null;

  afterEach(async () => {
    await device?.stop();
    if (hub) expect(await hub.hub.store.audit()).toEqual([]);
    await hub?.dispose();
    temp?.cleanup();
    device = null;
    hub = null;
    temp = null;
  });

  it('runs the shipped tenth-visit flow, lets only a technician into the editor, and survives a runaway flow', async () => {
    temp = makeTempDir('mk-e2e-kiosk-flows-');
    hub = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    const identity = createIdentityService({ store: hub.hub.store.identity, logger: pino({ level: 'silent' }) });
    const by = { kind: 'cli' as const, id: 'test', surface: 'cli' };
    await identity.addStaff({ name: '赵工', role: 'technician', storeIds: [DEMO_STORE_ID], login: 'zhao.tech', password: PASSWORD, cardUid: TECH_CARD, pin: TECH_PIN }, by);
    await identity.addStaff({ name: '王芳', role: 'cashier', storeIds: [DEMO_STORE_ID], login: 'wang.cashier', password: PASSWORD }, by);

    // The gold member has had nine visits here, the silver member eight (the flow's own context on disk, long ago).
    const kioskDir = join(temp.dir, 'kiosk');
    const contextDir = join(kioskDir, 'node-red', 'context', FLOW);
    mkdirSync(contextDir, { recursive: true });
    const longAgo = Date.parse('2026-01-01T00:00:00Z');
    writeFileSync(join(contextDir, 'flow.json'), JSON.stringify({ visits: { [memberOf(DEMO_CARDS.gold)]: { count: 9, countedAt: longAgo }, [memberOf(DEMO_CARDS.silver)]: { count: 8, countedAt: longAgo } } }));

    const printer = new SimulatedPrinter({ logger: pino({ level: 'silent' }) });
    device = createDevice(
      {
        demo: true,
        deviceId: DEVICE_ID,
        storeId: DEMO_STORE_ID,
        hubUrl: hub.brokerTlsUrl!,
        mqtt: await kioskCredentials(hub, DEVICE_ID),
        dataDir: kioskDir,
        httpPort: 0,
        logLevel: 'silent',
        nodeRed: { enabled: true, port: 0, credentialSecret: 'e2e-secret-of-some-length', flows: ['tenth-visit-coupon'], unresponsiveMs: 2_000 },
      },
      { receiptSink: new PrinterSink(printer, 'simulated', pino({ level: 'silent' })) },
    );
    const { apiUrl } = await device.start();
    const editorUrl = (await device.nodeRed()!.ready) ?? '';
    expect(editorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    // The editor: nobody without a login, not a cashier, not a wrong password; the store's technician gets in.
    expect((await fetch(`${editorUrl}flows`)).status).toBe(401);
    expect((await editorToken(editorUrl, 'wang.cashier', PASSWORD)).status).toBe(403);
    expect((await editorToken(editorUrl, 'zhao.tech', 'not the password')).status).toBe(403);
    const tech = await editorToken(editorUrl, 'zhao.tech', PASSWORD);
    expect(tech.status).toBe(200);
    const auth = { authorization: `Bearer ${tech.accessToken}` };
    // Our nodes are in the palette.
    const palette = (await (await fetch(`${editorUrl}nodes`, { headers: { ...auth, accept: 'application/json' } })).json()) as { types: string[] }[];
    const types = palette.flatMap((set) => set.types);
    expect(types).toEqual(expect.arrayContaining(['mk-card-tap', 'mk-transaction-done', 'mk-device-status', 'mk-print', 'mk-show-message', 'mk-serial-write']));

    // The silver member's ninth visit prints nothing; the gold member's tenth prints the coupon.
    await tapMember(apiUrl, DEMO_CARDS.silver);
    await tapMember(apiUrl, DEMO_CARDS.gold);
    const coupon = await waitFor('the coupon', () => printer.printed.filter((job) => job.receipt.note !== undefined), (jobs) => jobs.length > 0);
    expect(coupon).toHaveLength(1);
    expect(JSON.stringify(coupon[0]!.receipt.note)).toContain('第 10 次光临');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(printer.printed.filter((job) => job.receipt.note !== undefined)).toHaveLength(1);

    // A technician deploys a flow that blocks Node-RED on every tap. Node-RED answers a deploy before the deployed
    // flows run (it stops the old ones, answers, then starts the new ones), so a tap right after the answer can find
    // no `card tap` node listening. The tab says when it runs: an inject after the tap node (a flow builds its nodes
    // in order) prints a note once.
    const flows = (await (await fetch(`${editorUrl}flows`, { headers: auth })).json()) as unknown[];
    const runaway = [
      { id: 'runaway-tab', type: 'tab', label: 'runaway' },
      { id: 'runaway-tap', type: 'mk-card-tap', z: 'runaway-tab', name: '', members: 'all', wires: [['runaway-loop']] },
      { id: 'runaway-loop', type: 'function', z: 'runaway-tab', func: 'while (true) {}\nreturn msg;', outputs: 1, wires: [[]] },
      { id: 'runaway-live', type: 'inject', z: 'runaway-tab', once: true, onceDelay: 0.1, repeat: '', props: [{ p: 'payload' }], payload: 'listening', payloadType: 'str', wires: [['runaway-note']] },
      { id: 'runaway-note', type: 'mk-print', z: 'runaway-tab', title: RUNAWAY_LIVE, wires: [[]] },
    ];
    expect([200, 204]).toContain(await deployFlows(editorUrl, tech.accessToken!, [...flows, ...runaway]));
    await waitFor('the runaway flow running', () => printer.printed.filter((job) => job.receipt.note?.title === RUNAWAY_LIVE), (jobs) => jobs.length > 0);

    // The tap that triggers it is answered, and so is everything after it: the kiosk's own thread never waited.
    await tapMember(apiUrl, DEMO_CARDS.diamond);
    const started = Date.now();
    const bought = await buyAs(apiUrl, DEMO_CARDS.gold, purchaseBody(1_234));
    expect(bought.status, JSON.stringify(bought.body)).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    const state = await getJson<{ connected: boolean }>(`${apiUrl}/state`);
    expect(state.connected).toBe(true);
    // The hub applied the purchase.
    const gold = await hub.hub.store.memberViewByCard(DEMO_CARDS.gold, 5);
    expect(gold!.history.some((entry) => entry.kind === 'purchase')).toBe(true);

    // The supervisor killed the blocked Node-RED and started it again, with the flows as deployed: within its own
    // worst case (a loaded machine starts Node-RED slowly, and the supervisor allows for that).
    const runtime = device.nodeRed()!.runtime;
    await waitFor('the runaway Node-RED killed and restarted', () => runtime.status(), (s) => s.kills >= 1 && s.state === 'running', runtime.recoveryBoundMs());
    const again = await editorToken(editorUrl, 'zhao.tech', PASSWORD);
    const kept = (await (await fetch(`${editorUrl}flows`, { headers: { authorization: `Bearer ${again.accessToken}` } })).json()) as { id: string }[];
    expect(kept.map((node) => node.id)).toEqual(expect.arrayContaining(['runaway-tab', FLOW]));
    // The kiosk's alert log says so, for the hub's registry.
    const alerts = await getJson<{ alerts?: { code: string }[] }>(`${apiUrl}/state`);
    expect(JSON.stringify(alerts)).toContain('NODE_RED_UNRESPONSIVE');

    // Technician mode (technician card and PIN on the kiosk) tells what Node-RED is doing and where its editor is.
    expect((await staffSignIn(apiUrl, { card: TECH_CARD, pin: TECH_PIN })).status).toBe(200);
    const diagnostics = await getJson<{ nodeRed: { state: string; editorUrl: string | null; kills: number } | null }>(`${apiUrl}/technician/diagnostics`);
    expect(diagnostics.nodeRed).toMatchObject({ state: 'running', editorUrl, kills: runtime.status().kills });
  }, 180_000);
});
