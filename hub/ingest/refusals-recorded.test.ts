/**
 * Every refusal the hub can attribute is answered with the transaction's id and says whether the ledger
 * recorded it; a recorded refusal fills its slot so the queue behind it goes on. Run against a real hub
 * (embedded aedes, SQLite) with a bare MQTT client sending exactly the bytes each case needs.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_TX_BYTES } from '../../core/wire/limits.ts';
import { DEMO_CARDS } from '../demo/seed-demo-data.ts';
import { RawDeviceClient, type RawTxBody } from '../testing/raw-device-client.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const purchase = (cents: number): RawTxBody => ({
  kind: 'purchase',
  cardUid: DEMO_CARDS.gold,
  lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: cents }],
  payments: [{ method: 'cash', amountCents: cents }],
});

/** The basket that wedged kiosks: 200 lines whose sku and category are 64 CJK characters each (~90 KB). */
function poisonBasket(): RawTxBody {
  const lines = Array.from({ length: 200 }, (_, i) => ({ lineNo: i + 1, sku: '鲜'.repeat(63) + String(i % 10), category: '乳制品'.repeat(21), qty: 1, unitPriceCents: 100 }));
  return { kind: 'purchase', cardUid: DEMO_CARDS.gold, lines, payments: [{ method: 'cash', amountCents: 20_000 }] };
}

describe('refusals the hub records (real aedes, real SQLite)', () => {
  let env: TestHub;
  let device: RawDeviceClient;

  beforeEach(async () => {
    env = await startTestHub();
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-r1', await enrolForTest(env, 'kiosk-r1'));
    // A counter device: these tests pay cash (an unattended kiosk's cash is refused: tx-ingest.test.ts).
    await env.hub.store.identity.setDeviceMode('kiosk-r1', 'attended');
  });
  afterEach(async () => {
    await device.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  function ledgerRow(txId: string) {
    const db = new Database(join(env.dataDir, 'ledger.sqlite'), { readonly: true });
    try {
      return db.prepare('SELECT status, code, seq, epoch FROM transactions WHERE tx_id = ?').get(txId);
    } finally {
      db.close();
    }
  }

  it('refuses an oversize transaction under its id, records it, and applies the next seq', async () => {
    const poison = device.make(poisonBasket());
    const bytes = Buffer.byteLength(JSON.stringify(poison));
    expect(bytes).toBeGreaterThan(MAX_TX_BYTES);
    const refused = await device.send(poison);
    expect(refused).toMatchObject({ id: poison.id, seq: 1, status: 'rejected', code: 'TX_TOO_LARGE', recorded: true });
    expect(ledgerRow(poison.id)).toEqual({ status: 'rejected', code: 'TX_TOO_LARGE', seq: 1, epoch: '' });
    // The queue goes on: the next seq applies instead of TX_OUT_OF_ORDER for ever.
    expect((await device.send(device.make(purchase(500)))).status).toBe('applied');
    // A resend of the refused one is answered from the ledger, not refused again as new.
    expect(await device.send(poison)).toMatchObject({ status: 'exists', original: 'rejected', code: 'TX_TOO_LARGE', recorded: true });
    expect(await env.hub.store.deviceAlerts(10, 'kiosk-r1')).toEqual([expect.objectContaining({ code: 'TX_CLOSED_BY_REFUSAL', detail: expect.objectContaining({ txId: poison.id, code: 'TX_TOO_LARGE' }) })]);
  });

  it('refuses duplicate line numbers as TX_INVALID, recorded', async () => {
    const body = purchase(100) as Extract<RawTxBody, { kind: 'purchase' }>;
    const twice = device.make({ ...body, lines: [body.lines[0]!, { ...body.lines[0]!, sku: 'BREAD' }], payments: [{ method: 'cash', amountCents: 200 }] });
    expect(await device.send(twice)).toMatchObject({ status: 'rejected', code: 'TX_INVALID', recorded: true, message: expect.stringContaining('lineNo') });
    expect((await device.send(device.make(purchase(100)))).status).toBe('applied');
  });

  it('refuses a format it does not read as TX_FORMAT_UNSUPPORTED, recorded', async () => {
    const future = { ...device.make(purchase(100)), v: 99 };
    expect(await device.send(JSON.stringify(future))).toMatchObject({ id: future.id, status: 'rejected', code: 'TX_FORMAT_UNSUPPORTED', recorded: true });
    expect((await device.send(device.make(purchase(100)))).status).toBe('applied');
  });

  it('answers a refusal it cannot record with recorded: false and fills no slot', async () => {
    const other = device.make(purchase(100));
    expect(await device.send(JSON.stringify({ ...other, deviceId: 'kiosk-other' }))).toMatchObject({ id: other.id, status: 'rejected', code: 'TX_DEVICE_MISMATCH', recorded: false });
    expect(await env.hub.store.lastSeq('kiosk-r1')).toBe(0);
    expect(await env.hub.store.lastSeq('kiosk-other')).toBe(0);
  });

  it('answers a seq another sender took with TX_SEQ_REUSED (unrecorded) and closes that epoch', async () => {
    device.epoch = 'EPOCHONE';
    expect((await device.send(device.make(purchase(100), { seq: 1 }))).status).toBe('applied');
    // "Someone else" took seq 2 of this epoch before the kiosk's own seq 2 arrived.
    expect((await device.send(device.make(purchase(200), { seq: 2 }))).status).toBe('applied');
    const mine = device.make(purchase(300), { seq: 2 });
    expect(await device.send(mine)).toMatchObject({ id: mine.id, seq: 2, epoch: 'EPOCHONE', status: 'rejected', code: 'TX_SEQ_REUSED', recorded: false });
    // Nothing more is applied in a contested epoch, so nothing can overtake the kiosk's moved entries.
    const next = device.make(purchase(400), { seq: 3 });
    expect(await device.send(next)).toMatchObject({ status: 'rejected', code: 'TX_EPOCH_CLOSED', recorded: false });
    // The kiosk's entries in a new epoch (same ids, new seqs) apply, each once.
    const moved = { ...mine, epoch: 'EPOCHTWO', seq: 1 };
    const movedNext = { ...next, epoch: 'EPOCHTWO', seq: 2 };
    expect(await device.send(moved)).toMatchObject({ id: mine.id, status: 'applied', epoch: 'EPOCHTWO', seq: 1 });
    expect(await device.send(movedNext)).toMatchObject({ id: next.id, status: 'applied' });
    expect((await env.hub.store.deviceAlerts(10, 'kiosk-r1')).map((a) => a.code)).toContain('SEQ_EPOCH_MOVED');
  });

  it('refuses a transaction whose predecessor slot holds another sender’s, before it can overtake the kiosk’s own', async () => {
    device.epoch = 'EPOCHP';
    // The kiosk's T1 was lost on the way; someone else's X1 took seq 1. The kiosk's T2 names T1 as its predecessor.
    const mineFirst = device.make(purchase(100), { seq: 1 });
    expect((await device.send(device.make(purchase(900), { seq: 1 }))).status).toBe('applied');
    const mineSecond = { ...device.make(purchase(200), { seq: 2 }), prevId: mineFirst.id };
    expect(await device.send(mineSecond)).toMatchObject({ id: mineSecond.id, seq: 2, status: 'rejected', code: 'TX_SEQ_REUSED', recorded: false });
    expect(await device.send(mineFirst)).toMatchObject({ status: 'rejected', code: 'TX_SEQ_REUSED' });
    expect(await env.hub.store.lastSeq('kiosk-r1', 'EPOCHP')).toBe(1);
    // In its own order in a new epoch both apply, the second after the first.
    expect(await device.send({ ...mineFirst, epoch: 'EPOCHQ', seq: 1 })).toMatchObject({ status: 'applied' });
    expect(await device.send({ ...mineSecond, epoch: 'EPOCHQ', seq: 2 })).toMatchObject({ status: 'applied' });
  });

  it('fills a new slot with an applied transaction resent from a new epoch, as exists', async () => {
    device.epoch = 'EPOCHA';
    const first = device.make(purchase(100), { seq: 1 });
    const applied = await device.send(first);
    expect(applied.status).toBe('applied');
    // The kiosk never heard the result and moved the entry to a new epoch: same id, same content, new slot.
    const again = { ...first, epoch: 'EPOCHB', seq: 1 };
    expect(await device.send(again)).toMatchObject({ id: first.id, status: 'exists', original: 'applied', epoch: 'EPOCHB', seq: 1, recorded: true });
    expect(await env.hub.store.lastSeq('kiosk-r1', 'EPOCHB')).toBe(1);
    expect((await device.send(device.make(purchase(100), { epoch: 'EPOCHB', seq: 2 }))).status).toBe('applied');
    // Still answered the same way when resent in either place.
    expect(await device.send(again)).toMatchObject({ status: 'exists', original: 'applied' });
    expect(await device.send(first)).toMatchObject({ status: 'exists', original: 'applied' });
    expect((await env.hub.store.memberViewByCard(DEMO_CARDS.gold))?.history.filter((h) => h.txId === first.id)).toHaveLength(1);
  });

  it('records a known id with other content in the next slot as TX_ID_CONFLICT, so the queue goes on', async () => {
    const original = device.make(purchase(100));
    expect((await device.send(original)).status).toBe('applied');
    const impostor = { ...device.make(purchase(999)), id: original.id };
    expect(await device.send(impostor)).toMatchObject({ id: original.id, seq: 2, status: 'rejected', code: 'TX_ID_CONFLICT', recorded: true });
    expect(await device.send(impostor)).toMatchObject({ status: 'exists', original: 'rejected', code: 'TX_ID_CONFLICT' });
    expect((await device.send(device.make(purchase(100)))).status).toBe('applied');
  });
});
