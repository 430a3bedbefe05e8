/**
 * The look-up purchase.lines (退货 at a kiosk of a purchase made anywhere), over a real hub (embedded aedes, SQLite
 * ledger): a member's purchase made by another kiosk or by HQ answers its lines, payments, total and the lines
 * refunded since; another member's purchase answers exactly as an unknown one; a lost card is refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LookupResponse } from '../../core/wire/lookup.ts';
import type { StaffActor } from '../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { hqAdminLogin } from '../testing/staff-actor.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';

const SELLING = 'kiosk-selling';
const ASKING = 'kiosk-asking';
const CARD = 'C0FFEE21';
const MEMBER = 'R0001';

const LINES = [
  { lineNo: 1, sku: 'TEA', category: 'grocery', qty: 2, unitPriceCents: 1_500 },
  { lineNo: 2, sku: 'CAKE', category: 'bakery', qty: 1, unitPriceCents: 800 },
  { lineNo: 3, sku: 'MILK', category: 'grocery', qty: 3, unitPriceCents: 400 },
];
const PAYMENTS = [{ method: 'cash' as const, amountCents: 5_000 }];

describe('purchase.lines: a member’s purchase made anywhere, for a refund at a kiosk (real aedes, real SQLite)', () => {
  let env: TestHub;
  let selling: RawDeviceClient;
  let asking: RawDeviceClient;
  let actor: StaffActor;

  beforeEach(async () => {
    env = await startTestHub();
    selling = await RawDeviceClient.connect(env.brokerUrl, SELLING, await enrolForTest(env, SELLING, { mode: 'attended' }));
    asking = await RawDeviceClient.connect(env.brokerUrl, ASKING, await enrolForTest(env, ASKING, { mode: 'attended' }));
    await env.hub.store.createMember({ memberId: MEMBER, name: '退货', phone: '13900004444', tier: 'standard', homeStoreId: DEMO_STORE_ID, cards: [{ uid: CARD }] });
    actor = (await hqAdminLogin(env.hub.store)).actor;
  });

  afterEach(async () => {
    await selling.close();
    await asking.close();
    expect(await env.hub.store.audit()).toEqual([]);
    await env.dispose();
  });

  const lines = (cardUid: string, purchaseTxId: string): Promise<LookupResponse> => asking.lookup({ op: 'purchase.lines', cardUid, purchaseTxId });

  it('answers another kiosk’s purchase with its lines, payments, total and the lines refunded since; HQ’s own sales too', async () => {
    const sale = await selling.send(selling.make({ kind: 'purchase', cardUid: CARD, lines: LINES, payments: PAYMENTS }));
    expect(sale.status).toBe('applied');
    const totalCents = sale.outcome!.purchase!.totalCents;

    await expect(lines(CARD, sale.id!)).resolves.toEqual({
      ok: true,
      purchaseLines: { txId: sale.id, at: expect.any(String), lines: LINES, payments: PAYMENTS, totalCents, refundedLineNos: [] },
    });

    // Lines 3 and 1 are refunded at HQ: the answer names them, in line order.
    const refund = await env.hub.store.applyHq({ kind: 'refund', storeId: 'hq', cardUid: CARD, purchaseTxId: sale.id!, lineNos: [3, 1], actor });
    expect(refund.status).toBe('applied');
    const after = await lines(CARD, sale.id!);
    expect(after).toMatchObject({ ok: true, purchaseLines: { txId: sale.id, lines: LINES, refundedLineNos: [1, 3] } });
    // Dated as the ledger dated the sale: the member's history shows the same instant.
    const history = await asking.lookup({ op: 'member.history', cardUid: CARD, limit: 10 });
    const listed = (history as { entries: { txId: string; at: string }[] }).entries.find((e) => e.txId === sale.id);
    expect((after as { purchaseLines: { at: string } }).purchaseLines.at).toBe(listed!.at);

    // A sale made at HQ by staff answers the same way.
    const hqSale = await env.hub.store.applyHq({ kind: 'purchase', storeId: 'hq', cardUid: CARD, lines: [LINES[1]!], payments: [{ method: 'cash', amountCents: 800 }], actor });
    expect(hqSale.status).toBe('applied');
    await expect(lines(CARD, hqSale.id!)).resolves.toMatchObject({ ok: true, purchaseLines: { txId: hqSale.id, lines: [LINES[1]], payments: [{ method: 'cash', amountCents: 800 }], refundedLineNos: [] } });
  });

  it('answers only for the card’s own member: another member’s purchase reads as an unknown one; a lost card is refused', async () => {
    const theirs = await selling.send(selling.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: LINES, payments: PAYMENTS }));
    expect(theirs.status).toBe('applied');
    const mine = await selling.send(selling.make({ kind: 'purchase', cardUid: CARD, lines: LINES, payments: PAYMENTS }));
    expect(mine.status).toBe('applied');

    // The gold member's own card gets it: the refusal below is about whose it is, not about the purchase.
    await expect(lines(DEMO_CARDS.gold, theirs.id!)).resolves.toMatchObject({ ok: true, purchaseLines: { txId: theirs.id } });
    const refusedTheirs = await lines(CARD, theirs.id!);
    const refusedUnknown = await lines(CARD, '01HZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(refusedTheirs).toEqual({ ok: false, code: 'REFUND_UNKNOWN_PURCHASE', message: 'no purchase of this member with that id' });
    expect(refusedUnknown).toEqual(refusedTheirs);
    await expect(lines('FFFF0000', mine.id!)).resolves.toMatchObject({ ok: false, code: 'CARD_UNKNOWN' });
    await expect(asking.lookup({ op: 'purchase.lines', cardUid: CARD, purchaseTxId: '' } as never)).resolves.toMatchObject({ ok: false, code: 'REQUEST_MALFORMED' });

    expect((await selling.send(selling.make({ kind: 'card_report_loss', cardUid: CARD }))).status).toBe('applied');
    await expect(lines(CARD, mine.id!)).resolves.toEqual({ ok: false, code: 'CARD_LOST', message: 'card is lost' });
  });
});
