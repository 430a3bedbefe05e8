/**
 * The ledger contract suite (../ledger-store-contract.ts), in part: Exactly once and in order: resends, conflicting ids, seq gaps, seqs taken by another sender, epochs, and what is recorded.
 */
import { expect, it } from 'vitest';
import { MAX_TX_BYTES } from '../../../core/wire/limits.ts';
import { DEMO_CARDS } from '../../demo/seed-demo-data.ts';
import { purchase, Kiosk, received, type ContractCases } from './ledger-contract-support.ts';

/** The 'exactly once' section of the ledger contract. */
export function exactlyOnceCases(cases: ContractCases): void {
  const { open, apply, goldBalances, historyOf } = cases;
  it('answers a resend (byte-identical or keys reordered) as exists with the stored result, applied once', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const tx = kiosk.make(purchase(1_000));
    const first = await apply(store, tx);
    expect(first).toMatchObject({ id: tx.id, seq: 1, epoch: 'E1', status: 'applied', recorded: true, outcome: { kind: 'purchase', cardUid: DEMO_CARDS.gold } });
    const balances = await goldBalances(store);
    const count = await store.transactionCount();
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(tx).reverse()));
    for (const again of [JSON.stringify(tx), reordered]) {
      expect(await apply(store, again, { topic: 'kiosk-c' })).toEqual({ ...first, status: 'exists', original: 'applied', recorded: true });
    }
    expect(await goldBalances(store)).toEqual(balances);
    expect(await store.transactionCount()).toBe(count);
    expect(await historyOf(store, tx.id)).toHaveLength(1);
  });

  it('refuses the same id with other content in the slot it holds, unrecorded', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const original = kiosk.make(purchase(100));
    expect((await apply(store, original)).status).toBe('applied');
    const impostor = kiosk.make(purchase(999), { id: original.id, seq: 1 });
    expect(await apply(store, impostor)).toMatchObject({ id: original.id, seq: 1, status: 'rejected', code: 'TX_ID_CONFLICT', recorded: false });
    expect(await store.lastSeq('kiosk-c', 'E1')).toBe(1);
    expect(await apply(store, original)).toMatchObject({ status: 'exists', original: 'applied' });
  });

  it('records the same id with other content in the next slot as TX_ID_CONFLICT, filling that slot', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const original = kiosk.make(purchase(100));
    expect((await apply(store, original)).status).toBe('applied');
    const balances = await goldBalances(store);
    const impostor = kiosk.make(purchase(999), { id: original.id });
    expect(await apply(store, impostor)).toMatchObject({ id: original.id, seq: 2, status: 'rejected', code: 'TX_ID_CONFLICT', recorded: true });
    expect(await store.lastSeq('kiosk-c', 'E1')).toBe(2);
    expect(await apply(store, impostor)).toMatchObject({ seq: 2, status: 'exists', original: 'rejected', code: 'TX_ID_CONFLICT', recorded: true });
    expect(await goldBalances(store)).toEqual(balances);
    expect((await apply(store, kiosk.make(purchase(100)))).status).toBe('applied');
    expect((await store.deviceAlerts(10, 'kiosk-c')).map((a) => a.code)).toContain('TX_CLOSED_BY_REFUSAL');
  });
}

/** The 'order' section of the ledger contract. */
export function orderCases(cases: ContractCases): void {
  const { open, apply, goldBalances, historyOf } = cases;
  it('answers a seq gap with TX_OUT_OF_ORDER (retry, unrecorded) and applies the seqs once the gap is filled', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const one = kiosk.make(purchase(100));
    const two = kiosk.make(purchase(200));
    expect(await apply(store, two)).toMatchObject({ id: two.id, seq: 2, status: 'rejected', code: 'TX_OUT_OF_ORDER', retry: true, recorded: false });
    expect(await store.lastSeq('kiosk-c', 'E1')).toBe(0);
    const results = await store.applyBatch([received(one), received(two)]);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      [one.id, 'applied'],
      [two.id, 'applied'],
    ]);
    expect(await store.lastSeq('kiosk-c', 'E1')).toBe(2);
  });

  it('refuses a seq another sender took (TX_SEQ_REUSED, unrecorded), closes the epoch (TX_EPOCH_CLOSED), and applies the moved entries once', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c', 'EPOCHONE');
    expect((await apply(store, kiosk.make(purchase(100)))).status).toBe('applied');
    expect((await apply(store, kiosk.make(purchase(200)))).status).toBe('applied');
    const mine = kiosk.make(purchase(300), { seq: 2 });
    expect(await apply(store, mine)).toMatchObject({ id: mine.id, seq: 2, epoch: 'EPOCHONE', status: 'rejected', code: 'TX_SEQ_REUSED', recorded: false });
    const next = kiosk.make(purchase(400), { seq: 3 });
    expect(await apply(store, next)).toMatchObject({ status: 'rejected', code: 'TX_EPOCH_CLOSED', recorded: false });
    expect(await store.lastSeq('kiosk-c', 'EPOCHONE')).toBe(2);
    expect((await store.deviceAlerts(10, 'kiosk-c')).map((a) => a.code)).toContain('SEQ_EPOCH_MOVED');
    // The kiosk moves its pending entries to a new epoch: same ids, same content, new seqs.
    const moved = await store.applyBatch([received({ ...mine, epoch: 'EPOCHTWO', seq: 1 }), received({ ...next, epoch: 'EPOCHTWO', seq: 2 })]);
    expect(moved).toMatchObject([
      { id: mine.id, status: 'applied', epoch: 'EPOCHTWO', seq: 1 },
      { id: next.id, status: 'applied', epoch: 'EPOCHTWO', seq: 2 },
    ]);
    expect(await store.consumedSeqs('kiosk-c')).toBe(4);
  });

  it('fills a new epoch\'s slot with a transaction applied in an earlier one as a duplicate (exists), applied once', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c', 'EPOCHA');
    const first = kiosk.make(purchase(100));
    expect((await apply(store, first)).status).toBe('applied');
    const balances = await goldBalances(store);
    // The kiosk never heard the result and moved the entry to a new epoch.
    const again = { ...first, epoch: 'EPOCHB', seq: 1 };
    expect(await apply(store, again)).toMatchObject({ id: first.id, status: 'exists', original: 'applied', epoch: 'EPOCHB', seq: 1, recorded: true });
    expect(await store.lastSeq('kiosk-c', 'EPOCHB')).toBe(1);
    expect((await apply(store, kiosk.make(purchase(100), { epoch: 'EPOCHB', seq: 2 }))).status).toBe('applied');
    // Answered the same way in either place, for ever.
    expect(await apply(store, again)).toMatchObject({ status: 'exists', original: 'applied' });
    expect(await apply(store, first)).toMatchObject({ status: 'exists', original: 'applied' });
    expect(await historyOf(store, first.id)).toHaveLength(1);
    expect((await goldBalances(store)).points).toBe(balances.points + 1);
  });

  it('records a business refusal, which consumes its seq so the queue behind it goes on', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const balances = await goldBalances(store);
    const tooMuch = kiosk.make(purchase(balances.storedValueCents + 1, DEMO_CARDS.gold, 'stored_value'));
    const unknownCard = kiosk.make(purchase(100, 'FFFF0000FFFF'));
    const fine = kiosk.make(purchase(100));
    const results = await store.applyBatch([received(tooMuch), received(unknownCard), received(fine)]);
    expect(results).toMatchObject([
      { id: tooMuch.id, seq: 1, status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE', recorded: true },
      { id: unknownCard.id, seq: 2, status: 'rejected', code: 'CARD_UNKNOWN', recorded: true },
      { id: fine.id, seq: 3, status: 'applied' },
    ]);
    expect(await store.lastSeq('kiosk-c', 'E1')).toBe(3);
    expect(await apply(store, tooMuch)).toMatchObject({ status: 'exists', original: 'rejected', code: 'INSUFFICIENT_STORED_VALUE', recorded: true });
    expect((await goldBalances(store)).storedValueCents).toBe(balances.storedValueCents);
    expect(await historyOf(store, tooMuch.id)).toMatchObject([{ status: 'rejected' }]);
  });

  it('records payloads that can never apply (too large, invalid, unknown kind or format), each filling its slot', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const lines = Array.from({ length: 200 }, (_, i) => ({ lineNo: i + 1, sku: '鲜'.repeat(63) + String(i % 10), category: '乳制品'.repeat(21), qty: 1, unitPriceCents: 100 }));
    const oversize = kiosk.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines, payments: [{ method: 'cash', amountCents: 20_000 }] });
    expect(Buffer.byteLength(JSON.stringify(oversize))).toBeGreaterThan(MAX_TX_BYTES);
    const line = { lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: 100 };
    const invalid = kiosk.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: [line, { ...line, sku: 'BREAD' }], payments: [{ method: 'cash', amountCents: 200 }] });
    const unknownKind = { ...kiosk.make(purchase(100)), kind: 'teleport' };
    const futureFormat = { ...kiosk.make(purchase(100)), v: 99 };
    const next = kiosk.make(purchase(100));
    const results = await store.applyBatch([oversize, invalid, unknownKind, futureFormat, next].map((p) => received(p)));
    expect(results).toMatchObject([
      { id: oversize.id, seq: 1, status: 'rejected', code: 'TX_TOO_LARGE', recorded: true },
      { id: invalid.id, seq: 2, status: 'rejected', code: 'TX_INVALID', recorded: true },
      { id: unknownKind.id, seq: 3, status: 'rejected', code: 'TX_UNKNOWN_KIND', recorded: true },
      { id: futureFormat.id, seq: 4, status: 'rejected', code: 'TX_FORMAT_UNSUPPORTED', recorded: true },
      { id: next.id, seq: 5, status: 'applied' },
    ]);
    expect(await apply(store, oversize)).toMatchObject({ status: 'exists', original: 'rejected', code: 'TX_TOO_LARGE' });
    const alerts = await store.deviceAlerts(10, 'kiosk-c');
    expect(alerts.filter((a) => a.code === 'TX_CLOSED_BY_REFUSAL').map((a) => a.detail.code)).toEqual(['TX_FORMAT_UNSUPPORTED', 'TX_UNKNOWN_KIND', 'TX_INVALID', 'TX_TOO_LARGE']);
  });

  it('answers what it cannot record (no readable slot, another device\'s payload) without filling any slot', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const mismatch = kiosk.make(purchase(100));
    const results = await store.applyBatch([received('not json', { topic: 'kiosk-c' }), received(mismatch, { topic: 'kiosk-other' })]);
    expect(results).toMatchObject([
      { id: null, status: 'rejected', code: 'TX_MALFORMED', recorded: false },
      { id: mismatch.id, status: 'rejected', code: 'TX_DEVICE_MISMATCH', recorded: false },
    ]);
    expect(await store.consumedSeqs('kiosk-c')).toBe(0);
    expect(await store.consumedSeqs('kiosk-other')).toBe(0);
  });
}
