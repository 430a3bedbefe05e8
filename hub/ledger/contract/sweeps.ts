/**
 * The ledger contract suite (../ledger-store-contract.ts), in part: Points expiry and tier reviews applied through the one write path.
 */
import { expect, it } from 'vitest';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../demo/seed-demo-data.ts';
import { hqAdminLogin } from '../../testing/staff-actor.ts';
import { expirePoints } from '../../hq/expire-points.ts';
import { reviewTiers } from '../../hq/review-tiers.ts';
import type { Ledger } from '../ledger.ts';
import { DAY, iso, MONTHLY_REVIEW, purchase, Kiosk, type ContractCases } from './ledger-contract-support.ts';

/** The 'points expiry' section of the ledger contract. */
export function pointsExpiryCases(cases: ContractCases): void {
  const { open, apply } = cases;
  it('takes expired lots out of the balance, one HQ transaction per member, and does it once', async () => {
    const store = await open();
    // The gold member's opening purchase earned 1200 points (800 yuan × 1.5), expiring 365 days later.
    const before = (await store.memberViewByCard(DEMO_CARDS.gold))!;
    expect(before.balances.points).toBe(1200);
    expect(await expirePoints(store, new Date().toISOString())).toEqual({ members: 0, points: 0 });
    const hqBefore = await store.lastSeq(HQ_DEVICE_ID);
    // A purchase now earns a lot that expires in 365 days: also before the sweep's time.
    const bought = await store.applyHq({
      kind: 'purchase',
      storeId: DEMO_STORE_ID,
      cardUid: DEMO_CARDS.gold,
      lines: [{ lineNo: 1, sku: 'X', category: 'general', qty: 1, unitPriceCents: 10_000 }],
      payments: [{ method: 'cash', amountCents: 10_000 }],
    });
    expect(bought.outcome?.pointsEarned).toBe(150);
    const farFuture = iso(Date.now() + 400 * DAY);
    const swept = await expirePoints(store, farFuture);
    // Every demo member's opening lot (50, 360, 1200, 3000) and the new one (150).
    expect(swept).toEqual({ members: 4, points: 50 + 360 + 1200 + 150 + 3000 });
    expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 1 + 4);
    const after = (await store.memberViewByCard(DEMO_CARDS.gold))!;
    expect(after.balances.points).toBe(0);
    expect(after.history[0]).toMatchObject({ kind: 'points_expiry', status: 'applied', pointsDelta: -1350, at: farFuture });
    expect(await expirePoints(store, farFuture)).toEqual({ members: 0, points: 0 });
    expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 1 + 4);
    // A points_expiry planned against lots another writer swept meanwhile is refused, never applied twice.
    const stale = await store.applyHq({ kind: 'points_expiry', storeId: HQ_DEVICE_ID, memberId: 'M0003', asOf: farFuture });
    expect(stale).toMatchObject({ status: 'rejected', code: 'POINTS_EXPIRY_NOTHING_DUE', recorded: true });
  });

  it('shares one HQ sequence with other HQ transactions', async () => {
    const store = await open();
    expect((await expirePoints(store, iso(Date.now() + 400 * DAY))).members).toBe(4);
    const { actor } = await hqAdminLogin(store);
    const after = await store.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 100, tender: 'cash', actor });
    expect(after.status).toBe('applied');
  });

  it('leaves lots alone that are not due yet, and spent points gone', async () => {
    const store = await open();
    // Half a year on, nothing earned today has expired.
    expect(await expirePoints(store, iso(Date.now() + 180 * DAY))).toEqual({ members: 0, points: 0 });
    const kiosk = new Kiosk('kiosk-c');
    // The gold member pays 10 yuan with 1000 points: the sweep takes only what is left in the lot.
    const paid = await apply(store, kiosk.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: [{ lineNo: 1, sku: 'X', category: 'general', qty: 1, unitPriceCents: 1_000 }], payments: [{ method: 'points', points: 1_000 }] }));
    expect(paid.status).toBe('applied');
    const swept = await expirePoints(store, iso(Date.now() + 400 * DAY));
    expect(swept).toEqual({ members: 4, points: 50 + 360 + 200 + 3000 });
  });
}

/** The 'tier review' section of the ledger contract. */
export function tierReviewCases(cases: ContractCases): void {
  const { open, apply } = cases;
  /** A cash purchase made by kiosk "kiosk-t" at a chosen time and received then. */
  async function buy(store: Ledger, kiosk: Kiosk, cardUid: string, cents: number, createdAt: string) {
    const result = await apply(store, kiosk.make(purchase(cents, cardUid), { createdAt, bundleVersion: 2 }), { receivedAt: createdAt });
    expect(result.status).toBe('applied');
  }

  it('moves every member to the tier their month earned, once, with one HQ transaction per change', async () => {
    const store = await open();
    await store.saveRulesBundle(MONTHLY_REVIEW);
    const kiosk = new Kiosk('kiosk-t');
    // January 2027 (Shanghai): the gold member earns 1500 × 1.5 = 2250 (stays gold); the diamond member
    // 100 × 2 = 200 (drops to standard); the silver member buys nothing (drops to standard).
    await buy(store, kiosk, DEMO_CARDS.gold, 150_000, '2027-01-10T04:00:00.000Z');
    await buy(store, kiosk, DEMO_CARDS.diamond, 10_000, '2027-01-20T04:00:00.000Z');
    // The silver member buys 5000 yuan on 2 February (× 1.2 = 6000: gold by this month's figure; diamond
    // for now by lifetime points). February does not count for January, but the review does not push them
    // below what February already earned them: gold.
    await buy(store, kiosk, DEMO_CARDS.silver, 500_000, '2027-02-02T04:00:00.000Z');
    expect((await store.member('M0002'))?.tier).toBe('diamond');
    const hqBefore = await store.lastSeq(HQ_DEVICE_ID);

    const review = await reviewTiers(store, '2027-02-05T00:00:00.000Z');
    expect(review).toEqual({ status: 'reviewed', period: '2027-01', members: 4, changed: 2 });
    const tiers = await Promise.all(['M0001', 'M0002', 'M0003', 'M0004'].map(async (id) => (await store.member(id))?.tier));
    expect(tiers).toEqual(['standard', 'gold', 'gold', 'standard']);
    expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 2);
    expect((await store.memberViewById('M0004'))?.history[0]).toMatchObject({ kind: 'tier_review', status: 'applied', at: '2027-02-05T00:00:00.000Z' });
    expect(await reviewTiers(store, '2027-02-20T00:00:00.000Z')).toEqual({ status: 'already_reviewed', period: '2027-01' });
    expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 2);
    // A review planned against a tier that has changed since is refused, never applied twice.
    const stale = await store.applyHq({ kind: 'tier_review', storeId: HQ_DEVICE_ID, memberId: 'M0004', period: '2027-01', figure: 200, tierBefore: 'diamond', tierAfter: 'standard' });
    expect(stale).toMatchObject({ status: 'rejected', code: 'TIER_REVIEW_STALE', recorded: true });
  });

  it('does not review a period the ledger did not track from its first day', async () => {
    const store = await open();
    await store.saveRulesBundle(MONTHLY_REVIEW);
    // Nothing tracked yet: the November review cannot know what anyone earned, so nobody is downgraded.
    expect(await reviewTiers(store, '2026-12-03T00:00:00.000Z')).toEqual({ status: 'skipped_not_fully_tracked', period: '2026-11' });
    expect((await store.member('M0004'))?.tier).toBe('diamond');
    expect(await reviewTiers(store, '2026-12-04T00:00:00.000Z')).toEqual({ status: 'already_reviewed', period: '2026-11' });
  });

  it('has nothing to do when the rules never downgrade', async () => {
    const store = await open();
    expect(await reviewTiers(store, '2027-02-05T00:00:00.000Z')).toEqual({ status: 'nothing_due' });
  });
}
