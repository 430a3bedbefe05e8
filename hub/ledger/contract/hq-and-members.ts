/**
 * The ledger contract suite (../ledger-store-contract.ts), in part: HQ transactions under HQ's own seq, the stores whose staff see a member, and a member's purchase read for a refund.
 */
import { expect, it } from 'vitest';
import { memberInScope, type MemberScope } from '../../../core/identity/member-scope.ts';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../demo/seed-demo-data.ts';
import { hqAdminLogin, kioskStaffActor } from '../../testing/staff-actor.ts';
import type { Ledger } from '../ledger.ts';
import { DAY, iso, purchase, Kiosk, received, nextId, type ContractCases } from './ledger-contract-support.ts';

/** The 'hq transactions' section of the ledger contract. */
export function hqTransactionsCases(cases: ContractCases): void {
  const { open, apply, goldBalances, historyOf } = cases;
  it('applies them through the same path under HQ\'s own seq, taken inside the database transaction', async () => {
    const store = await open();
    const hqBefore = await store.lastSeq(HQ_DEVICE_ID);
    expect(hqBefore).toBeGreaterThan(0); // the demo's opening balances are HQ transactions
    const { actor } = await hqAdminLogin(store);
    const before = await goldBalances(store);
    const one = await store.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 100, tender: 'cash', actor });
    expect(one).toMatchObject({ seq: hqBefore + 1, epoch: '', status: 'applied', recorded: true });
    const two = await store.applyHqBatch([
      { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 200, tender: 'cash', actor },
      { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 300, tender: 'cash', actor },
    ]);
    expect(two.map((r) => [r.seq, r.status])).toEqual([
      [hqBefore + 2, 'applied'],
      [hqBefore + 3, 'applied'],
    ]);
    expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 3);
    expect((await goldBalances(store)).storedValueCents).toBe(before.storedValueCents + 600);
    expect(await historyOf(store, one.id!)).toHaveLength(1);
    // A business refusal of an HQ transaction is recorded and consumes its seq like any other.
    const refused = await store.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: 'FFFF0000FFFF', amountCents: 100, tender: 'cash', actor });
    expect(refused).toMatchObject({ seq: hqBefore + 4, status: 'rejected', code: 'CARD_UNKNOWN', recorded: true });
  });

  it('applies a caller-given id once: the same id again, also after a reopen, answers the stored result as exists and takes no seq', async () => {
    const store = await open({ durable: true });
    const { actor } = await hqAdminLogin(store);
    const bonus = { kind: 'manual_bonus', storeId: HQ_DEVICE_ID, cardUid: DEMO_CARDS.gold, points: 150, reason: 'birthday', actor } as const;
    const pointsBefore = (await goldBalances(store)).points;
    const id = nextId();
    const first = await store.applyHq(bonus, { id });
    expect(first).toMatchObject({ id, status: 'applied', recorded: true });
    const hqSeq = await store.lastSeq(HQ_DEVICE_ID);
    const count = await store.transactionCount();
    expect(await store.applyHq(bonus, { id })).toMatchObject({ id, seq: first.seq, status: 'exists', original: 'applied', recorded: true });
    await store.close();
    await store.open();
    // A re-run after a restart, even with other words, is the same grant: the id decides.
    const again = await store.applyHq({ ...bonus, reason: 'birthday (re-run)' }, { id });
    expect(again).toMatchObject({ id, seq: first.seq, status: 'exists', original: 'applied', recorded: true, outcome: { pointsEarned: 150 } });
    expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqSeq);
    expect(await store.transactionCount()).toBe(count);
    expect((await goldBalances(store)).points).toBe(pointsBefore + 150);
    expect(await historyOf(store, id)).toHaveLength(1);
    // A refusal recorded under an id is its outcome for good: answered as exists, original rejected.
    const refusedId = nextId();
    const refused = await store.applyHq({ ...bonus, cardUid: 'FFFF0000FFFF' }, { id: refusedId });
    expect(refused).toMatchObject({ id: refusedId, status: 'rejected', code: 'CARD_UNKNOWN', recorded: true });
    expect(await store.applyHq(bonus, { id: refusedId })).toMatchObject({ id: refusedId, seq: refused.seq, status: 'exists', original: 'rejected', code: 'CARD_UNKNOWN' });
    // An id a kiosk's transaction holds is not HQ's to answer: refused, unrecorded, nothing applied.
    const kioskTx = new Kiosk('kiosk-c').make(purchase(100));
    const kioskResult = await apply(store, kioskTx);
    expect(kioskResult).toMatchObject({ status: 'applied' });
    const hqSeqBefore = await store.lastSeq(HQ_DEVICE_ID);
    expect(await store.applyHq(bonus, { id: kioskTx.id })).toMatchObject({ id: kioskTx.id, status: 'rejected', code: 'TX_ID_CONFLICT', recorded: false });
    expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqSeqBefore);
    expect((await goldBalances(store)).points).toBe(pointsBefore + 150 + kioskResult.outcome!.pointsEarned);
  });

  it('refuses HQ-only kinds and manual bonuses from a kiosk with TX_NOT_ALLOWED_FROM_DEVICE, recorded', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const before = await store.member('M0003');
    const asOf = iso(Date.now() + 400 * DAY);
    const attempts = [
      kiosk.make({ kind: 'manual_bonus', cardUid: DEMO_CARDS.gold, points: 100, reason: 'goodwill', actor: await kioskStaffActor(store, 'kiosk-c') }),
      kiosk.make({ kind: 'points_expiry', memberId: 'M0003', asOf }),
      kiosk.make({ kind: 'tier_review', memberId: 'M0003', period: '2026-10', figure: 0, tierBefore: 'gold', tierAfter: 'standard' }),
    ];
    const results = await store.applyBatch(attempts.map((p) => received(p)));
    expect(results.map((r) => [r.status, r.code, r.recorded])).toEqual([
      ['rejected', 'TX_NOT_ALLOWED_FROM_DEVICE', true],
      ['rejected', 'TX_NOT_ALLOWED_FROM_DEVICE', true],
      ['rejected', 'TX_NOT_ALLOWED_FROM_DEVICE', true],
    ]);
    expect(await store.lastSeq('kiosk-c', 'E1')).toBe(3);
    expect(await store.member('M0003')).toEqual(before);
  });
}

/** The 'members stores' section of the ledger contract. */
export function membersStoresCases(cases: ContractCases): void {
  const { open, apply } = cases;
  const STORE_A = DEMO_STORE_ID;
  const STORE_B = 'store-002';
  /** A counter kiosk enrolled in `storeId` (the contract's other kiosks are enrolled nowhere). */
  async function kioskIn(store: Ledger, deviceId: string, storeId: string): Promise<Kiosk> {
    await store.identity.setDeviceStore(deviceId, storeId);
    await store.identity.setDeviceMode(deviceId, 'attended');
    return new Kiosk(deviceId, 'E1', storeId);
  }
  async function register(store: Ledger, kiosk: Kiosk, cardUid: string, phone: string): Promise<string> {
    const result = await apply(store, kiosk.make({ kind: 'register_member', cardUid, name: 'New Member', phone }));
    expect(result.status).toBe('applied');
    return result.outcome!.memberId;
  }

  it('knows a member in the store that registered them and in every store where a transaction of theirs was applied', async () => {
    const store = await open();
    const inA = await kioskIn(store, 'kiosk-a', STORE_A);
    const inB = await kioskIn(store, 'kiosk-b', STORE_B);
    // The demo store issued the demo cards; the demo's opening transactions are HQ's, made in no store.
    expect(await store.memberStores('M0003')).toEqual({ homeStoreId: STORE_A, shoppedAtStoreIds: [] });
    expect(await store.memberStores('NOBODY')).toBeNull();
    const memberId = await register(store, inB, 'B0000000000B', '13900000002');
    expect(await store.memberStores(memberId)).toEqual({ homeStoreId: STORE_B, shoppedAtStoreIds: [STORE_B] });
    // A refusal at A (no stored value) and a purchase by a kiosk enrolled nowhere put them in no other store.
    expect(await apply(store, inA.make(purchase(100, 'B0000000000B', 'stored_value')))).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE' });
    expect((await apply(store, new Kiosk('kiosk-c').make(purchase(100, 'B0000000000B')))).status).toBe('applied');
    expect(await store.memberStores(memberId)).toEqual({ homeStoreId: STORE_B, shoppedAtStoreIds: [STORE_B] });
    // A purchase at A does.
    expect((await apply(store, inA.make(purchase(100, 'B0000000000B')))).status).toBe('applied');
    expect(await store.memberStores(memberId)).toEqual({ homeStoreId: STORE_B, shoppedAtStoreIds: [STORE_A, STORE_B] });
  });

  it('lists the members of a scope by the same rule, in order, at most the limit', async () => {
    const store = await open();
    const inA = await kioskIn(store, 'kiosk-a', STORE_A);
    const inB = await kioskIn(store, 'kiosk-b', STORE_B);
    const ofB = await register(store, inB, 'B0000000000B', '13900000002');
    const ofBBuyingAtA = await register(store, inB, 'C0000000000C', '13900000003');
    expect((await apply(store, inA.make(purchase(100, 'C0000000000C')))).status).toBe('applied');
    // A member from before home stores were recorded, who has shopped nowhere.
    await store.createMember({ memberId: 'M-OLD', name: 'Old Member', phone: '13900000009', tier: 'standard', cards: [{ uid: '0D0000000000' }] });
    expect(await store.memberStores('M-OLD')).toEqual({ homeStoreId: null, shoppedAtStoreIds: [] });
    const demo = ['M0001', 'M0002', 'M0003', 'M0004'];
    const everyone = [...demo, ofB, ofBBuyingAtA, 'M-OLD'].sort();
    expect(await store.memberIdsInScope({ kind: 'chain' }, 100)).toEqual(everyone);
    expect(await store.memberIdsInScope({ kind: 'chain' }, 2)).toEqual(everyone.slice(0, 2));
    const inScopeOfA = [...demo, ofBBuyingAtA].sort();
    expect(await store.memberIdsInScope({ kind: 'stores', storeIds: [STORE_A] }, 100)).toEqual(inScopeOfA);
    expect(await store.memberIdsInScope({ kind: 'stores', storeIds: [STORE_A] }, 3)).toEqual(inScopeOfA.slice(0, 3));
    expect(await store.memberIdsInScope({ kind: 'stores', storeIds: [STORE_B] }, 100)).toEqual([ofB, ofBBuyingAtA].sort());
    expect(await store.memberIdsInScope({ kind: 'stores', storeIds: [STORE_A, STORE_B] }, 100)).toEqual(everyone.filter((id) => id !== 'M-OLD'));
    expect(await store.memberIdsInScope({ kind: 'stores', storeIds: ['store-999'] }, 100)).toEqual([]);
    expect(await store.memberIdsInScope({ kind: 'stores', storeIds: [] }, 100)).toEqual([]);
    // The listing agrees with core's rule applied to each member's stores, for every scope.
    const scopes: MemberScope[] = [{ kind: 'chain' }, { kind: 'stores', storeIds: [STORE_A] }, { kind: 'stores', storeIds: [STORE_B] }, { kind: 'stores', storeIds: ['store-999'] }];
    for (const scope of scopes) {
      const listed = await store.memberIdsInScope(scope, 100);
      for (const id of everyone) expect({ scope, id, listed: listed.includes(id) }).toEqual({ scope, id, listed: memberInScope(scope, (await store.memberStores(id))!) });
    }
  });
}

/** The 'member purchase' section of the ledger contract. */
export function memberPurchaseCases(cases: ContractCases): void {
  const { open, apply, historyOf } = cases;
  it('reads a purchase of its member with the lines refunded since; another member\'s, a refused one and an unknown one read as none', async () => {
    const store = await open();
    const kiosk = new Kiosk('kiosk-c');
    const gold = (await store.card(DEMO_CARDS.gold))!.memberId;
    const silver = (await store.card(DEMO_CARDS.silver))!.memberId;
    const lines = [
      { lineNo: 1, sku: 'MILK', category: 'grocery', qty: 2, unitPriceCents: 300 },
      { lineNo: 2, sku: 'EGGS', category: 'grocery', qty: 1, unitPriceCents: 900 },
    ];
    const sale = kiosk.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines, payments: [{ method: 'cash', amountCents: 1_500 }] });
    const applied = await apply(store, sale);
    expect(applied.status).toBe('applied');
    const expected = { txId: sale.id, lines, payments: [{ method: 'cash', amountCents: 1_500 }], totalCents: applied.outcome!.purchase!.totalCents };
    expect(await store.memberPurchase(gold, sale.id)).toEqual({ ...expected, at: (await historyOf(store, sale.id))[0]!.at, refundedLineNos: [] });

    const refund = kiosk.make({ kind: 'refund', cardUid: DEMO_CARDS.gold, purchaseTxId: sale.id, lineNos: [2], actor: await kioskStaffActor(store, 'kiosk-c') });
    expect((await apply(store, refund)).status).toBe('applied');
    expect(await store.memberPurchase(gold, sale.id)).toMatchObject({ ...expected, refundedLineNos: [2] });

    expect(await store.memberPurchase(silver, sale.id)).toBeNull();
    expect(await store.memberPurchase(gold, nextId())).toBeNull();
    // A refused sale (no such card) left no purchase to refund.
    const refused = kiosk.make({ kind: 'purchase', cardUid: 'FFFF0001', lines, payments: [{ method: 'cash', amountCents: 1_500 }] });
    expect((await apply(store, refused)).status).toBe('rejected');
    expect(await store.memberPurchase(gold, refused.id)).toBeNull();
  });
}
