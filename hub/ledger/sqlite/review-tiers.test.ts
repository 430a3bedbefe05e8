import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { parseTransaction } from '../../../core/wire/parse-transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../../demo/seed-demo-data.ts';
import { SqliteLedgerStore } from './sqlite-ledger-store.ts';

/** The default ladder (silver 1000, gold 2001, diamond 6001 points), re-evaluated every calendar month. */
const MONTHLY_REVIEW: RulesBundle = { ...DEFAULT_RULES_BUNDLE, version: 2, tiers: { ...DEFAULT_RULES_BUNDLE.tiers!, downgrade: { policy: 'reevaluate', period: 'month' } } };
const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

function openStore(): SqliteLedgerStore {
  const store = new SqliteLedgerStore({ path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  store.open();
  seedDemoData(store);
  return store;
}

/** A cash purchase made by kiosk "kiosk-t" at a chosen time, received by the hub then (the hub dates nothing after its receipt). */
function buy(store: SqliteLedgerStore, cardUid: string, cents: number, createdAt: string) {
  const tx = {
    id: nextId(), deviceId: 'kiosk-t', seq: store.lastSeq('kiosk-t') + 1, kind: 'purchase', createdAt, storeId: DEMO_STORE_ID, bundleVersion: 2, cardUid,
    lines: [{ lineNo: 1, sku: 'X', category: 'general', qty: 1, unitPriceCents: cents }],
    payments: [{ method: 'cash', amountCents: cents }],
  };
  const [result] = store.applyBatch([{ topicDeviceId: 'kiosk-t', parsed: parseTransaction(JSON.stringify(tx)), receivedAt: createdAt }]);
  expect(result?.status).toBe('applied');
}

describe('tier review at the end of each period (real SQLite)', () => {
  it('moves every member to the tier their month earned, once, with a recorded transaction per change', () => {
    const store = openStore();
    store.saveRulesBundle(MONTHLY_REVIEW);
    // January 2027 (Shanghai): the gold member earns 1500 × 1.5 = 2250 (stays gold); the diamond member
    // 100 × 2 = 200 (drops to standard); the silver member buys nothing (drops to standard).
    buy(store, DEMO_CARDS.gold, 150_000, '2027-01-10T04:00:00.000Z');
    buy(store, DEMO_CARDS.diamond, 10_000, '2027-01-20T04:00:00.000Z');
    // The silver member buys nothing in January but 5000 yuan on 2 February (× 1.2 = 6000: gold by this
    // month's figure; diamond for now by lifetime points). February does not count for January, but the
    // review does not push them below what February already earned them: gold.
    buy(store, DEMO_CARDS.silver, 500_000, '2027-02-02T04:00:00.000Z');
    expect(store.member('M0002')?.tier).toBe('diamond');

    const review = store.reviewTiers('2027-02-05T00:00:00.000Z');
    expect(review).toEqual({ status: 'reviewed', period: '2027-01', members: 4, changed: 2 });
    expect(['M0001', 'M0002', 'M0003', 'M0004'].map((id) => store.member(id)?.tier)).toEqual(['standard', 'gold', 'gold', 'standard']);
    expect(store.memberViewById('M0004')?.history[0]).toMatchObject({ kind: 'tier_review', status: 'applied' });
    expect(store.reviewTiers('2027-02-20T00:00:00.000Z')).toEqual({ status: 'already_reviewed', period: '2027-01' });
    expect(store.audit()).toEqual([]);
    store.close();
  });

  it('does not review a period the hub did not track from its first day', () => {
    const store = openStore();
    store.saveRulesBundle(MONTHLY_REVIEW);
    // Nothing tracked yet: the November review cannot know what anyone earned, so nobody is downgraded.
    expect(store.reviewTiers('2026-12-03T00:00:00.000Z')).toEqual({ status: 'skipped_not_fully_tracked', period: '2026-11' });
    expect(store.member('M0004')?.tier).toBe('diamond');
    store.close();
  });

  it('has nothing to do when the rules never downgrade', () => {
    const store = openStore();
    expect(store.reviewTiers('2027-02-05T00:00:00.000Z')).toEqual({ status: 'nothing_due' });
    store.close();
  });
});
