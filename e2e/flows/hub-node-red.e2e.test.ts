/**
 * The hub with Node-RED switched on (real supervised child, our hub nodes, the shipped birthday and campaign
 * flows), its editor behind the console's listener, the ledger and the messaging service real, the SMS gateway the
 * recording fake (no SMS may leave a test). The birthday flow grants and messages the demo's birthday member exactly
 * once, run twice and again after a hub restart; a campaign reaches only members who agreed to marketing, and not
 * one who replied T since.
 */
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_BIRTHDAY_MEMBER, DEMO_MEMBERS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import type { RecordingSmsGatewayFake } from '../../hub/messaging/recording-sms-gateway.ts';
import type { HubConfig } from '../../hub/main.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { deployFlows, editorToken, waitFor } from '../support/node-red-editor.ts';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { enrolForTest } from '../../hub/testing/enrol-for-test.ts';
import { RawDeviceClient } from '../../hub/testing/raw-device-client.ts';

const INBOUND_TOKEN = 'inbound-token-of-the-sms-relay';
const PASSWORD = 'a long enough password';

function config(dataDir: string): Partial<HubConfig> {
  return {
    dataDir,
    http: { host: '127.0.0.1', port: 0 },
    seedDemoAutomation: true,
    nodeRed: { enabled: true, port: 0, credentialSecret: 'e2e-secret-of-some-length', flows: ['birthday-bonus', 'segment-campaign'] },
    messaging: { sms: { kind: 'recording' }, staffWebhook: null, inboundToken: INBOUND_TOKEN },
  };
}



/** Presses an inject node's button, as the editor does (optionally with other values for its properties). */
async function inject(editorUrl: string, token: string, nodeId: string, props?: unknown[]): Promise<void> {
  const response = await fetch(`${editorUrl}inject/${nodeId}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(props ? { __user_inject_props__: props } : {}),
  });
  expect(response.status).toBe(200);
}

describe('the hub with Node-RED on', () => {
  let temp: ReturnType<typeof makeTempDir> | null = null;
  let env: TestHub | null = null;

  afterEach(async () => {
    if (env) expect(await env.hub.store.audit()).toEqual([]);
    await env?.dispose();
    temp?.cleanup();
    env = null;
    temp = null;
  });

  async function start(dir: string): Promise<{ editorUrl: string; token: string; sms: RecordingSmsGatewayFake }> {
    env = await startTestHub(config(dir));
    expect(await env.hub.nodeRed()!.ready).not.toBeNull();
    const editorUrl = `${env.consoleUrl}/node-red/`;
    const admin = await editorToken(editorUrl, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    expect(admin.status).toBe(200);
    return { editorUrl, token: admin.accessToken!, sms: env.hub.automation()!.senders.sms as RecordingSmsGatewayFake };
  }

  const birthdayBonuses = async () =>
    (await env!.hub.store.memberHistory(DEMO_BIRTHDAY_MEMBER.memberId, null, 50)).entries.filter((entry) => entry.kind === 'manual_bonus');

  it('grants and messages the birthday member exactly once, run twice and after a restart; the editor is behind the console for HQ only', async () => {
    temp = makeTempDir('mk-e2e-hub-flows-');
    const dir = join(temp.dir, 'hub');
    let { editorUrl, token, sms } = await start(dir);

    // The editor through the hub's listener: refused without a login and to a cashier.
    expect((await fetch(`${editorUrl}flows`)).status).toBe(401);
    const identity = createIdentityService({ store: env!.hub.store.identity, logger: pino({ level: 'silent' }) });
    await identity.addStaff({ name: '王芳', role: 'cashier', storeIds: [DEMO_STORE_ID], login: 'wang.cashier', password: PASSWORD }, { kind: 'cli', id: 'test', surface: 'cli' });
    expect((await editorToken(editorUrl, 'wang.cashier', PASSWORD)).status).toBe(403);

    await inject(editorUrl, token, 'mk-birthday-bonus-daily');
    await waitFor('the birthday SMS', () => sms.sent.length, (n) => n >= 1);
    expect(await birthdayBonuses()).toHaveLength(1);
    expect(sms.sent).toHaveLength(1);
    expect(sms.sent[0]!.phone).toBe(DEMO_BIRTHDAY_MEMBER.phone);
    expect(sms.sent[0]!.text).toContain('生日快乐');
    const member = await env!.hub.store.member(DEMO_BIRTHDAY_MEMBER.memberId);
    const pointsAfterFirst = member!.points;

    // Run again the same day: nothing more.
    await inject(editorUrl, token, 'mk-birthday-bonus-daily');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await birthdayBonuses()).toHaveLength(1);
    expect(sms.sent).toHaveLength(1);

    // And after the hub restarts (flows, their credentials and the ledger from the data directory).
    await env!.hub.stop();
    env = null;
    ({ editorUrl, token, sms } = await start(dir));
    await inject(editorUrl, token, 'mk-birthday-bonus-daily');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await birthdayBonuses()).toHaveLength(1);
    expect(sms.sent).toHaveLength(0);
    expect((await env!.hub.store.member(DEMO_BIRTHDAY_MEMBER.memberId))!.points).toBe(pointsAfterFirst);
    // The grant is audited with the flows' account as its actor.
    const [bonus] = await birthdayBonuses();
    expect(bonus!.pointsDelta).toBe(200);
  }, 180_000);

  it('sends a campaign only to gold members who agreed to marketing, and not to one who replied T', async () => {
    temp = makeTempDir('mk-e2e-hub-campaign-');
    const { editorUrl, token, sms } = await start(join(temp.dir, 'hub'));
    const store = env!.hub.store;
    const gold = DEMO_MEMBERS.find((m) => m.tier === 'gold')!;
    const at = new Date().toISOString();
    await store.memberProfiles.addConsent({ memberId: gold.memberId, purpose: 'marketing_sms', granted: true, at, staffId: 'test', note: 'agreed at the counter' });
    // Another gold member, who never agreed.
    await store.createMember({ memberId: 'M0099', name: '孙丽', phone: '13900139099', tier: 'gold', creditLimitCents: 0, homeStoreId: DEMO_STORE_ID, cards: [{ uid: '04AABBCCDDEE99' }] });

    await inject(editorUrl, token, 'mk-segment-campaign-start');
    await waitFor('the campaign SMS', () => sms.sent.length, (n) => n >= 1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sms.sent.map((m) => m.phone)).toEqual([gold.phone]);
    expect(sms.sent[0]!.text).toContain('回T退订');

    // The member replies T: the relay forwards it, and the next campaign passes them by.
    const reply = await fetch(`${env!.consoleUrl}/api/messaging/sms-inbound`, {
      method: 'POST',
      headers: { authorization: `Bearer ${INBOUND_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phone: gold.phone, text: 'T' }),
    });
    expect(await reply.json()).toEqual({ unsubscribed: 1 });
    await inject(editorUrl, token, 'mk-segment-campaign-start', [
      { p: 'campaign', v: JSON.stringify({ id: 'spring-sale', text: '春季会员日' }), vt: 'json' },
      { p: 'topic', v: 'segment-campaign', vt: 'str' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(sms.sent).toHaveLength(1);
  }, 120_000);

  it('goes on applying kiosk transactions while a flow on its ledger events blocks Node-RED, and restarts Node-RED', async () => {
    temp = makeTempDir('mk-e2e-hub-runaway-');
    const { editorUrl, token } = await start(join(temp.dir, 'hub'));
    const auth = { authorization: `Bearer ${token}` };
    const flows = (await (await fetch(`${editorUrl}flows`, { headers: auth })).json()) as unknown[];
    const runaway = [
      { id: 'runaway-tab', type: 'tab', label: 'runaway' },
      { id: 'runaway-ledger', type: 'mk-ledger-event', z: 'runaway-tab', name: '', kind: '', status: '', wires: [['runaway-loop']] },
      { id: 'runaway-loop', type: 'function', z: 'runaway-tab', func: 'while (true) {}\nreturn msg;', outputs: 1, wires: [[]] },
    ];
    expect([200, 204]).toContain(await deployFlows(editorUrl, token, [...flows, ...runaway]));

    const kiosk = await RawDeviceClient.connect(env!.brokerUrl, 'kiosk-runaway', await enrolForTest(env!, 'kiosk-runaway', { mode: 'attended' }));
    try {
      const buy = (n: number) =>
        kiosk.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: [{ lineNo: 1, sku: 'SKU-1', category: 'grocery', qty: 1, unitPriceCents: 100 * n }], payments: [{ method: 'stored_value', amountCents: 100 * n }] });
      // The first result sets the flow spinning; every one after it is answered as quickly by the hub.
      for (let n = 1; n <= 5; n++) {
        const started = Date.now();
        const result = await kiosk.send(buy(n));
        expect(result.status, JSON.stringify(result)).toBe('applied');
        expect(Date.now() - started).toBeLessThan(2_000);
      }
    } finally {
      await kiosk.close();
    }
    const runtime = env!.hub.nodeRed()!.runtime;
    await waitFor('the runaway Node-RED killed and restarted', () => runtime.status(), (s) => s.kills >= 1 && (s.state === 'running' || s.state === 'safe-mode'), 40_000);
  }, 120_000);
});
