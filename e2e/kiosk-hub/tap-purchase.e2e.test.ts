/**
 * The spine, happy path: a real kiosk (createDevice, real HTTP, real MQTT) against a real hub (embedded aedes,
 * SQLite ledger, demo data). A tap shows the member the hub knows; a purchase is applied by the hub, which
 * credits the points the default rules give, and the kiosk closes its outbox entry with the hub's balances.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { getJson, postJson } from '../support/http-json.ts';
import { staffSignIn, tapMember } from '../support/kiosk-api.ts';
import { purchaseBody } from '../support/purchase.ts';
import { kioskCredentials } from '../support/kiosk-credentials.ts';

const DEVICE_ID = 'kiosk-e2e-tap';

interface TapAnswer {
  session: { name: string; source?: string; offline?: boolean; member?: { memberId: string; tier: string; balances: Record<string, number> } };
}
interface PurchaseAnswer {
  id: string;
  seq: number;
  status: string;
  result?: { status: string; outcome?: { pointsEarned: number; balances: Record<string, number> } };
}

describe('tap and purchase against a real hub', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let env: TestHub | null = null;
  let device: Device | null = null;

  beforeEach(() => {
    temp = makeTempDir('mk-e2e-tap-');
  });

  afterEach(async () => {
    await device?.stop();
    device = null;
    const audit = await env?.hub.store.audit();
    await env?.dispose();
    env = null;
    temp.cleanup();
    // The journal must still explain every balance, whatever the test did (undefined: the hub never started,
    // and the test has already failed on that).
    if (audit !== undefined) expect(audit).toEqual([]);
  });

  it('shows the member from the hub, applies the purchase once and agrees with the hub on balances', async () => {
    env = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    device = createDevice({ demo: true, deviceId: DEVICE_ID, storeId: DEMO_STORE_ID, hubUrl: env.brokerTlsUrl!, mqtt: await kioskCredentials(env, DEVICE_ID), dataDir: join(temp.dir, 'kiosk'), httpPort: 0, logLevel: 'silent' });
    const { apiUrl } = await device.start();
    const store = env.hub.store;
    const before = (await store.memberViewByCard(DEMO_CARDS.gold))!;

    const tap = await postJson<TapAnswer>(`${apiUrl}/sim/tap`, { uid: DEMO_CARDS.gold });
    expect(tap.status).toBe(200);
    // source 'hub' (not 'cache'): the view was answered over MQTT just now, by the ledger.
    expect(tap.body.session).toMatchObject({ name: 'member', source: 'hub', offline: false, member: { memberId: 'M0003', tier: 'gold', balances: before.balances } });

    // No cardUid in the body: the kiosk charges the member on screen.
    const bought = await postJson<PurchaseAnswer>(`${apiUrl}/tx/purchase`, purchaseBody(12_345, { method: 'stored_value' }));
    expect(bought.status).toBe(200);
    expect(bought.body).toMatchObject({ seq: 1, status: 'applied', result: { status: 'applied' } });
    // Default bundle: 1 point per yuan, gold ×1.5, floored once: 123.45 × 1.5 = 185.175 → 185.
    expect(bought.body.result?.outcome?.pointsEarned).toBe(185);

    const after = (await store.memberViewByCard(DEMO_CARDS.gold))!;
    expect(after.balances.points).toBe(before.balances.points + 185);
    expect(after.balances.storedValueCents).toBe(before.balances.storedValueCents - 12_345);
    expect(after.balances).toEqual(bought.body.result?.outcome?.balances);
    expect(await store.consumedSeqs(DEVICE_ID)).toBe(1);
    expect(after.history.filter((h) => h.txId === bought.body.id)).toHaveLength(1);

    // The kiosk closed its outbox entry with the hub's answer.
    const entry = await getJson<{ status: string; result: { status: string; outcome?: { balances: unknown } } | null }>(`${apiUrl}/tx/${bought.body.id}`);
    expect(entry.status).toBe('done');
    expect(entry.result?.outcome?.balances).toEqual(after.balances);
    expect(await getJson(`${apiUrl}/state`)).toMatchObject({ connected: true, outboxDepth: 0 });
  });

  it('registers a new member on a fresh card, who can then tap and be shown', async () => {
    env = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    device = createDevice({ demo: true, deviceId: DEVICE_ID, storeId: DEMO_STORE_ID, hubUrl: env.brokerTlsUrl!, mqtt: await kioskCredentials(env, DEVICE_ID), dataDir: join(temp.dir, 'kiosk'), httpPort: 0, logLevel: 'silent' });
    const { apiUrl } = await device.start();
    const fresh = '04FEEDC0FFEE01';
    const unknown = await postJson<TapAnswer>(`${apiUrl}/sim/tap`, { uid: fresh });
    expect(unknown.body.session.name).not.toBe('member');
    // The kiosk registers only the card on its reader: the shopper chooses "Register" for it; a body naming a
    // card is refused and makes nothing.
    expect((await postJson(`${apiUrl}/session/register`, {})).status).toBe(200);
    const named = await postJson<{ error: { code: string } }>(`${apiUrl}/tx/register`, { cardUid: fresh, name: 'Xu Lan', phone: '13912345678' });
    expect(named.status).toBe(403);
    expect(named.body.error.code).toBe('CARD_NOT_ON_READER');
    expect(await getJson(`${apiUrl}/state`)).toMatchObject({ outboxDepth: 0 });
    expect(await env.hub.store.consumedSeqs(DEVICE_ID)).toBe(0);

    const registered = await postJson<PurchaseAnswer & { result?: { outcome?: { memberId: string; tier: string } } }>(`${apiUrl}/tx/register`, {
      name: 'Xu Lan',
      phone: '13912345678',
      referrer: { phone: '13800138003' },
      consents: [{ purpose: 'terms', granted: true }],
    });
    expect(registered.status).toBe(200);
    expect(registered.body).toMatchObject({ status: 'applied', result: { outcome: { tier: 'standard' } } });
    const memberId = registered.body.result!.outcome!.memberId;
    expect(await env.hub.store.member(memberId)).toMatchObject({ name: 'Xu Lan', tier: 'standard' });
    // The default rules pay no welcome bonus; the referrer is recorded for rules that do.
    const tap = await postJson<TapAnswer>(`${apiUrl}/sim/tap`, { uid: fresh });
    expect(tap.body.session).toMatchObject({ name: 'member', source: 'hub', member: { memberId, tier: 'standard' } });
    await postJson(`${apiUrl}/sim/tap`, { uid: '04FEEDC0FFEE02' });
    expect((await postJson(`${apiUrl}/session/register`, {})).status).toBe(200);
    const again = await postJson<PurchaseAnswer>(`${apiUrl}/tx/register`, { name: 'Xu Lan', phone: '13912345678', consents: [{ purpose: 'terms', granted: true }] });
    expect(again.body).toMatchObject({ status: 'rejected', result: { code: 'MEMBER_PHONE_TAKEN' } });
  });

  it('takes no cash on an unattended kiosk, and tops up only inside a staff session signed in with card and PIN', async () => {
    env = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    // Enrolled as an unattended kiosk on the shop floor.
    device = createDevice({ demo: true, deviceId: DEVICE_ID, storeId: DEMO_STORE_ID, hubUrl: env.brokerTlsUrl!, mqtt: await kioskCredentials(env, DEVICE_ID, { mode: 'unattended' }), dataDir: join(temp.dir, 'kiosk'), httpPort: 0, logLevel: 'silent' });
    const { apiUrl } = await device.start();
    const store = env.hub.store;
    const before = (await store.memberViewByCard(DEMO_CARDS.silver))!;
    expect(await getJson(`${apiUrl}/state`)).toMatchObject({ mode: 'unattended', staff: null });

    // Cash on an unattended kiosk, and a top-up with nobody signed in: refused on the kiosk, nothing queued.
    await tapMember(apiUrl, DEMO_CARDS.silver);
    const cash = await postJson<{ error: { code: string } }>(`${apiUrl}/tx/purchase`, purchaseBody(1_000, { method: 'cash' }));
    expect([cash.status, cash.body.error.code]).toEqual([403, 'TENDER_NOT_ALLOWED']);
    const alone = await postJson<{ error: { code: string } }>(`${apiUrl}/tx/top-up`, { amountCents: 5_000, tender: 'bank_card' });
    expect(alone.body.error.code).toBe('STAFF_SESSION_REQUIRED');
    expect(await getJson(`${apiUrl}/state`)).toMatchObject({ outboxDepth: 0 });

    // The manager taps their staff card and types the PIN; then the member taps, and the top-up names the manager.
    await staffSignIn(apiUrl);
    const { staff } = await getJson<{ staff: { staffId: string; sessionId: string; role: string } }>(`${apiUrl}/state`);
    expect(staff.role).toBe('store_manager');
    await tapMember(apiUrl, DEMO_CARDS.silver);
    const cashTopUp = await postJson<{ error: { code: string } }>(`${apiUrl}/tx/top-up`, { amountCents: 5_000, tender: 'cash' });
    expect(cashTopUp.body.error.code).toBe('TENDER_NOT_ALLOWED');
    const topUp = await postJson<PurchaseAnswer>(`${apiUrl}/tx/top-up`, { amountCents: 5_000, tender: 'bank_card' });
    expect(topUp.body).toMatchObject({ seq: 1, status: 'applied', result: { status: 'applied' } });
    expect((await store.memberViewByCard(DEMO_CARDS.silver))!.balances.storedValueCents).toBe(before.balances.storedValueCents + 5_000);
    expect(await store.consumedSeqs(DEVICE_ID)).toBe(1);
    const ledger = new Database(join(env.dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      const row = ledger.prepare<[string], { payload: string }>('SELECT payload FROM transactions WHERE tx_id = ?').get(topUp.body.id);
      expect(JSON.parse(row!.payload)).toMatchObject({ kind: 'top_up', actor: { staffId: staff.staffId, sessionId: staff.sessionId } });
    } finally {
      ledger.close();
    }
  });
});
