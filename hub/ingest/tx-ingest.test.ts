import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS, DEMO_STAFF_CARD } from '../demo/seed-demo-data.ts';
import { kioskStaffActor } from '../testing/staff-actor.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const purchase = (cents: number, payments: ({ method: 'cash' | 'stored_value'; amountCents: number } | { method: 'points'; points: number })[] = [{ method: 'cash', amountCents: cents }]) => ({
  kind: 'purchase' as const,
  cardUid: DEMO_CARDS.gold,
  lines: [{ lineNo: 1, sku: 'SKU-1', category: 'grocery', qty: 1, unitPriceCents: cents }],
  payments,
});

describe('hub transaction ingest (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-t1', await enrolForTest(env, 'kiosk-t1'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-t1', 'attended');
  });

  afterEach(async () => {
    await device.close();
    // The journal audit must hold after every test, whatever the test did.
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  it('applies a purchase, credits points at the hub and returns balances', async () => {
    const before = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!;
    const result = await device.send(device.make(purchase(12_345, [{ method: 'stored_value', amountCents: 12_345 }])));
    expect(result.status).toBe('applied');
    // gold ×1.5 on 1 point per yuan: 123.45 × 1.5 = 185.175 → 185 (floored once, at the end)
    expect(result.outcome?.pointsEarned).toBe(185);
    expect(result.outcome?.balances.storedValueCents).toBe(before.balances.storedValueCents - 12_345);
    const after = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!;
    expect(after.balances.points).toBe(before.balances.points + 185);
    expect(after.balances).toEqual(result.outcome?.balances);
  });

  it('applies the same transaction published three times exactly once', async () => {
    const tx = device.make(purchase(5_000));
    const first = await device.send(tx);
    const afterFirst = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    const second = await device.send(tx);
    // the same content with its keys in another order is still the same transaction
    const reordered = Object.fromEntries(Object.entries(tx).reverse());
    const third = await device.send(JSON.stringify(reordered));
    expect(first.status).toBe('applied');
    expect([second.status, third.status]).toEqual(['exists', 'exists']);
    expect(second.original).toBe('applied');
    expect(second.outcome).toEqual(first.outcome);
    expect((await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances).toEqual(afterFirst);
    expect(await env.hub.store.lastSeq('kiosk-t1')).toBe(1);
  });

  it('refuses the same id with different content with its own code and changes nothing', async () => {
    const tx = device.make(purchase(5_000));
    await device.send(tx);
    const balances = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    const count = await env.hub.store.transactionCount();
    const forged = { ...tx, lines: [{ lineNo: 1, sku: 'SKU-1', category: 'grocery', qty: 1, unitPriceCents: 9_000 }], payments: [{ method: 'cash', amountCents: 9_000 }] };
    const result = await device.send(JSON.stringify(forged));
    expect(result).toMatchObject({ id: tx.id, status: 'rejected', code: 'TX_ID_CONFLICT' });
    expect((await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances).toEqual(balances);
    expect(await env.hub.store.transactionCount()).toBe(count);
  });

  it('applies a device’s transactions in its order and asks for a resend across a gap', async () => {
    const first = device.make(purchase(1_000));
    const second = device.make(purchase(2_000));
    const third = device.make(purchase(3_000));
    const gap = await device.send(third);
    expect(gap).toMatchObject({ status: 'rejected', code: 'TX_OUT_OF_ORDER', retry: true });
    expect((await device.send(first)).status).toBe('applied');
    expect((await device.send(second)).status).toBe('applied');
    expect((await device.send(third)).status).toBe('applied');
    expect(await env.hub.store.lastSeq('kiosk-t1')).toBe(3);
  });

  it('records a business refusal as final, consuming the seq so later transactions still go', async () => {
    const tooMuch = await device.send(device.make(purchase(100_000_000, [{ method: 'stored_value', amountCents: 100_000_000 }])));
    expect(tooMuch).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE' });
    expect(tooMuch.retry).toBeUndefined();
    expect((await device.send(device.make(purchase(100)))).status).toBe('applied');
  });

  it('answers malformed payloads with coded rejections, keeps running and leaves the ledger alone', async () => {
    const balances = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    const count = await env.hub.store.transactionCount();
    expect(await device.send('not json {')).toMatchObject({ status: 'rejected', code: 'TX_MALFORMED', id: null });
    expect(await device.send(JSON.stringify({ hello: 'world' }))).toMatchObject({ status: 'rejected', code: 'TX_MALFORMED' });
    // Over the broker's packet limit nothing can be read (the embedded broker closes such a connection before
    // the hub sees it: hub/broker tests); over the transaction limit, see refusals-recorded.test.ts.
    const otherDevice = device.make(purchase(100));
    expect(await device.send(JSON.stringify({ ...otherDevice, deviceId: 'kiosk-other' }))).toMatchObject({ status: 'rejected', code: 'TX_DEVICE_MISMATCH', recorded: false });
    // A sound header with an unknown kind or a bad body is a recorded refusal in the device's order.
    expect(await device.send(JSON.stringify({ ...device.make(purchase(100), { seq: 1 }), kind: 'teleport' }))).toMatchObject({ status: 'rejected', code: 'TX_UNKNOWN_KIND', recorded: true });
    expect(await device.send(JSON.stringify({ ...device.make(purchase(100), { seq: 2 }), lines: [{ lineNo: 1, sku: 'X', category: 'c', qty: 1, unitPriceCents: 1.5 }] }))).toMatchObject({
      status: 'rejected',
      code: 'TX_INVALID',
    });
    expect((await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances).toEqual(balances);
    expect(await env.hub.store.transactionCount()).toBe(count + 2);
    // still alive and applying
    expect((await device.send(device.make(purchase(100), { seq: 3 }))).status).toBe('applied');
  });

  it('tops up under a staff session opened for card + PIN on this kiosk, and refuses every other claim of staff, recorded and audited', async () => {
    const before = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    const actor = await kioskStaffActor(env.hub.store, 'kiosk-t1');
    const ok = await device.send(device.make({ kind: 'top_up', cardUid: DEMO_CARDS.gold, amountCents: 50_000, tender: 'cash', actor }));
    expect(ok.status).toBe('applied');
    expect(ok.outcome?.balances.storedValueCents).toBe(before.storedValueCents + 50_000);
    // A staff card number alone (what formats 1–2 sent) proves nothing: refused, recorded, and not kept in clear.
    const legacy = device.make({ kind: 'top_up', cardUid: DEMO_CARDS.gold, amountCents: 50_000, tender: 'cash', staffCardUid: DEMO_STAFF_CARD });
    expect(await device.send(legacy)).toMatchObject({ status: 'rejected', code: 'STAFF_SESSION_REQUIRED', recorded: true });
    const db = new Database(join(env.dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      const stored = db.prepare<[string], { payload: string }>('SELECT payload FROM transactions WHERE tx_id = ?').get(legacy.id)!;
      expect(stored.payload).not.toContain(DEMO_STAFF_CARD);
    } finally {
      db.close();
    }
    // Another kiosk's session, a made-up session, and a cashier's session for a refund are all refused.
    const elsewhere = await kioskStaffActor(env.hub.store, 'kiosk-other');
    expect(await device.send(device.make({ kind: 'top_up', cardUid: DEMO_CARDS.gold, amountCents: 50_000, tender: 'cash', actor: elsewhere }))).toMatchObject({ status: 'rejected', code: 'STAFF_SESSION_INVALID' });
    expect(await device.send(device.make({ kind: 'top_up', cardUid: DEMO_CARDS.gold, amountCents: 50_000, tender: 'cash', actor: { staffId: actor.staffId, sessionId: 'made-up-session-0000' } }))).toMatchObject({ status: 'rejected', code: 'STAFF_SESSION_INVALID' });
    expect((await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.balances.storedValueCents).toBe(before.storedValueCents + 50_000);
    const audited = (await env.hub.store.identity.auditEntries({ limit: 50, action: 'tx.top_up' })).filter((e) => e.surface === 'kiosk:kiosk-t1');
    expect(audited.map((e) => e.outcome)).toEqual(['rejected:STAFF_SESSION_INVALID', 'rejected:STAFF_SESSION_INVALID', 'applied']);
    expect(audited.at(-1)).toMatchObject({ actorId: actor.staffId, surface: 'kiosk:kiosk-t1', before: { storedValueCents: before.storedValueCents }, after: { storedValueCents: before.storedValueCents + 50_000 } });
  });

  it('refuses, recorded, a transaction naming another store than the one the kiosk was enrolled in', async () => {
    const elsewhere = { ...device.make(purchase(100)), storeId: 'store-999' };
    expect(await device.send(elsewhere)).toMatchObject({ status: 'rejected', code: 'TX_STORE_MISMATCH', recorded: true });
    expect((await device.send(device.make(purchase(100)))).status).toBe('applied');
  });

  it('refuses cash from a kiosk the hub has as unattended (recorded), and takes stored value there', async () => {
    // Enrolled as an unattended kiosk on the shop floor: the ledger learns its mode from the enrolment.
    const floor = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-floor', await enrolForTest(env, 'kiosk-floor', { mode: 'unattended' }));
    try {
      const cash = await floor.send(floor.make(purchase(10_000)));
      expect(cash).toMatchObject({ status: 'rejected', code: 'TENDER_NOT_ALLOWED', recorded: true });
      const actor = await kioskStaffActor(env.hub.store, 'kiosk-floor');
      expect(await floor.send(floor.make({ kind: 'top_up', cardUid: DEMO_CARDS.gold, amountCents: 10_000, tender: 'cash', actor }))).toMatchObject({ status: 'rejected', code: 'TENDER_NOT_ALLOWED' });
      expect(await floor.send(floor.make({ kind: 'top_up', cardUid: DEMO_CARDS.gold, amountCents: 10_000, tender: 'bank_card', actor }))).toMatchObject({ status: 'applied' });
      const paid = await floor.send(floor.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: 500 }], payments: [{ method: 'stored_value', amountCents: 500 }] }));
      expect(paid.status).toBe('applied');
    } finally {
      await floor.close();
    }
  });

  it('answers a burst with one message per commit, results in the device’s order', async () => {
    const txs = Array.from({ length: 50 }, () => device.make(purchase(100)));
    const last = device.waitFor((r) => r.id === txs.at(-1)!.id);
    // Published back to back, not waiting for answers: the hub commits them in few batches.
    await Promise.all(txs.map((tx) => device.publishRaw(JSON.stringify(tx))));
    await last;
    expect(device.results.map((r) => r.seq)).toEqual(txs.map((t) => t.seq));
    expect(device.results.every((r) => r.status === 'applied')).toBe(true);
    expect(device.resultMessages).toBeLessThan(50);
  });

  it('answers an unknown card with CARD_UNKNOWN', async () => {
    const result = await device.send(device.make({ ...purchase(100), cardUid: 'DEADBEEF' }));
    expect(result).toMatchObject({ status: 'rejected', code: 'CARD_UNKNOWN' });
  });
});

describe('hub recomputation of kiosk results', () => {
  it('applies its own figures and records where the kiosk’s engine disagreed', async () => {
    const env = await startTestHub();
    const device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-t2', await enrolForTest(env, 'kiosk-t2'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-t2', 'attended');
    try {
      const body = purchase(10_000);
      // 100 yuan for gold: 100 × 1.5 = 150 points. The kiosk claims 999.
      const agreeing = await device.send(device.make({ ...body, claimed: { totalCents: 10_000, pointsEarned: 150 } }));
      const disagreeing = await device.send(device.make({ ...body, claimed: { totalCents: 10_000, pointsEarned: 999 } }));
      expect(agreeing.outcome?.pointsEarned).toBe(150);
      expect(disagreeing.status).toBe('applied');
      expect(disagreeing.outcome?.pointsEarned).toBe(150);
      expect(await env.hub.store.ruleDisagreements(10)).toEqual([
        { txId: disagreeing.id, deviceId: 'kiosk-t2', bundleVersion: 1, differences: [{ field: 'pointsEarned', claimed: 999, computed: 150 }] },
      ]);
      expect(await env.hub.store.audit()).toEqual([]);
    } finally {
      await device.close();
      await env.dispose();
    }
  });
});
