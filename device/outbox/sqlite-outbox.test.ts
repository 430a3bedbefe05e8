import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_TX_BYTES } from '../../core/wire/limits.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { makeTempDir } from '../test-support/temp-dir.ts';
import { createTransactionFactory, type TransactionFactory, type TxBodyOf, type TxDraft } from '../tx/transaction-factory.ts';
import { openOutbox, type Outbox } from './sqlite-outbox.ts';

const purchase = (cents: number): TxBodyOf<'purchase'> => ({
  kind: 'purchase',
  cardUid: '04A1B2C3',
  lines: [{ lineNo: 1, sku: 'SKU-1', category: 'food', qty: 1, unitPriceCents: cents }],
  payments: [{ method: 'cash', amountCents: cents }],
});

describe('sqlite outbox', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let path: string;
  const opened: Outbox[] = [];
  let factory: TransactionFactory;
  /** The outbox as the kiosk opens it: with the factory the use cases draft with. */
  const open = (deviceId = 'kiosk-1') => {
    factory = createTransactionFactory({ deviceId, storeId: 'store-1', bundleVersion: () => 7 });
    const outbox = openOutbox({ path, deviceId, logger: createCaptureLogger().logger, factory });
    opened.push(outbox);
    return outbox;
  };
  const draft = (cents: number) => factory.draft(purchase(cents));

  beforeEach(() => {
    temp = makeTempDir();
    path = join(temp.dir, 'device.sqlite');
  });
  afterEach(() => {
    for (const outbox of opened.splice(0)) outbox.close();
    temp.cleanup();
  });

  it('gives a draft its slot and stores the exact payload it returns', () => {
    const outbox = open();
    const made = draft(500);
    const tx = outbox.append(made);
    expect(tx).toMatchObject({ v: 3, id: made.id, deviceId: 'kiosk-1', storeId: 'store-1', seq: 1, kind: 'purchase', bundleVersion: 7 });
    expect(tx.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // A fresh outbox starts its own epoch, so a reinstalled kiosk never reuses the seqs of its former life.
    expect(tx.epoch).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(tx.epoch).toBe(outbox.epoch());
    const [pending] = outbox.pendingFrom(1, 10);
    expect(pending).toEqual({ pos: 1, epoch: tx.epoch, seq: 1, id: tx.id, payload: JSON.stringify(tx) });
    // A body is drafted by the outbox's factory: the shorthand tools and tests use.
    expect(outbox.append(purchase(600))).toMatchObject({ seq: 2, deviceId: 'kiosk-1', bundleVersion: 7 });
  });

  it('opens with the header fields instead of a factory (the shorthand for tools), stamping what they say', () => {
    let offset: number | undefined;
    const outbox = openOutbox({ path, deviceId: 'kiosk-1', storeId: 'store-1', logger: createCaptureLogger().logger, clockOffsetMs: () => offset, bundleVersion: () => 3 });
    opened.push(outbox);
    expect(outbox.append(purchase(1))).toMatchObject({ storeId: 'store-1', bundleVersion: 3 });
    offset = -1234;
    expect(outbox.append(purchase(1)).clockOffsetMs).toBe(-1234);
  });

  it('takes drafts made for its own device only', () => {
    const outbox = open();
    const other = createTransactionFactory({ deviceId: 'kiosk-2', storeId: 'store-1' });
    expect(() => outbox.append(other.draft(purchase(1)))).toThrowError(expect.objectContaining({ code: 'TX_DEVICE_MISMATCH' }));
    expect(() => openOutbox({ path, deviceId: 'kiosk-1', logger: createCaptureLogger().logger, factory: other })).toThrowError(expect.objectContaining({ code: 'TX_DEVICE_MISMATCH' }));
    expect(outbox.depth()).toBe(0);
  });

  it('keeps entries across close and reopen, and continues the seq without a gap', () => {
    const first = open();
    const a = first.append(draft(100));
    const [b, c] = first.appendMany([draft(200), draft(300)]);
    first.close();
    const again = open();
    expect(again.depth()).toBe(3);
    expect(again.pendingFrom(1, 10).map((e) => e.id)).toEqual([a.id, b!.id, c!.id]);
    expect(again.append(purchase(400)).seq).toBe(4);
    expect(again.pendingFrom(1, 10).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('refuses an invalid body with a coded error and does not use up a seq', () => {
    const outbox = open();
    expect(() => outbox.append({ ...purchase(100), lines: [] })).toThrowError(expect.objectContaining({ code: 'TX_INVALID' }));
    expect(() => outbox.appendMany([purchase(100), { ...purchase(1), payments: [] }])).toThrowError(expect.objectContaining({ code: 'TX_INVALID' }));
    expect(outbox.depth()).toBe(0);
    expect(outbox.append(purchase(100)).seq).toBe(1);
  });

  it('closes an entry only on an outcome the hub recorded, and notes the others', () => {
    const outbox = open();
    const [a, b, c, d] = outbox.appendMany([purchase(1), purchase(2), purchase(3), purchase(4)]);
    const closed = outbox.markDone([
      { id: a!.id, result: { id: a!.id, seq: 1, status: 'applied', recorded: true } },
      { id: b!.id, result: { id: b!.id, seq: 2, status: 'rejected', code: 'TX_OUT_OF_ORDER', retry: true, recorded: false } },
      { id: c!.id, result: { id: c!.id, seq: 3, status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE', recorded: true } },
      // A refusal nobody recorded must never close an entry: the sale would be gone from both sides.
      { id: d!.id, result: { id: d!.id, seq: 4, status: 'rejected', code: 'TX_SEQ_REUSED', recorded: false } },
    ]);
    expect(closed).toEqual([a!.id, c!.id]);
    expect(outbox.get(a!.id)).toMatchObject({ status: 'done', result: { status: 'applied' } });
    expect(outbox.get(b!.id)).toMatchObject({ status: 'pending', result: { code: 'TX_OUT_OF_ORDER' } });
    expect(outbox.get(c!.id)).toMatchObject({ status: 'done', result: { code: 'INSUFFICIENT_STORED_VALUE' } });
    expect(outbox.get(d!.id)).toMatchObject({ status: 'pending', result: { code: 'TX_SEQ_REUSED' } });
    expect(outbox.depth()).toBe(2);
    expect(outbox.oldestPending()?.seq).toBe(2);
    expect(outbox.pendingFrom(1, 10).map((e) => e.seq)).toEqual([2, 4]);
  });

  it('ignores results for unknown or already closed ids', () => {
    const outbox = open();
    const a = outbox.append(purchase(1));
    expect(outbox.markDone([{ id: a.id, result: { id: a.id, seq: 1, status: 'applied' } }])).toEqual([a.id]);
    expect(outbox.markDone([{ id: a.id, result: { id: a.id, seq: 1, status: 'exists', original: 'applied' } }])).toEqual([]);
    expect(outbox.markDone([{ id: 'NOPE', result: { id: 'NOPE', seq: 9, status: 'applied' } }])).toEqual([]);
    expect(outbox.get(a.id)?.result?.status).toBe('applied');
    expect(outbox.depth()).toBe(0);
    expect(outbox.oldestPending()).toBeNull();
  });

  it('refuses a transaction over the envelope limit before anything is queued', () => {
    const outbox = open();
    // 200 lines of long CJK names: every field is valid, the whole is ~90 KB, over MAX_TX_BYTES.
    const lines = Array.from({ length: 200 }, (_, i) => ({ lineNo: i + 1, sku: '鲜'.repeat(64), category: '乳制品'.repeat(21), qty: 1, unitPriceCents: 100 }));
    const big: TxBodyOf<'purchase'> = { kind: 'purchase', cardUid: '04A1B2C3', lines, payments: [{ method: 'cash', amountCents: 20_000 }] };
    expect(() => outbox.append(big)).toThrowError(expect.objectContaining({ code: 'TX_TOO_LARGE' }));
    expect(outbox.depth()).toBe(0);
    expect(outbox.append(purchase(100)).seq).toBe(1);
  });

  it('checks the size of the final payload, in its slot: a basket that fits at seq 9 does not at seq 10', () => {
    const outbox = open();
    outbox.appendMany(Array.from({ length: 8 }, (_, i) => draft(i + 1)));
    // A basket exactly MAX_TX_BYTES long once placed at seq 9 in this outbox's epoch (one more digit is one byte over).
    const basket = (lineCount: number, eventIds: string[]): TxBodyOf<'purchase'> => ({
      kind: 'purchase',
      cardUid: '04A1B2C3',
      lines: Array.from({ length: lineCount }, (_, i) => ({ lineNo: i + 1, sku: '鲜'.repeat(64), category: '乳'.repeat(64), qty: 1, unitPriceCents: 1 })),
      payments: [{ method: 'cash', amountCents: lineCount }],
      ...(eventIds.length > 0 ? { eventIds } : {}),
    });
    const sizeAt9 = (body: TxBodyOf<'purchase'>) => {
      try {
        // At seq 9 the entry names the one at seq 8 as its predecessor: any ULID measures the same.
        return Buffer.byteLength(factory.draft(body).place({ epoch: outbox.epoch(), seq: 9, prevId: '01JAAAAAAAAAAAAAAAAAAAAAAA' }).payload);
      } catch (error) {
        return (error as { details: { bytes: number } }).details.bytes;
      }
    };
    // Long lines up to a little under the limit, then event ids (1 byte a character) up to exactly the limit.
    let lineCount = 1;
    while (sizeAt9(basket(lineCount + 1, [])) <= MAX_TX_BYTES - 20) lineCount += 1;
    const ids: string[] = [];
    for (let size = sizeAt9(basket(lineCount, ids)); size < MAX_TX_BYTES; size = sizeAt9(basket(lineCount, ids))) {
      const need = MAX_TX_BYTES - size;
      const last = ids.length - 1;
      if (last >= 0 && ids[last]!.length < 64) ids[last] += 'e'.repeat(Math.min(need, 64 - ids[last]!.length));
      else if (last < 0 || need >= 4) ids.push('e');
      else {
        ids[last] = ids[last]!.slice(0, 60 + need);
        ids.push('e');
      }
    }
    const exact = basket(lineCount, ids);
    expect(sizeAt9(exact)).toBe(MAX_TX_BYTES);
    expect(outbox.append(factory.draft(exact)).seq).toBe(9);
    expect(() => outbox.append(factory.draft(exact))).toThrowError(expect.objectContaining({ code: 'TX_TOO_LARGE', details: { bytes: MAX_TX_BYTES + 1, limit: MAX_TX_BYTES } }));
    expect(outbox.depth()).toBe(9);
    expect(outbox.append(draft(1)).seq).toBe(10);
  });

  it('appends many in one commit: a draft that cannot be placed rolls back every one, and no seq is used', () => {
    const outbox = open();
    const tooLate: TxDraft = { ...draft(3), place: () => { throw Object.assign(new Error('too large'), { code: 'TX_TOO_LARGE' }); } };
    expect(() => outbox.appendMany([draft(1), draft(2), tooLate])).toThrowError(expect.objectContaining({ code: 'TX_TOO_LARGE' }));
    expect(outbox.depth()).toBe(0);
    expect(outbox.pendingFrom(0, 10)).toEqual([]);
    expect(outbox.appendMany([draft(1), draft(2)]).map((tx) => tx.seq)).toEqual([1, 2]);
    // The same draft twice is one transaction (one id): the second insert fails and takes the batch with it.
    const once = draft(5);
    expect(() => outbox.appendMany([once, once])).toThrow();
    expect(outbox.nextSeq()).toBe(3);
  });

  it('makes one transaction per Idempotency-Key and refuses the key for another request', () => {
    const outbox = open();
    const first = outbox.appendOnce(purchase(100), 'till-7-receipt-0042');
    // The same request again, its keys in another order: the same transaction, nothing new queued.
    const { kind, cardUid, lines, payments } = purchase(100);
    const again = outbox.appendOnce({ payments, lines, cardUid, kind }, 'till-7-receipt-0042');
    expect(again).toEqual({ tx: first.tx, replayed: true });
    expect(first.replayed).toBe(false);
    expect(outbox.depth()).toBe(1);
    expect(() => outbox.appendOnce(purchase(999), 'till-7-receipt-0042')).toThrowError(expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' }));
    // A draft of the same request is the same request; replayOf answers without appending.
    expect(outbox.appendOnce(draft(100), 'till-7-receipt-0042')).toEqual({ tx: first.tx, replayed: true });
    expect(outbox.replayOf(purchase(100), 'till-7-receipt-0042')).toEqual(first.tx);
    expect(outbox.replayOf(purchase(100), 'till-7-receipt-0043')).toBeNull();
    expect(() => outbox.replayOf(purchase(999), 'till-7-receipt-0042')).toThrowError(expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' }));
    expect(outbox.getByIdempotencyKey('till-7-receipt-0042')).toMatchObject({ id: first.tx.id, idempotencyKey: 'till-7-receipt-0042' });
    expect(outbox.getByIdempotencyKey('nope')).toBeNull();
    expect(outbox.depth()).toBe(1);
  });

  it('holds a staff top-up retried under a new staff session (after a kiosk restart) to the same key: the session is not the request', () => {
    const outbox = open();
    const topUp = { kind: 'top_up' as const, cardUid: '04A1B2C3', amountCents: 5_000, tender: 'bank_card' as const };
    const first = outbox.appendOnce({ ...topUp, actor: { staffId: 'staff-1', sessionId: 'session-before-restart-01' } }, 'till-7-topup-9');
    const retried = outbox.appendOnce({ ...topUp, actor: { staffId: 'staff-1', sessionId: 'session-after-restart-002' } }, 'till-7-topup-9');
    expect(retried).toEqual({ tx: first.tx, replayed: true });
    expect(() => outbox.appendOnce({ ...topUp, amountCents: 9_000, actor: { staffId: 'staff-1', sessionId: 'session-after-restart-002' } }, 'till-7-topup-9')).toThrowError(
      expect.objectContaining({ code: 'IDEMPOTENCY_KEY_REUSED' }),
    );
    expect(outbox.depth()).toBe(1);
  });

  it('moves every pending entry to a new epoch with the same ids and content, in order, and appends after them', () => {
    const outbox = open();
    const [a, b, c] = outbox.appendMany([purchase(1), purchase(2), purchase(3)]);
    outbox.markDone([{ id: a!.id, result: { id: a!.id, seq: 1, status: 'applied', recorded: true } }]);
    const oldEpoch = outbox.epoch();
    const { epoch, moved } = outbox.moveToNewEpoch();
    expect(moved).toBe(2);
    expect(epoch).not.toBe(oldEpoch);
    const pending = outbox.pendingFrom(0, 10);
    expect(pending.map((e) => [e.id, e.epoch, e.seq])).toEqual([[b!.id, epoch, 1], [c!.id, epoch, 2]]);
    // Only the slot changed: epoch, seq and the predecessor (the first moved has none, the next names it).
    const { epoch: _e, seq: _s, prevId: firstPrev, ...content } = JSON.parse(pending[0]!.payload) as Record<string, unknown>;
    const { epoch: _e0, seq: _s0, prevId: oldPrev, ...original } = b as unknown as Record<string, unknown>;
    expect(content).toEqual(original);
    expect([oldPrev, firstPrev]).toEqual([a!.id, undefined]);
    expect(JSON.parse(pending[1]!.payload)).toMatchObject({ prevId: b!.id });
    expect(outbox.get(a!.id)).toMatchObject({ epoch: oldEpoch, seq: 1, status: 'done' });
    const d = outbox.append(purchase(4));
    expect([d.epoch, d.seq, d.prevId]).toEqual([epoch, 3, c!.id]);
    outbox.close();
    const reopened = open();
    expect(reopened.epoch()).toBe(epoch);
    expect(reopened.append(purchase(5)).seq).toBe(4);
  });

  it('serves pending entries from memory exactly as the file holds them, across the cache limit and a move to a new epoch', () => {
    const outbox = open();
    const fromFile = (pos: number, limit: number) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare(`SELECT pos, id, epoch, seq, payload FROM outbox WHERE status = 'pending' AND pos >= ? ORDER BY pos LIMIT ?`).all(pos, limit);
      } finally {
        db.close();
      }
    };
    const made = outbox.appendMany(Array.from({ length: 1_100 }, (_, i) => purchase(i + 1)));
    outbox.markDone(made.filter((_, i) => i % 7 === 0).map((tx) => ({ id: tx.id, result: { id: tx.id, seq: tx.seq, status: 'applied', recorded: true } })));
    for (const [pos, limit] of [[1, 100], [900, 100], [1_000, 100], [1_050, 500], [1_101, 10]] as const) expect(outbox.pendingFrom(pos, limit)).toEqual(fromFile(pos, limit));
    expect(outbox.isPending(made[7]!.id)).toBe(false);
    expect(outbox.isPending(made[8]!.id)).toBe(true);
    expect(outbox.isPending('01HZZZZZZZZZZZZZZZZZZZZZZZ')).toBeNull();
    outbox.moveToNewEpoch();
    outbox.append(purchase(1));
    for (const [pos, limit] of [[1, 100], [1_050, 500]] as const) expect(outbox.pendingFrom(pos, limit)).toEqual(fromFile(pos, limit));
  });

  it('refuses a data file that belongs to another device', () => {
    open('kiosk-1').close();
    expect(() => open('kiosk-2')).toThrowError(expect.objectContaining({ code: 'TX_DEVICE_MISMATCH' }));
  });

  it('keeps every acknowledged append, in order, when the process is killed without closing', async () => {
    // A child process appends and reports each seq after append() returned; we SIGKILL it mid-stream.
    const script = `
      import { openOutbox } from ${JSON.stringify(new URL('./sqlite-outbox.ts', import.meta.url).pathname)};
      import pino from 'pino';
      const outbox = openOutbox({ path: process.argv[1], deviceId: 'kiosk-1', storeId: 'store-1', logger: pino({ level: 'silent' }) });
      for (let i = 1; ; i++) {
        const tx = outbox.append({ kind: 'top_up', cardUid: '04A1B2C3', amountCents: i, tender: 'cash', actor: { staffId: 'staff-1', sessionId: 'sess-0123456789abcdef' } });
        process.stdout.write(tx.seq + '\\n');
      }
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, path], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
    let acknowledged = 0;
    await new Promise<void>((resolve, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (chunk: Buffer) => {
        const seqs = chunk.toString().split('\n').filter(Boolean).map(Number);
        acknowledged = Math.max(acknowledged, ...seqs);
        if (acknowledged >= 200 && !child.killed) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    expect(acknowledged).toBeGreaterThanOrEqual(200);
    const outbox = open();
    const pending = outbox.pendingFrom(1, 100_000);
    expect(pending.length).toBeGreaterThanOrEqual(acknowledged);
    expect(pending.map((e) => e.seq)).toEqual(pending.map((_, i) => i + 1));
    expect(pending.map((e) => (JSON.parse(e.payload) as { amountCents: number }).amountCents)).toEqual(pending.map((_, i) => i + 1));
    expect(outbox.append(purchase(1)).seq).toBe(pending.length + 1);
  });
});
