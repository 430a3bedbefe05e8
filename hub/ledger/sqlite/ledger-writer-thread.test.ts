/**
 * The SQLite ledger with its writer thread, as the hub opens it (a real thread, a real file): small batches applied on
 * the calling thread and large ones on the writer thread take turns without losing a kiosk's order; calls apply in the
 * order made; the thread's log lines reach the hub's logger; a thread that stops is replaced.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { TX_FORMAT } from '../../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../../demo/seed-demo-data.ts';
import { parseLedgerTransaction } from '../ledger-parse.ts';
import type { ReceivedTransaction } from '../ledger-store.ts';
import { SqliteLedgerStore, WRITER_THREAD_MIN_BATCH } from './sqlite-ledger-store.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
const dirs: string[] = [];
const stores: SqliteLedgerStore[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function openStore(options: { logLines?: string[]; atOpen?: boolean } = {}): Promise<SqliteLedgerStore> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-ledger-thread-'));
  dirs.push(dir);
  const lines = options.logLines;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines?.push(chunk.toString());
      done();
    },
  });
  const store = new SqliteLedgerStore({ path: join(dir, 'ledger.sqlite'), logger: pino({ level: 'info' }, destination), fallbackBundle: DEFAULT_RULES_BUNDLE, writerThread: true, writerThreadAtOpen: options.atOpen ?? true });
  stores.push(store);
  await store.open();
  await seedDemoData(store);
  // A counter device: its purchases may pay cash.
  await store.identity.setDeviceMode('kiosk-t', 'attended');
  return store;
}

/** A kiosk counting its own seqs, making cash purchases for the gold card. */
function kiosk(deviceId: string, bundleVersion = 1): (count: number) => ReceivedTransaction[] {
  let seq = 0;
  return (count) =>
    Array.from({ length: count }, () => {
      seq += 1;
      const payload = {
        v: TX_FORMAT,
        id: nextId(),
        deviceId,
        epoch: 'E1',
        seq,
        createdAt: new Date().toISOString(),
        storeId: DEMO_STORE_ID,
        bundleVersion,
        kind: 'purchase',
        cardUid: DEMO_CARDS.gold,
        lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: 100 }],
        payments: [{ method: 'cash', amountCents: 100 }],
      };
      return { topicDeviceId: deviceId, parsed: parseLedgerTransaction(JSON.stringify(payload)) };
    });
}

describe('the SQLite ledger with a writer thread', () => {
  it('keeps a kiosk in order while its batches take turns between the calling thread and the writer thread', async () => {
    const store = await openStore();
    const next = kiosk('kiosk-t');
    // Small (here), large (thread), small, large…: each side must read what the other wrote, not what it cached.
    const sizes = [1, WRITER_THREAD_MIN_BATCH, 2, WRITER_THREAD_MIN_BATCH + 3, 1, 1, WRITER_THREAD_MIN_BATCH];
    const statuses: string[] = [];
    for (const size of sizes) statuses.push(...(await store.applyBatch(next(size))).map((r) => (r.status === 'rejected' ? `${r.status}:${r.code}` : r.status)));
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(statuses).toEqual(Array.from({ length: total }, () => 'applied'));
    expect(await store.lastSeq('kiosk-t', 'E1')).toBe(total);
    expect(await store.audit()).toEqual([]);
  });

  it('applies calls made at once in the order they were made, whichever thread each goes to', async () => {
    const store = await openStore();
    const next = kiosk('kiosk-t');
    const large = next(WRITER_THREAD_MIN_BATCH * 2);
    const small = next(1);
    // Not awaited in between: the small batch (seq after the large one) must not overtake the large one.
    const [first, second] = await Promise.all([store.applyBatch(large), store.applyBatch(small)]);
    expect([...first, ...second].map((r) => r.status)).toEqual(Array.from({ length: large.length + 1 }, () => 'applied'));
    expect(second[0]!.seq).toBe(large.length + 1);
  });

  it("logs the thread's lines with the hub's logger", async () => {
    const lines: string[] = [];
    const store = await openStore({ logLines: lines });
    // A rules version this hub never had: the store on the thread warns once and applies the latest rules.
    const results = await store.applyBatch(kiosk('kiosk-t', 99)(WRITER_THREAD_MIN_BATCH));
    expect(results.every((r) => r.status === 'applied')).toBe(true);
    const warning = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((record) => record.version === 99);
    expect(warning).toMatchObject({ level: 40, component: 'hub.ledger', msg: 'transactions name a rules version this hub does not have; using the latest' });
  });

  it('never makes a batch wait for the thread to start: a busy batch while it loads is applied here', async () => {
    const store = await openStore({ atOpen: false });
    const writer = (store as unknown as { writer: { worker: Worker | null; isRunning(): boolean; started(): Promise<void> } }).writer;
    // open() started it and did not wait.
    expect(writer.worker).not.toBeNull();
    expect(writer.isRunning()).toBe(false);
    const next = kiosk('kiosk-t');
    const first = await store.applyBatch(next(WRITER_THREAD_MIN_BATCH));
    // Applied (here) before the thread could load.
    expect(first.every((r) => r.status === 'applied')).toBe(true);
    expect(writer.isRunning()).toBe(false);
    await writer.started();
    expect((await store.applyBatch(next(WRITER_THREAD_MIN_BATCH))).every((r) => r.status === 'applied')).toBe(true);
    expect(await store.lastSeq('kiosk-t', 'E1')).toBe(WRITER_THREAD_MIN_BATCH * 2);
  });

  it('fails what a stopped thread held and starts another for the next batch', async () => {
    const store = await openStore();
    const next = kiosk('kiosk-t');
    expect((await store.applyBatch(next(WRITER_THREAD_MIN_BATCH))).every((r) => r.status === 'applied')).toBe(true);
    // The thread ends under a batch (as a crash of the thread would): the batch fails, nothing is half applied.
    const writer = (store as unknown as { writer: { worker: Worker | null } }).writer;
    const worker = writer.worker!;
    const held = store.applyBatch(next(WRITER_THREAD_MIN_BATCH));
    await worker.terminate();
    const outcome = await held.then(
      (results) => results.map((r) => r.status),
      (error: Error) => error.message,
    );
    // Either it committed before the end (applied) or it failed whole; then the kiosk's resend is applied.
    const seqAfter = await store.lastSeq('kiosk-t', 'E1');
    expect([WRITER_THREAD_MIN_BATCH, WRITER_THREAD_MIN_BATCH * 2]).toContain(seqAfter);
    if (typeof outcome === 'string') expect(outcome).toMatch(/ledger writer thread stopped/);
    const again = await store.applyBatch(next(WRITER_THREAD_MIN_BATCH));
    // A new thread answers; if the held batch was lost its seqs are a gap, refused in order, never applied out of it.
    expect(writer.worker).not.toBe(worker);
    if (seqAfter === WRITER_THREAD_MIN_BATCH * 2) expect(again.every((r) => r.status === 'applied')).toBe(true);
    else expect(again[0]).toMatchObject({ status: 'rejected', code: 'TX_OUT_OF_ORDER' });
    expect(await store.audit()).toEqual([]);
  });
});
