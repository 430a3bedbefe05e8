/**
 * Two hub workers on one PostgreSQL database (two PostgresLedgerStores, each with its own connection pool), fed
 * the way a broker's shared subscription feeds them: one kiosk's transactions in batches that land on either worker,
 * the same batch on both at once (a redelivery), overlapping windows; HQ transactions from both; and two kiosks
 * spending one member's stored value at once (a hot account). The spine must hold: every transaction applied
 * exactly once, each kiosk's in seq order, no balance spent twice, the journal audit clean.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { HQ_DEVICE_ID } from '../../../core/wire/hq-device.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { TX_FORMAT } from '../../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../../demo/seed-demo-data.ts';
import { freshPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import { hqAdminLogin } from '../../testing/staff-actor.ts';
import type { Ledger } from '../ledger.ts';
import { parseLedgerTransaction } from '../ledger-parse.ts';
import type { ReceivedTransaction } from '../ledger-store.ts';
import { openLedger } from '../open-ledger.ts';
import { DEVICE_CLAIM_NAMESPACE } from './device-claims.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));

/** Counts the workers' "ran it again after a conflict" lines: proof the test made them collide. */
function conflictCounter(): { logger: pino.Logger; conflicts: () => number } {
  let conflicts = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.includes('conflicted with another writer')) conflicts++;
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), conflicts: () => conflicts };
}

function purchase(deviceId: string, seq: number, cents: number, method: 'cash' | 'stored_value', cardUid: string = DEMO_CARDS.gold): ReceivedTransaction {
  const payload = {
    v: TX_FORMAT, id: nextId(), deviceId, epoch: 'E1', seq, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1,
    kind: 'purchase', cardUid,
    lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: cents }],
    payments: [{ method, amountCents: cents }],
  };
  return { topicDeviceId: deviceId, parsed: parseLedgerTransaction(JSON.stringify(payload)) };
}

const idOf = (item: ReceivedTransaction) => (item.parsed.ok ? item.parsed.tx.id : '');

/** Applies a batch, then again what was answered TX_DEVICE_BUSY, as the ingest's held-back retry does, until each item is answered for good. */
async function applyUntilAnswered(worker: Ledger, batch: ReceivedTransaction[]): Promise<TxResult[]> {
  const answers = new Map<ReceivedTransaction, TxResult>();
  let pending = batch;
  for (let round = 0; pending.length > 0; round++) {
    if (round > 100) throw new Error('still busy after 100 tries');
    const results = await worker.applyBatch(pending);
    pending.forEach((item, i) => answers.set(item, results[i]!));
    pending = pending.filter((item) => answers.get(item)!.code === 'TX_DEVICE_BUSY');
    if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return batch.map((item) => answers.get(item)!);
}

/**
 * A kiosk's outbox sent through two workers until every entry is answered for good: each round sends a window of
 * the oldest unanswered entries to one worker and the same or an overlapping window to the other, at once.
 */
async function drain(kiosk: ReceivedTransaction[], workers: [Ledger, Ledger], window: number, seen: { busy: number; recordedBy: [number, number] } = { busy: 0, recordedBy: [0, 0] }): Promise<Map<string, TxResult>> {
  const answered = new Map<string, TxResult>();
  for (let round = 0; answered.size < kiosk.length; round++) {
    if (round > 200) throw new Error(`kiosk not drained after 200 rounds: ${answered.size}/${kiosk.length}`);
    const pending = kiosk.filter((item) => !answered.has(idOf(item)));
    const first = pending.slice(0, window);
    // Even rounds: the same batch on both workers (a redelivery); odd rounds: the second one starts further on.
    const second = round % 2 === 0 ? first : pending.slice(Math.min(2, pending.length - 1), 2 + window);
    const [a, b] = await Promise.all([workers[0].applyBatch(first), workers[1].applyBatch(second)]);
    seen.recordedBy[0] += a.filter((r) => r.recorded).length;
    seen.recordedBy[1] += b.filter((r) => r.recorded).length;
    for (const result of [...a, ...b]) {
      if (result.code === 'TX_DEVICE_BUSY') seen.busy += 1;
      // The kiosk closes an entry on a recorded answer only; an out-of-order one is sent again.
      if (result.recorded && result.id !== null && !answered.has(result.id)) answered.set(result.id, result);
    }
  }
  return answered;
}

describe('two hub workers on one PostgreSQL ledger (two stores, one database)', () => {
  const open: Ledger[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });
  afterAll(stopPostgres);

  async function twoWorkers(): Promise<{ a: Ledger; b: Ledger; url: string; conflicts: () => number }> {
    const url = await freshPostgresDatabase('workers');
    const { logger, conflicts } = conflictCounter();
    // Both open the fresh database at once: the migration runner's lock lets one migrate while the other waits.
    const [a, b] = await Promise.all([0, 1].map(() => openLedger({ kind: 'postgres', url, logger, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 }))) as [Ledger, Ledger];
    open.push(a, b);
    await seedDemoData(a);
    for (const id of ['kiosk-c', 'kiosk-d']) await a.identity.setDeviceMode(id, 'attended');
    return { a, b, url, conflicts };
  }

  it("applies one kiosk's interleaved and redelivered batches exactly once, in seq order", async () => {
    const { a, b, url, conflicts } = await twoWorkers();
    const before = { count: await a.transactionCount(), points: (await a.member('M0003'))!.points };
    const kiosk = Array.from({ length: 40 }, (_, i) => purchase('kiosk-c', i + 1, 1_000, 'cash'));

    const seen: { busy: number; recordedBy: [number, number] } = { busy: 0, recordedBy: [0, 0] };
    const answered = await drain(kiosk, [a, b], 5, seen);

    expect([...answered.values()].map((r) => r.status === 'exists' ? r.original : r.status)).toEqual(kiosk.map(() => 'applied'));
    expect(await b.transactionCount()).toBe(before.count + 40);
    expect(await a.lastSeq('kiosk-c', 'E1')).toBe(40);
    // Gold earns 1.5 points per yuan: 15 points for each 10-yuan purchase, once each.
    expect((await b.member('M0003'))!.points).toBe(before.points + 40 * 15);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const slots = await client.query<{ tx_id: string; seq: string }>("SELECT tx_id, seq FROM transactions WHERE device_id = 'kiosk-c' ORDER BY seq");
      expect(slots.rows.map((r) => r.tx_id)).toEqual(kiosk.map(idOf));
      // The journal's insertion order is the order of application: a seq's entries come after the one before's.
      const applied = await client.query<{ seq: string }>("SELECT t.seq FROM journal j JOIN transactions t ON t.tx_id = j.tx_id WHERE t.device_id = 'kiosk-c' ORDER BY j.entry_id");
      const seqs = applied.rows.map((r) => Number(r.seq));
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(40);
    } finally {
      await client.end();
    }
    // Both workers had the kiosk's batches at once, round after round: each answered some for good (the other waited
    // for its claim, device-claims.ts, or found the slots filled), and none had to give up waiting.
    expect(seen.recordedBy.every((n) => n > 0)).toBe(true);
    expect(seen.busy).toBe(0);
    expect(conflicts()).toBe(0);
    expect(await a.audit()).toEqual([]);
  });

  it('waits for kiosks another writer holds when they are most of its batch, before its transaction begins, then applies on fresh reads', async () => {
    const { a, url, conflicts } = await twoWorkers();
    // Another writer's session holds kiosk-c and kiosk-e (as a worker does for the length of its batch): two of the
    // batch's three kiosks, more than a quarter (MAX_DEFERRED_KIOSK_SHARE), so the batch waits for them.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, hashtext(d)) FROM unnest(ARRAY['kiosk-c', 'kiosk-e']) AS d`);
      await a.identity.setDeviceMode('kiosk-e', 'attended');
      const held = purchase('kiosk-c', 1, 1_000, 'cash');
      const heldNext = purchase('kiosk-e', 1, 1_000, 'cash');
      const free = purchase('kiosk-d', 1, 1_000, 'cash');
      const started = Date.now();
      const applying = a.applyBatch([held, heldNext, free]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Still waiting, nothing begun: the other writer's seq 1 for kiosk-c lands first, as a worker's batch would.
      expect(await a.lastSeq('kiosk-c', 'E1')).toBe(0);
      await other.query('SELECT pg_advisory_unlock_all()');
      expect(await applying).toMatchObject([{ id: idOf(held), status: 'applied' }, { id: idOf(heldNext), status: 'applied' }, { id: idOf(free), status: 'applied' }]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      // The claims of a batch end with it: both kiosks are free again for the other writer.
      const { rows } = await other.query<{ got: boolean }>(`SELECT bool_and(pg_try_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, hashtext(d))) AS got FROM unnest(ARRAY['kiosk-c', 'kiosk-d']) AS d`);
      expect(rows[0]?.got).toBe(true);
    } finally {
      await other.end();
    }
    expect(conflicts()).toBe(0);
    expect(await a.audit()).toEqual([]);
  });

  it('answers a batch TX_DEVICE_BUSY (retry, nothing recorded) when a kiosk stays held past the wait', async () => {
    const { a, url } = await twoWorkers();
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      // Two of the batch's three kiosks: it waits for them, and gives up after CLAIM_WAIT_MS.
      await other.query(`SELECT pg_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, hashtext(d)) FROM unnest(ARRAY['kiosk-c', 'kiosk-e']) AS d`);
      const held = purchase('kiosk-c', 1, 1_000, 'cash');
      const results = await a.applyBatch([held, purchase('kiosk-e', 1, 1_000, 'cash'), purchase('kiosk-d', 1, 1_000, 'cash')]);
      expect(results.map((r) => [r.code, r.retry, r.recorded])).toEqual([['TX_DEVICE_BUSY', true, false], ['TX_DEVICE_BUSY', true, false], ['TX_DEVICE_BUSY', true, false]]);
      expect(results[0]).toMatchObject({ id: idOf(held), seq: 1, epoch: 'E1', status: 'rejected' });
      expect(await a.lastSeq('kiosk-d', 'E1')).toBe(0);
      // The pool's connections wait on row locks as before (the claim's lock_timeout did not stay behind).
      await other.query('SELECT pg_advisory_unlock_all()');
      expect(await a.applyBatch([held])).toMatchObject([{ status: 'applied' }]);
    } finally {
      await other.end();
    }
  });

  it('leaves the items of a kiosk another writer holds to it, at once, when that is no more than a quarter of its kiosks; the rest of the batch applies (a copy resent to another worker)', async () => {
    const { a, url, conflicts } = await twoWorkers();
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, hashtext('kiosk-c'))`);
      // kiosk-c is one of the batch's four kiosks.
      for (const id of ['kiosk-f', 'kiosk-g']) await a.identity.setDeviceMode(id, 'attended');
      const batch = [
        purchase('kiosk-c', 1, 1_000, 'cash'), purchase('kiosk-d', 1, 1_100, 'cash'), purchase('kiosk-c', 2, 1_200, 'cash'),
        purchase('kiosk-f', 1, 1_300, 'cash'), purchase('kiosk-g', 1, 1_400, 'cash'),
      ];
      const started = Date.now();
      const results = await a.applyBatch(batch);
      // Not waited for: answered at once.
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(results.map((r) => [r.status, r.code ?? null, r.recorded])).toEqual([
        ['rejected', 'TX_DEVICE_BUSY', false],
        ['applied', null, true],
        ['rejected', 'TX_DEVICE_BUSY', false],
        ['applied', null, true],
        ['applied', null, true],
      ]);
      expect(await a.lastSeq('kiosk-c', 'E1')).toBe(0);
      await other.query('SELECT pg_advisory_unlock_all()');
      expect((await a.applyBatch([batch[0]!, batch[2]!])).map((r) => r.status)).toEqual(['applied', 'applied']);
    } finally {
      await other.end();
    }
    expect(conflicts()).toBe(0);
    expect(await a.audit()).toEqual([]);
  });

  it("defers only the items naming a card another writer holds, and their kiosk's later items; the rest of the batch applies at once", async () => {
    const { a, url, conflicts } = await twoWorkers();
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      // Another writer's batch holds the gold card (as a worker's claim does for the length of its batch).
      await other.query(`SELECT pg_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, hashtext('card:' || $1::text))`, [DEMO_CARDS.gold]);
      const batch = [
        purchase('kiosk-c', 1, 1_000, 'cash', DEMO_CARDS.gold),
        purchase('kiosk-c', 2, 1_100, 'cash', DEMO_CARDS.silver),
        purchase('kiosk-d', 1, 1_200, 'cash', DEMO_CARDS.silver),
      ];
      const started = Date.now();
      const results = await a.applyBatch(batch);
      // Not waited for: answered at once.
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(results.map((r) => [r.status, r.code ?? null, r.recorded])).toEqual([
        ['rejected', 'TX_DEVICE_BUSY', false],
        ['rejected', 'TX_DEVICE_BUSY', false],
        ['applied', null, true],
      ]);
      expect(results[0]).toMatchObject({ id: idOf(batch[0]!), retry: true });
      expect(await a.lastSeq('kiosk-c', 'E1')).toBe(0);
      // The batch's claims ended with it, but the other writer's card lock is its own.
      const { rows } = await other.query<{ got: boolean }>(`SELECT bool_and(pg_try_advisory_lock(${DEVICE_CLAIM_NAMESPACE}, hashtext(d))) AS got FROM unnest(ARRAY['kiosk-c', 'kiosk-d', 'card:' || $1::text]) AS d`, [DEMO_CARDS.silver]);
      expect(rows[0]?.got).toBe(true);
      await other.query('SELECT pg_advisory_unlock_all()');
      // Applied again, in order, once the card is free.
      expect((await a.applyBatch(batch.slice(0, 2))).map((r) => r.status)).toEqual(['applied', 'applied']);
      expect(await a.lastSeq('kiosk-c', 'E1')).toBe(2);
    } finally {
      await other.end();
    }
    expect(conflicts()).toBe(0);
    expect(await a.audit()).toEqual([]);
  });

  it('runs two batches with no kiosk and no member in common at the same time, neither failing and running again', async () => {
    const { a, b, url, conflicts } = await twoWorkers();
    // Twenty members and forty kiosks: worker a sells with the first ten members at twenty kiosks, b with the others.
    const uids = Array.from({ length: 20 }, (_, i) => `0E${String(i).padStart(10, '0')}`);
    for (const [i, uid] of uids.entries()) await a.createMember({ memberId: `MT${String(i).padStart(2, '0')}`, name: `Turn ${i}`, phone: '13800000000', tier: 'standard', cards: [{ uid }] });
    const kiosks = Array.from({ length: 40 }, (_, i) => `kiosk-t${i}`);
    for (const id of kiosks) await a.identity.setDeviceMode(id, 'attended');
    const batchOf = (half: 0 | 1, seq: number) =>
      kiosks.slice(half * 20, half * 20 + 20).map((id, i) => purchase(id, seq, 500 + i, 'cash', uids[half * 10 + (i % 10)]));
    // Under SERIALIZABLE, PostgreSQL's page-level read tracking failed one batch of (nearly) every such pair.
    for (let seq = 1; seq <= 3; seq++) {
      const [x, y] = await Promise.all([a.applyBatch(batchOf(0, seq)), b.applyBatch(batchOf(1, seq))]);
      expect([...x, ...y].every((r) => r.status === 'applied')).toBe(true);
    }
    expect(conflicts()).toBe(0);

    // At the same time, not in turns: while a's batch waits for a member row another writer holds (it locks its
    // members before it reads them, row-locks.ts), b's batch — nothing in common — is applied and committed.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query("SELECT 1 FROM members WHERE member_id = 'MT00' FOR UPDATE");
      let aDone = false;
      const waiting = a.applyBatch(batchOf(0, 4)).then((results) => ((aDone = true), results));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await b.applyBatch(batchOf(1, 4))).every((r) => r.status === 'applied')).toBe(true);
      expect(await b.lastSeq('kiosk-t20', 'E1')).toBe(4);
      expect(aDone).toBe(false);
      expect(await b.lastSeq('kiosk-t0', 'E1')).toBe(3);
      await other.query('COMMIT');
      expect((await waiting).every((r) => r.status === 'applied')).toBe(true);
      expect(await a.lastSeq('kiosk-t0', 'E1')).toBe(4);
    } finally {
      await other.end();
    }
    expect(conflicts()).toBe(0);
    expect(await a.audit()).toEqual([]);
  });

  it("never spends one member's stored value twice through two of the member's cards on two workers at once (the member's row, not the card's claim, decides)", async () => {
    const { a, b, conflicts } = await twoWorkers();
    const { actor } = await hqAdminLogin(a);
    // Two cards of one member: the card claims (device-claims.ts) do not meet, only the member's row lock can.
    await a.createMember({ memberId: 'MTWO', name: 'Two cards', phone: '13900000002', tier: 'standard', cards: [{ uid: '0EAAAAAAAA01' }, { uid: '0EAAAAAAAA02' }] });
    for (let round = 1; round <= 6; round++) {
      const topUp = await a.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: '0EAAAAAAAA01', amountCents: 5_000 + round, tender: 'cash', actor });
      expect(topUp.status).toBe('applied');
      const member = (await a.member('MTWO'))!;
      const all = member.storedValueCents + member.bonusValueCents;
      const [x, y] = await Promise.all([
        a.applyBatch([purchase('kiosk-c', round, all, 'stored_value', '0EAAAAAAAA01')]),
        b.applyBatch([purchase('kiosk-d', round, all, 'stored_value', '0EAAAAAAAA02')]),
      ]);
      expect([x[0]!.status, y[0]!.status].sort()).toEqual(['applied', 'rejected']);
      expect([...x, ...y].find((r) => r.status === 'rejected')).toMatchObject({ code: 'INSUFFICIENT_STORED_VALUE', recorded: true });
      const after = (await b.member('MTWO'))!;
      expect(after.storedValueCents + after.bonusValueCents).toBe(0);
    }
    expect(conflicts()).toBe(0);
    expect(await a.audit()).toEqual([]);
  });

  it("never gives away a gift's last unit twice when two members redeem it on two workers at once", async () => {
    const { a, b } = await twoWorkers();
    for (let round = 1; round <= 5; round++) {
      await a.upsertGift({ sku: 'GIFT-LAST', name: 'The last one', pointsPrice: 10, stock: 1 });
      const redeem = (deviceId: string, cardUid: string) =>
        ({ topicDeviceId: deviceId, parsed: parseLedgerTransaction(JSON.stringify({ v: TX_FORMAT, id: nextId(), deviceId, epoch: 'E1', seq: round, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, kind: 'redeem_gift', cardUid, giftSku: 'GIFT-LAST', qty: 1 })) }) satisfies ReceivedTransaction;
      const [x, y] = await Promise.all([a.applyBatch([redeem('kiosk-c', DEMO_CARDS.gold)]), b.applyBatch([redeem('kiosk-d', DEMO_CARDS.silver)])]);
      expect([x[0]!.status, y[0]!.status].sort()).toEqual(['applied', 'rejected']);
      expect([...x, ...y].find((r) => r.status === 'rejected')).toMatchObject({ code: 'GIFT_OUT_OF_STOCK', recorded: true });
      expect((await b.listGifts()).find((g) => g.sku === 'GIFT-LAST')?.stock).toBe(0);
    }
    expect(await a.audit()).toEqual([]);
  });

  it('registers one phone once when two kiosks on two workers register it at once', async () => {
    const { a, b } = await twoWorkers();
    for (let round = 1; round <= 5; round++) {
      const phone = `1370000000${round}`;
      const register = (deviceId: string, cardUid: string) =>
        ({ topicDeviceId: deviceId, parsed: parseLedgerTransaction(JSON.stringify({ v: TX_FORMAT, id: nextId(), deviceId, epoch: 'E1', seq: round, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, kind: 'register_member', cardUid, name: `New ${round}`, phone })) }) satisfies ReceivedTransaction;
      const [x, y] = await Promise.all([a.applyBatch([register('kiosk-c', `0ECCCCCCCC${round}0`)]), b.applyBatch([register('kiosk-d', `0ECCCCCCCC${round}1`)])]);
      expect([x[0]!.status, y[0]!.status].sort()).toEqual(['applied', 'rejected']);
      expect([...x, ...y].find((r) => r.status === 'rejected')).toMatchObject({ code: 'MEMBER_PHONE_TAKEN', recorded: true });
    }
    expect(await a.audit()).toEqual([]);
  });

  it('registers a phone once when a member import and a kiosk registration on two workers name it at once (the import locks all phones with one lock)', async () => {
    const { a, b } = await twoWorkers();
    for (let round = 1; round <= 4; round++) {
      const phone = `1360000000${round}`;
      const importId = String(round).repeat(64);
      // Rows before the contested one, so the import is under way when the registration comes.
      const rows = Array.from({ length: 30 }, (_, i) => ({
        kind: 'member_import' as const, storeId: HQ_DEVICE_ID, memberId: `M-IMP-${round}-${i}`, importId, row: i + 2, cardUid: `0EDD${round}${String(i).padStart(7, '0')}`,
        name: `Imported ${i}`, phone: i === 29 ? phone : `135${round}${String(i).padStart(7, '0')}`, tier: 'standard', homeStoreId: DEMO_STORE_ID,
        storedValueCents: 0, bonusValueCents: 0, points: 0, importedBy: 'hq-admin',
      }));
      const register = { topicDeviceId: 'kiosk-d', parsed: parseLedgerTransaction(JSON.stringify({ v: TX_FORMAT, id: nextId(), deviceId: 'kiosk-d', epoch: 'E1', seq: round, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, kind: 'register_member', cardUid: `0EEE${round}0000000`, name: `Kiosk ${round}`, phone })) } satisfies ReceivedTransaction;
      const [imported, registered] = await Promise.all([
        a.memberImports.importMembers({ importId, fileName: `f${round}.csv`, importedBy: 'hq-admin', at: new Date().toISOString(), bodies: rows, profiles: [] }).then(
          () => 'imported',
          (error: unknown) => (error as { code?: string }).code,
        ),
        b.applyBatch([register]).then(([result]) => result!.code ?? result!.status),
      ]);
      // Either the import went first (the registration is refused) or the registration (the whole import is).
      expect([imported, registered].sort()).toEqual(imported === 'imported' ? ['MEMBER_PHONE_TAKEN', 'imported'] : ['MEMBER_PHONE_TAKEN', 'applied']);
      const holders = await a.memberImports.holdings([phone], []);
      expect(holders.phones.has(phone)).toBe(true);
    }
    expect(await a.audit()).toEqual([]);
  });

  it("gives a draw's last prize once when two members enter on two workers at once, and closes a draw with every entry committed before it", async () => {
    const { a, b } = await twoWorkers();
    const at = () => new Date().toISOString();
    const enter = (deviceId: string, seq: number, cardUid: string, drawId: string) =>
      ({ topicDeviceId: deviceId, parsed: parseLedgerTransaction(JSON.stringify({ v: TX_FORMAT, id: nextId(), deviceId, epoch: 'E1', seq, createdAt: at(), storeId: DEMO_STORE_ID, bundleVersion: 1, kind: 'draw_enter', cardUid, drawId })) }) satisfies ReceivedTransaction;
    const closesAt = new Date(Date.now() + 86_400_000).toISOString();
    for (let round = 1; round <= 4; round++) {
      const drawId = `race-${round}`;
      await a.draws.createDraw(
        { drawId, name: 'Race', costPoints: 1, closesAt, noPrizeWeight: 0, prizes: [{ prizeId: 'one', name: 'The one', kind: 'points', points: 5, weight: 1, stock: 1 }], secondChance: [{ prizeId: 'tv', name: 'TV', count: 1 }] },
        'cd'.repeat(32), 'test', at(),
      );
      await a.draws.openDraw(drawId, at());
      const [x, y] = await Promise.all([a.applyBatch([enter('kiosk-c', round, DEMO_CARDS.gold, drawId)]), b.applyBatch([enter('kiosk-d', 2 * round - 1, DEMO_CARDS.silver, drawId)])]);
      // Both entered (never INTERNAL: the second read the stock after the first's commit), one prize.
      expect([x[0]!, y[0]!].map((r) => [r.status, r.code ?? null])).toEqual([['applied', null], ['applied', null]]);
      expect([x[0]!, y[0]!].map((r) => r.outcome?.draw?.prize?.prizeId ?? 'none').sort()).toEqual(['none', 'one']);
      // A close and an entry at once: either the entry is in the close, or it is refused for a closed draw.
      const [closed, late] = await Promise.all([a.draws.closeDraw(drawId, at()), b.applyBatch([enter('kiosk-d', 2 * round, DEMO_CARDS.diamond, drawId)])]);
      const entries = await b.draws.drawEntries(drawId);
      expect(closed.entries).toBe(entries.length);
      expect(entries.length).toBe(late[0]!.status === 'applied' ? 3 : 2);
      if (late[0]!.status !== 'applied') expect(late[0]).toMatchObject({ status: 'rejected', recorded: true });
    }
    expect(await a.audit()).toEqual([]);
  });

  it('gives HQ transactions from both workers one gapless HQ sequence, each seq once', async () => {
    const { a, b } = await twoWorkers();
    const hqBefore = await a.lastSeq(HQ_DEVICE_ID);
    const { actor } = await hqAdminLogin(a);
    const storedBefore = (await a.member('M0003'))!.storedValueCents;
    const topUp = (n: number) => ({ kind: 'top_up' as const, storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: n, tender: 'cash' as const, actor });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).applyHq(topUp(i + 1))));
    const seqs = results.map((r) => r.seq).sort((x, y) => x! - y!);
    expect(results.every((r) => r.status === 'applied')).toBe(true);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => hqBefore + i + 1));
    expect(await b.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 20);
    expect((await b.member('M0003'))!.storedValueCents).toBe(storedBefore + (20 * 21) / 2);
    expect(await a.audit()).toEqual([]);
  });

  it("never spends one member's stored value twice when two kiosks on two workers spend it at once", async () => {
    const { a, b, conflicts } = await twoWorkers();
    const { actor } = await hqAdminLogin(a);
    const results: TxResult[][] = [];
    // Each round, the member can afford exactly one purchase of everything they hold, and two kiosks (one on each
    // worker) try it at the same moment: one must be applied, the other refused — never both.
    for (let round = 1; round <= 6; round++) {
      const member = (await a.member('M0003'))!;
      const all = member.storedValueCents + member.bonusValueCents;
      const [x, y] = await Promise.all([applyUntilAnswered(a, [purchase('kiosk-c', round, all, 'stored_value')]), applyUntilAnswered(b, [purchase('kiosk-d', round, all, 'stored_value')])]);
      results.push([...x, ...y]);
      const after = (await b.member('M0003'))!;
      expect(after.storedValueCents + after.bonusValueCents).toBe(0);
      const refill = await b.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 10_000 * round, tender: 'cash', actor });
      expect(refill.status).toBe('applied');
    }
    for (const round of results) {
      expect(round.map((r) => r.status).sort()).toEqual(['applied', 'rejected']);
      expect(round.find((r) => r.status === 'rejected')).toMatchObject({ code: 'INSUFFICIENT_STORED_VALUE', recorded: true });
    }
    // The card is claimed (device-claims.ts): the second item waited for the first batch instead of failing after it.
    expect(conflicts()).toBe(0);
    expect(await a.audit()).toEqual([]);
  });
});
