/**
 * A batch on the PostgreSQL ledger reads in bulk up front (postgres-batch-prefetch.ts), drops only the cached rows
 * a write may have changed (sync-reads.ts), and holds its items' writes for one round trip (postgres-write-port.ts
 * holdWrites). What must not change: an item reads what the items before it wrote, and a write that fails fails
 * the batch, whose replay records only the failing item. On a real PostgreSQL (hub/testing/start-postgres.ts).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { TX_FORMAT } from '../../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../../demo/seed-demo-data.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import type { Ledger } from '../ledger.ts';
import { parseLedgerTransaction } from '../ledger-parse.ts';
import type { ReceivedTransaction } from '../ledger-store.ts';
import { openLedger } from '../open-ledger.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
const DEVICE = 'kiosk-batch';

function purchase(seq: number, cardUid: string, cents: number, method: 'cash' | 'stored_value', from: { deviceId?: string; prevId?: string; id?: string } = {}): ReceivedTransaction {
  const deviceId = from.deviceId ?? DEVICE;
  const payload = {
    v: TX_FORMAT, id: from.id ?? nextId(), deviceId, epoch: 'E1', seq, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1,
    kind: 'purchase', cardUid,
    lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: cents }],
    payments: [{ method, amountCents: cents }],
    ...(from.prevId ? { prevId: from.prevId } : {}),
  };
  return { topicDeviceId: deviceId, parsed: parseLedgerTransaction(JSON.stringify(payload)) };
}

const idOf = (item: ReceivedTransaction) => (item.parsed.ok ? item.parsed.tx.id : '');

/** Counts the statements every pg client of this process sends while `work` runs. */
async function countingQueries<T>(work: () => Promise<T>): Promise<{ value: T; queries: number }> {
  const prototype = pg.Client.prototype as unknown as { query: (this: pg.Client, ...args: unknown[]) => unknown };
  const original = prototype.query;
  let queries = 0;
  prototype.query = function (this: pg.Client, ...args: unknown[]) {
    queries++;
    return original.apply(this, args);
  };
  try {
    return { value: await work(), queries };
  } finally {
    prototype.query = original;
  }
}

describe('a batch on the PostgreSQL ledger', () => {
  const open: Ledger[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  afterAll(stopPostgres);

  async function ledger(): Promise<{ store: Ledger; url: string }> {
    const url = await freshMigratedPostgresDatabase('batch');
    const store = await openLedger({ kind: 'postgres', url, logger: pino({ level: 'silent' }), fallbackBundle: DEMO_BUNDLE, poolSize: 2 });
    open.push(store);
    await seedDemoData(store);
    await store.identity.setDeviceMode(DEVICE, 'attended');
    return { store, url };
  }
  const DEMO_BUNDLE = DEFAULT_RULES_BUNDLE;

  it('lets an item read what the items before it in the batch wrote: one balance is not spent twice', async () => {
    const { store } = await ledger();
    const before = (await store.member('M0003'))!;
    expect(before.storedValueCents).toBeGreaterThan(0);
    const whole = before.storedValueCents;
    const results = await store.applyBatch([
      purchase(1, DEMO_CARDS.gold, 1_000, 'cash'),
      purchase(2, DEMO_CARDS.gold, whole, 'stored_value'),
      purchase(3, DEMO_CARDS.silver, 1_000, 'cash'),
      purchase(4, DEMO_CARDS.gold, whole, 'stored_value'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'rejected']);
    expect(results[3]).toMatchObject({ code: 'INSUFFICIENT_STORED_VALUE', recorded: true });
    const after = (await store.member('M0003'))!;
    expect(after.storedValueCents).toBe(0);
    // Gold earns 1.5 points a yuan, on the cash purchase and the stored-value one.
    expect(after.points).toBe(before.points + 15 + Math.floor((whole / 100) * 1.5));
    expect(await store.audit()).toEqual([]);
  });

  it('reads a batch of purchases by four members in a few bulk queries and writes it in one round trip', async () => {
    const { store } = await ledger();
    const cards = [DEMO_CARDS.standard, DEMO_CARDS.silver, DEMO_CARDS.gold, DEMO_CARDS.diamond];
    const batch = cards.map((card, i) => purchase(i + 1, card, 500 + i, 'cash'));
    const { value: results, queries } = await countingQueries(() => store.applyBatch(batch));
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    // Was about fifteen statements a purchase (a read per miss, a write per row); now seven round trips a batch: the
    // kiosks' and cards' claim (device-claims.ts), the rules-bundle check, BEGIN, the locks with the bulk reads, the
    // writes (set-based), COMMIT, and the claim's release.
    expect(queries).toBeLessThanOrEqual(7);
    // A member's second purchase in the batch reads afresh what the first wrote: a miss per read, as before.
    const again = await countingQueries(() => store.applyBatch([purchase(5, DEMO_CARDS.gold, 700, 'cash'), purchase(6, DEMO_CARDS.gold, 800, 'cash')]));
    expect(again.value.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(again.queries).toBeGreaterThanOrEqual(queries + 3);
    expect(await store.audit()).toEqual([]);
  });

  it("reads what holds each kiosk's last seq in bulk: a kiosk's transaction names the one before it (prevId), checked without a round trip each", async () => {
    const { store } = await ledger();
    const kiosks = ['kiosk-p1', 'kiosk-p2', 'kiosk-p3', 'kiosk-p4', 'kiosk-p5'];
    for (const id of kiosks) await store.identity.setDeviceMode(id, 'attended');
    const cards = [DEMO_CARDS.standard, DEMO_CARDS.silver, DEMO_CARDS.gold, DEMO_CARDS.diamond, DEMO_CARDS.standard];
    const firsts = kiosks.map((deviceId, i) => purchase(1, cards[i]!, 300 + i, 'cash', { deviceId }));
    expect((await store.applyBatch(firsts)).map((r) => r.status)).toEqual(kiosks.map(() => 'applied'));
    // Each kiosk's seq 2 names its seq 1, as the kiosk's outbox does; the last one names a transaction it never placed.
    const seconds = kiosks.map((deviceId, i) => purchase(2, cards[i]!, 400 + i, 'cash', { deviceId, prevId: i === 4 ? nextId() : idOf(firsts[i]!) }));
    const { value: results, queries } = await countingQueries(() => store.applyBatch(seconds));
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied', 'rejected']);
    expect(results[4]).toMatchObject({ code: 'TX_SEQ_REUSED' });
    // The same seven round trips as a batch without predecessors (it was one more read, and one more write flush, per kiosk).
    expect(queries).toBeLessThanOrEqual(7);
    expect(await store.audit()).toEqual([]);
  });

  it("fails the whole batch on a held write that fails, then replays it so only that item is refused (INTERNAL)", async () => {
    const { store, url } = await ledger();
    const batch = [purchase(1, DEMO_CARDS.gold, 1_000, 'cash'), purchase(2, DEMO_CARDS.silver, 1_000, 'cash'), purchase(3, DEMO_CARDS.gold, 2_000, 'cash')];
    // A purchase record already under the second item's id: its INSERT, held with the batch's, breaks the unique key.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query("INSERT INTO purchases (tx_id, member_id, record) VALUES ($1, 'M0002', '{}')", [idOf(batch[1]!)]);
    } finally {
      await client.end();
    }
    const pointsBefore = (await store.member('M0003'))!.points;
    const results = await store.applyBatch(batch);
    expect(results.map((r) => r.status === 'rejected' ? r.code : r.status)).toEqual(['applied', 'INTERNAL', 'applied']);
    expect((await store.member('M0003'))!.points).toBe(pointsBefore + 15 + 30);
    expect(await store.lastSeq(DEVICE, 'E1')).toBe(3);
  });
});
