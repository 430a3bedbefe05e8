import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../../demo/seed-demo-data.ts';
import { submitHqTransaction } from '../../hq/hq-transactions.ts';
import { SqliteLedgerStore } from './sqlite-ledger-store.ts';

describe('points expiry sweep (real SQLite)', () => {
  it('takes expired lots out of the balance with journal entries, once, and keeps unexpired points', () => {
    const store = new SqliteLedgerStore({ path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    store.open();
    seedDemoData(store);
    // The gold member's opening purchase earned 1200 points (800 yuan × 1.5), expiring 365 days later.
    const before = store.memberViewByCard(DEMO_CARDS.gold)!;
    expect(before.balances.points).toBe(1200);
    expect(store.expirePoints(new Date().toISOString())).toEqual({ members: 0, points: 0 });

    const farFuture = new Date(Date.now() + 400 * 86_400_000).toISOString();
    // A purchase dated in the future earns a lot that is still valid when the sweep runs at that time.
    submitHqTransaction(store, {
      kind: 'purchase',
      storeId: DEMO_STORE_ID,
      cardUid: DEMO_CARDS.gold,
      lines: [{ lineNo: 1, sku: 'X', category: 'general', qty: 1, unitPriceCents: 10_000 }],
      payments: [{ method: 'cash', amountCents: 10_000 }],
    });
    const swept = store.expirePoints(farFuture);
    // Every demo member's opening lot expired; the gold member's new lot (150 points) expires later still? No:
    // it was earned now, so it expires in 365 days, also before farFuture. Everything goes.
    expect(swept.points).toBe(before.balances.points + 150 + 50 + 360 + 3000);
    expect(store.memberViewByCard(DEMO_CARDS.gold)!.balances.points).toBe(0);
    expect(store.memberViewByCard(DEMO_CARDS.gold)!.history[0]).toMatchObject({ kind: 'points_expiry', pointsDelta: -1350 });
    expect(store.expirePoints(farFuture)).toEqual({ members: 0, points: 0 });
    expect(store.audit()).toEqual([]);
    store.close();
  });
});

describe('points expiry sweep and HQ transactions', () => {
  it('keep one shared HQ sequence: an HQ transaction after a sweep is applied', () => {
    const store = new SqliteLedgerStore({ path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    store.open();
    seedDemoData(store);
    expect(store.expirePoints(new Date(Date.now() + 400 * 86_400_000).toISOString()).members).toBe(4);
    const after = submitHqTransaction(store, { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 100, tender: 'cash', staffCardUid: 'A5AFF0000001' });
    expect(after.status).toBe('applied');
    expect(store.audit()).toEqual([]);
    store.close();
  });
});
