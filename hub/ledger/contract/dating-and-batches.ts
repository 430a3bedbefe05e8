/**
 * The ledger contract suite (../ledger-store-contract.ts), in part: Dating (the kiosk's clock is not trusted) and batches: order inside a batch, rollback and per-item replay.
 */
import { expect, it } from 'vitest';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../demo/seed-demo-data.ts';
import { hqAdminLogin, kioskStaffActor } from '../../testing/staff-actor.ts';
import type { Ledger } from '../ledger.ts';
import { DAY, iso, purchase, Kiosk, received, type ContractCases } from './ledger-contract-support.ts';

/** The 'dating' section of the ledger contract. */
export function datingCases(cases: ContractCases): void {
  const { open, apply, historyOf } = cases;
  const atOf = async (store: Ledger, txId: string) => (await historyOf(store, txId))[0]?.at;

  it('dates a possible time at the kiosk time corrected by its offset', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const receivedAt = iso(Date.now() - 60_000);
    // The kiosk's clock runs two hours slow; the hub measured +2 h when it connected.
    const slow = kiosk.make(purchase(100), { createdAt: iso(Date.parse(receivedAt) - 2 * 3_600_000 - 1_000), clockOffsetMs: 2 * 3_600_000 });
    const result = await apply(store, slow, { receivedAt });
    expect(result.status).toBe('applied');
    expect(result.clock).toBeUndefined();
    expect(await atOf(store, slow.id)).toBe(iso(Date.parse(receivedAt) - 1_000));
  });

  it('dates an impossible time (future, before 2024, before the previous one) at its receive time, and says so', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const now = Date.now();
    const cases = [
      { tx: kiosk.make(purchase(100), { createdAt: iso(now - 4 * DAY) }), receivedAt: iso(now - 3 * DAY), reason: null },
      { tx: kiosk.make(purchase(100), { createdAt: '9999-12-31T23:59:59.000Z' }), receivedAt: iso(now - 2 * DAY), reason: 'future' },
      { tx: kiosk.make(purchase(100), { createdAt: '1970-01-01T00:00:05.000Z' }), receivedAt: iso(now - DAY), reason: 'before_earliest' },
      { tx: kiosk.make(purchase(100), { createdAt: iso(now - 5 * DAY) }), receivedAt: iso(now - 1_000), reason: 'before_previous' },
    ] as const;
    for (const c of cases) {
      const result = await apply(store, c.tx, { receivedAt: c.receivedAt });
      expect(result.status).toBe('applied');
      if (c.reason === null) {
        expect(result.clock).toBeUndefined();
        expect(await atOf(store, c.tx.id)).toBe(c.tx.createdAt);
      } else {
        expect(result.clock).toMatchObject({ usedHubTime: true, reason: c.reason });
        expect(await atOf(store, c.tx.id)).toBe(c.receivedAt);
      }
    }
    const alerts = (await store.deviceAlerts(10, 'kiosk-c')).filter((a) => a.code === 'CLOCK_IMPLAUSIBLE_TX');
    expect(alerts.map((a) => a.detail.reason)).toEqual(['before_previous', 'before_earliest', 'future']);
  });
}

/** The 'batches' section of the ledger contract. */
export function batchesCases(cases: ContractCases): void {
  const { open, apply, goldBalances } = cases;
  it('applies a batch in order: later items see what earlier ones wrote', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const before = await goldBalances(store);
    const topUp = kiosk.make({ kind: 'top_up', cardUid: DEMO_CARDS.gold, amountCents: 50_000, tender: 'cash', actor: await kioskStaffActor(store, 'kiosk-c') });
    const spend = kiosk.make(purchase(before.storedValueCents + 40_000, DEMO_CARDS.gold, 'stored_value'));
    const results = await store.applyBatch([received(topUp), received(spend)]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect((await goldBalances(store)).storedValueCents).toBe(10_000);
  });

  it('rolls back a batch whose write fails and replays it: only the failing transaction is recorded, as INTERNAL', async () => {
    const failing = new Set<string>();
    const store = await open({ faults: { failEffectWrite: (tx) => failing.has(tx.id) } });
    const kiosk = new Kiosk('kiosk-c');
    const other = new Kiosk('kiosk-d');
    const before = await goldBalances(store);
    const a = kiosk.make(purchase(1_000));
    const bad = kiosk.make(purchase(2_000));
    const c = kiosk.make(purchase(4_000));
    const d = other.make(purchase(8_000));
    failing.add(bad.id);
    const results = await store.applyBatch([a, bad, c, d].map((p) => received(p)));
    expect(results).toMatchObject([
      { id: a.id, seq: 1, status: 'applied' },
      { id: bad.id, seq: 2, status: 'rejected', code: 'INTERNAL', recorded: true },
      { id: c.id, seq: 3, status: 'applied' },
      { id: d.id, seq: 1, status: 'applied' },
    ]);
    // The failing write was undone whole (the audit after the case checks the journal too).
    const gold = 1.5; // points per yuan for a gold member under the default rules
    expect((await goldBalances(store)).points).toBe(before.points + Math.floor(10 * gold) + Math.floor(40 * gold) + Math.floor(80 * gold));
    expect(await store.lastSeq('kiosk-c', 'E1')).toBe(3);
    // Recorded for good: a resend is answered from the ledger (its payload is kept for re-application).
    expect(await apply(store, bad)).toMatchObject({ status: 'exists', original: 'rejected', code: 'INTERNAL', recorded: true });
    expect((await store.deviceAlerts(10, 'kiosk-c')).map((a) => [a.code, a.detail.code])).toContainEqual(['TX_CLOSED_BY_REFUSAL', 'INTERNAL']);
  });

  it('rejects a batch it can neither write nor record, having applied none of it, and applies it once it can', async () => {
    const failing = new Set<string>();
    const store = await open({ faults: { failEffectWrite: (tx) => failing.has(tx.id), failDefectRecord: (txId) => failing.has(txId) } });
    const kiosk = new Kiosk('kiosk-c');
    const before = await goldBalances(store);
    const count = await store.transactionCount();
    const a = kiosk.make(purchase(1_000));
    const bad = kiosk.make(purchase(2_000));
    failing.add(bad.id);
    await expect(store.applyBatch([received(a), received(bad)])).rejects.toThrow();
    expect(await store.lastSeq('kiosk-c', 'E1')).toBe(0);
    expect(await store.transactionCount()).toBe(count);
    expect(await goldBalances(store)).toEqual(before);
    expect(await store.deviceAlerts(10, 'kiosk-c')).toEqual([]);
    // The devices resend; the store has forgotten nothing it did not commit.
    failing.clear();
    expect((await store.applyBatch([received(a), received(bad)])).map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(await store.lastSeq('kiosk-c', 'E1')).toBe(2);
  });

  it('replays HQ transactions the same way: only the failing one is recorded as INTERNAL, under its own HQ seq', async () => {
    const failing = new Set<string>();
    const store = await open({ faults: { failEffectWrite: (tx) => tx.deviceId === HQ_DEVICE_ID && failing.has(tx.kind) } });
    const hqBefore = await store.lastSeq(HQ_DEVICE_ID);
    const { actor } = await hqAdminLogin(store);
    failing.add('card_freeze');
    const results = await store.applyHqBatch([
      { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 100, tender: 'cash', actor },
      { kind: 'card_freeze', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.silver, actor },
      { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 200, tender: 'cash', actor },
    ]);
    expect(results).toMatchObject([
      { seq: hqBefore + 1, status: 'applied' },
      { seq: hqBefore + 2, status: 'rejected', code: 'INTERNAL', recorded: true },
      { seq: hqBefore + 3, status: 'applied' },
    ]);
    expect((await store.card(DEMO_CARDS.silver))?.status).toBe('active');
    expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 3);
  });
}
