/**
 * 退货 of a purchase this kiosk did not make, through the kiosk API (GET /api/staff/purchases/:txId) against a real
 * hub: a real kiosk (createDevice, real HTTP, real MQTT over TLS) and a real hub (embedded aedes, SQLite, demo data).
 * A sale made at HQ is not in the kiosk's outbox, so the kiosk asks the hub (look-up purchase.lines): the clerk sees
 * its lines with the one HQ refunded already, and refunds another; another member's purchase is refused, and
 * without the hub the kiosk says so.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { hqAdminLogin } from '../../hub/testing/staff-actor.ts';
import { postJson } from '../support/http-json.ts';
import { kioskAgainstHub } from '../support/kiosk-against-hub.ts';
import { staffSignIn, tapMember } from '../support/kiosk-api.ts';

const DEVICE_ID = 'kiosk-e2e-refund-lines';

const LINES = [
  { lineNo: 1, sku: 'COFFEE', category: 'drinks', qty: 2, unitPriceCents: 350 },
  { lineNo: 2, sku: 'BREAD', category: 'bakery', qty: 1, unitPriceCents: 600 },
];

async function purchaseLines(apiUrl: string, txId: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${apiUrl}/staff/purchases/${encodeURIComponent(txId)}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('refunding lines of a purchase made elsewhere, through the kiosk API against a real hub', () => {
  const rig = kioskAgainstHub('mk-e2e-refund-lines-', DEVICE_ID);
  afterEach(() => rig.dispose());

  it('lists an HQ sale’s lines for the member on screen, greys the refunded line, refunds another; not another member’s; not without the hub', async () => {
    const { apiUrl, hub } = await rig.start();
    const { store } = hub.hub;
    const { actor } = await hqAdminLogin(store);
    const sale = await store.applyHq({ kind: 'purchase', storeId: 'hq', cardUid: DEMO_CARDS.gold, lines: LINES, payments: [{ method: 'cash', amountCents: 1_300 }], actor });
    expect(sale.status).toBe('applied');
    expect((await store.applyHq({ kind: 'refund', storeId: 'hq', cardUid: DEMO_CARDS.gold, purchaseTxId: sale.id!, lineNos: [2], actor })).status).toBe('applied');
    const silverSale = await store.applyHq({ kind: 'purchase', storeId: 'hq', cardUid: DEMO_CARDS.silver, lines: LINES, payments: [{ method: 'cash', amountCents: 1_300 }], actor });
    expect(silverSale.status).toBe('applied');

    await staffSignIn(apiUrl);
    await tapMember(apiUrl, DEMO_CARDS.gold);
    const listed = await purchaseLines(apiUrl, sale.id!);
    expect(listed).toEqual({
      status: 200,
      body: { txId: sale.id, at: expect.any(String), lines: LINES, payments: [{ method: 'cash', amountCents: 1_300 }], totalCents: sale.outcome!.purchase!.totalCents, refundedLineNos: [2] },
    });

    // The line still there is refunded from this kiosk; the hub then knows both lines as refunded.
    const refund = await postJson<{ status: string }>(`${apiUrl}/tx/refund`, { purchaseTxId: sale.id, lineNos: [1] });
    expect(refund.body, JSON.stringify(refund.body)).toMatchObject({ status: 'applied' });
    await tapMember(apiUrl, DEMO_CARDS.gold);
    expect((await purchaseLines(apiUrl, sale.id!)).body).toMatchObject({ refundedLineNos: [1, 2] });

    // Another member's purchase is not this member's to refund, whoever is asking.
    expect(await purchaseLines(apiUrl, silverSale.id!)).toMatchObject({ status: 400, body: { error: { code: 'REFUND_UNKNOWN_PURCHASE' } } });

    // Without the hub the lines of a purchase made elsewhere cannot be had.
    await rig.stopHubAndWaitOffline();
    expect(await purchaseLines(apiUrl, sale.id!)).toMatchObject({ status: 503, body: { error: { code: 'HUB_REQUIRED' } } });
  });
});
