/**
 * The kiosk's durable outbox. A transaction is written here (SQLite, WAL, synchronous=FULL) before the kiosk
 * shows it as done, so a power cut after "done" on screen never loses it.
 *
 * Order: every entry has a local position (`pos`, append order, never reused) and a slot in the device's
 * order at the hub: a seq within an epoch. A fresh outbox starts a new epoch, so a kiosk reinstalled under
 * the same id never collides with the seqs of its former life. When the hub reports that another sender took
 * one of this epoch's seqs, `moveToNewEpoch` gives every pending entry a new slot in a new epoch (same ids,
 * same content, new seqs) and the link sends them again: nothing blocks and nothing is lost.
 *
 * The payload is serialised once, at append time, and every resend publishes those exact bytes (until a
 * move to a new epoch rewrites its slot): the hub's idempotency check then never sees a spurious difference.
 */
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { MAX_TX_BYTES } from '../../core/wire/limits.ts';
import { txResultSchema, closesOutboxEntry, type TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT, isTxKind, transactionSchemas, type Transaction, type TransactionInput, type TxHeader } from '../../core/wire/transaction.ts';
import { migrateOutbox } from './migrate-outbox.ts';

/** What the kiosk supplies for a transaction: the kind and its body. The outbox fills in the header. */
export type TxBodyInput = DistributiveOmit<TransactionInput, Exclude<keyof TxHeader, 'kind'>>;
export type TxBodyOf<K extends TxBodyInput['kind']> = Extract<TxBodyInput, { kind: K }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type OutboxStatus = 'pending' | 'done';

export interface OutboxEntry {
  pos: number;
  id: string;
  epoch: string;
  seq: number;
  kind: string;
  status: OutboxStatus;
  /** The exact JSON published to the hub. */
  payload: string;
  createdAt: string;
  /** The last result the hub sent: final when status is done, a retryable or unrecorded refusal (or null) while pending. */
  result: TxResult | null;
  doneAt: string | null;
  idempotencyKey: string | null;
}

export interface PendingEntry {
  pos: number;
  id: string;
  epoch: string;
  seq: number;
  payload: string;
}

export interface IdempotentAppend {
  tx: Transaction;
  /** True when the key had been used before for the same request: `tx` is the transaction made then. */
  replayed: boolean;
}

export interface Outbox {
  append(body: TxBodyInput): Transaction;
  appendMany(bodies: readonly TxBodyInput[]): Transaction[];
  /**
   * Appends once per Idempotency-Key: the same key with the same request returns the transaction made the first
   * time (nothing new is queued); the same key with another request is refused with IDEMPOTENCY_KEY_REUSED.
   */
  appendOnce(body: TxBodyInput, idempotencyKey: string): IdempotentAppend;
  /** Pending entries from local position `pos` on, in order. */
  pendingFrom(pos: number, limit: number): PendingEntry[];
  /** Whether the entry is still waiting for the hub (null: no such entry). */
  isPending(id: string): boolean | null;
  oldestPending(): PendingEntry | null;
  /**
   * Records a batch of results in one commit. Recorded final results close their entry; other results are only
   * noted. Returns the ids this call closed: results for ids that are unknown or already closed change nothing.
   */
  markDone(entries: readonly { id: string; result: TxResult }[]): string[];
  /** Gives every pending entry a new slot in a new epoch (same ids, new seqs); returns the epoch and how many moved. */
  moveToNewEpoch(): { epoch: string; moved: number };
  get(id: string): OutboxEntry | null;
  getByIdempotencyKey(key: string): OutboxEntry | null;
  /** Number of pending entries. */
  depth(): number;
  /** The epoch new appends go into. */
  epoch(): string;
  /** The seq the next append will get (in the current epoch). */
  nextSeq(): number;
  /** The local position the next append will get. */
  nextPos(): number;
  close(): void;
}

export interface OpenOutboxOptions {
  path: string;
  deviceId: string;
  storeId: string;
  logger: Logger;
  now?: () => number;
  /** The rules bundle version the kiosk evaluates with right now; read at every append. */
  bundleVersion?: () => number;
  /** hub − kiosk clock offset as last measured (undefined: never measured); read at every append. */
  clockOffsetMs?: () => number | undefined;
}

/** How many recently appended pending entries are kept in memory (about a minute of a busy kiosk's sales). */
const RECENT_LIMIT = 1000;

interface EntryRow {
  pos: number;
  id: string;
  epoch: string;
  seq: number;
  kind: string;
  payload: string;
  status: OutboxStatus;
  created_at: string;
  result: string | null;
  done_at: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
}

export function openOutbox(opts: OpenOutboxOptions): Outbox {
  const now = opts.now ?? Date.now;
  const bundleVersion = opts.bundleVersion ?? (() => 0);
  const clockOffsetMs = opts.clockOffsetMs ?? (() => undefined);
  const newUlid = createUlidFactory(now, (size) => randomBytes(size));
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so "append returned" means "on the disk".
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  try {
    migrateOutbox(db, { deviceId: opts.deviceId, newEpoch: newUlid, logger: opts.logger });
  } catch (error) {
    db.close();
    throw error;
  }

  const insert = db.prepare<[string, string, string, number, string, string, string | null, string | null]>(
    `INSERT INTO outbox (id, kind, epoch, seq, payload, status, created_at, idempotency_key, request_hash) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
  );
  const selectPending = db.prepare<[number, number], PendingEntry>(
    `SELECT pos, id, epoch, seq, payload FROM outbox WHERE status = 'pending' AND pos >= ? ORDER BY pos LIMIT ?`,
  );
  const selectAllPending = db.prepare<[], { pos: number; payload: string }>(`SELECT pos, payload FROM outbox WHERE status = 'pending' ORDER BY pos`);
  const moveEntry = db.prepare<[string, number, string, number]>(`UPDATE outbox SET epoch = ?, seq = ?, payload = ? WHERE pos = ?`);
  const selectById = db.prepare<[string], EntryRow>(`SELECT * FROM outbox WHERE id = ?`);
  const selectByKey = db.prepare<[string], EntryRow>(`SELECT * FROM outbox WHERE idempotency_key = ?`);
  const closeEntry = db.prepare<[string, string, string]>(
    `UPDATE outbox SET status = 'done', result = ?, done_at = ? WHERE id = ? AND status = 'pending'`,
  );
  const noteResult = db.prepare<[string, string]>(`UPDATE outbox SET result = ? WHERE id = ? AND status = 'pending'`);
  // Prepared once: db.pragma() compiles its statement on every call, twice per batch of results.
  const syncNormal = db.prepare('PRAGMA synchronous = NORMAL');
  const syncFull = db.prepare('PRAGMA synchronous = FULL');
  const setMeta = db.prepare<[string, string]>(`INSERT INTO outbox_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
  const readMeta = (key: string) => db.prepare<[string], { value: string }>(`SELECT value FROM outbox_meta WHERE key = ?`).get(key)?.value;

  let epoch = readMeta('epoch') ?? '';
  let lastSeq = db.prepare<[string], { seq: number | null }>(`SELECT MAX(seq) AS seq FROM outbox WHERE epoch = ?`).get(epoch)?.seq ?? 0;
  let lastPos = db.prepare<[], { pos: number | null }>(`SELECT MAX(pos) AS pos FROM outbox`).get()?.pos ?? 0;
  let pendingCount = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`).get()?.n ?? 0;
  let closed = false;
  const selectStatus = db.prepare<[string], { status: OutboxStatus }>(`SELECT status FROM outbox WHERE id = ?`);
  /**
   * The pending entries this process appended, in pos order: every pending entry at or after `recentFloor` is
   * here, so the link's hot path (send what was just appended, check whether it is still pending) reads no
   * rows. Bounded: past RECENT_LIMIT the cache starts over at the next append and older entries come from disk.
   */
  const recent = new Map<string, PendingEntry>();
  let recentFloor = lastPos + 1;
  opts.logger.info({ path: opts.path, epoch, lastSeq, pending: pendingCount }, 'outbox opened');

  function build(body: TxBodyInput, seq: number): { tx: Transaction; payload: string } {
    const kind: string = body.kind;
    if (!isTxKind(kind)) throw new CodedError('TX_UNKNOWN_KIND', `unknown transaction kind '${kind}'`);
    const offset = clockOffsetMs();
    const candidate = {
      ...body,
      v: TX_FORMAT,
      id: newUlid(),
      deviceId: opts.deviceId,
      epoch,
      seq,
      kind,
      createdAt: new Date(now()).toISOString(),
      storeId: opts.storeId,
      bundleVersion: bundleVersion(),
      ...(offset === undefined ? {} : { clockOffsetMs: offset }),
    };
    const parsed = transactionSchemas[kind].safeParse(candidate);
    if (!parsed.success) {
      const message = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      throw new CodedError('TX_INVALID', message);
    }
    const tx = parsed.data as Transaction;
    const payload = JSON.stringify(tx);
    // The envelope limit is checked here, before anything is queued: an entry the hub could not take would
    // otherwise sit at the head of the queue.
    const bytes = Buffer.byteLength(payload);
    if (bytes > MAX_TX_BYTES) throw new CodedError('TX_TOO_LARGE', `the transaction would be ${bytes} bytes; the limit is ${MAX_TX_BYTES}`, { bytes, limit: MAX_TX_BYTES });
    return { tx, payload };
  }

  /** The exact text each transaction made by this outbox was stored with, for the cache of recent entries. */
  const payloads = new WeakMap<Transaction, string>();

  // Seqs are assigned inside the write transaction and only advanced after the commit succeeded, so a
  // failed insert never leaves a gap the hub would wait for forever.
  const appendAll = db.transaction((bodies: readonly TxBodyInput[], key: { idempotencyKey: string; requestHash: string } | null): Transaction[] => {
    const made: Transaction[] = [];
    let seq = lastSeq;
    for (const body of bodies) {
      seq += 1;
      const { tx, payload } = build(body, seq);
      insert.run(tx.id, tx.kind, tx.epoch, tx.seq, payload, tx.createdAt, key?.idempotencyKey ?? null, key?.requestHash ?? null);
      payloads.set(tx, payload);
      made.push(tx);
    }
    return made;
  });

  const markAll = db.transaction((entries: readonly { id: string; result: TxResult }[]): string[] => {
    const closedIds: string[] = [];
    const doneAt = new Date(now()).toISOString();
    for (const { id, result } of entries) {
      const text = JSON.stringify(result);
      if (closesOutboxEntry(result)) {
        if (closeEntry.run(text, doneAt, id).changes > 0) closedIds.push(id);
      } else {
        noteResult.run(text, id);
      }
    }
    return closedIds;
  });

  const moveAll = db.transaction((newEpoch: string): number => {
    const pending = selectAllPending.all();
    pending.forEach((entry, index) => {
      // Only the slot changes: the hub recognises the same id with the same content in its new place.
      const payload = JSON.parse(entry.payload) as Record<string, unknown>;
      payload.epoch = newEpoch;
      payload.seq = index + 1;
      moveEntry.run(newEpoch, index + 1, JSON.stringify(payload), entry.pos);
    });
    setMeta.run('epoch', newEpoch);
    return pending.length;
  });

  function assertOpen(): void {
    if (closed) throw new Error('outbox is closed');
  }

  function commitAppend(bodies: readonly TxBodyInput[], key: { idempotencyKey: string; requestHash: string } | null): Transaction[] {
    const made = appendAll(bodies, key);
    for (const tx of made) {
      lastPos += 1;
      if (recent.size >= RECENT_LIMIT) {
        recent.clear();
        recentFloor = lastPos;
      }
      recent.set(tx.id, { pos: lastPos, id: tx.id, epoch: tx.epoch, seq: tx.seq, payload: payloads.get(tx)! });
    }
    lastSeq += made.length;
    pendingCount += made.length;
    return made;
  }

  function appendMany(bodies: readonly TxBodyInput[]): Transaction[] {
    assertOpen();
    if (bodies.length === 0) return [];
    return commitAppend(bodies, null);
  }

  return {
    append(body) {
      return appendMany([body])[0]!;
    },
    appendMany,
    appendOnce(body, idempotencyKey) {
      assertOpen();
      const requestHash = createHash('sha256').update(canonicalRequest(body)).digest('base64url');
      const earlier = selectByKey.get(idempotencyKey);
      if (earlier) {
        if (earlier.request_hash !== requestHash) {
          throw new CodedError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key was already used for another request (transaction ${earlier.id})`, { txId: earlier.id });
        }
        return { tx: JSON.parse(earlier.payload) as Transaction, replayed: true };
      }
      return { tx: commitAppend([body], { idempotencyKey, requestHash })[0]!, replayed: false };
    },
    pendingFrom(pos, limit) {
      assertOpen();
      if (limit <= 0) return [];
      if (pos < recentFloor) return selectPending.all(pos, limit);
      const found: PendingEntry[] = [];
      for (const entry of recent.values()) {
        if (entry.pos < pos) continue;
        found.push(entry);
        if (found.length === limit) break;
      }
      return found;
    },
    isPending(id) {
      assertOpen();
      if (recent.has(id)) return true;
      const row = selectStatus.get(id);
      return row ? row.status === 'pending' : null;
    },
    oldestPending() {
      assertOpen();
      return selectPending.get(0, 1) ?? null;
    },
    markDone(entries) {
      assertOpen();
      if (entries.length === 0) return [];
      // Closing an entry need not survive a power cut: an entry that reopens is sent again and the hub answers
      // `exists` with the same result. So this commit skips the fsync (synchronous=NORMAL; WAL keeps it
      // consistent), and the next append's FULL commit makes it durable with its own fsync. Appends — the
      // promise that a transaction will reach the hub — always pay for their fsync.
      syncNormal.run();
      let closedIds: string[];
      try {
        closedIds = markAll(entries);
      } finally {
        syncFull.run();
      }
      pendingCount -= closedIds.length;
      for (const id of closedIds) recent.delete(id);
      return closedIds;
    },
    moveToNewEpoch() {
      assertOpen();
      const next = newUlid();
      const moved = moveAll(next);
      epoch = next;
      lastSeq = moved;
      // Every pending payload changed: the moved entries are read from disk from now on.
      recent.clear();
      recentFloor = lastPos + 1;
      opts.logger.warn({ code: 'SEQ_EPOCH_MOVED', epoch: next, moved }, 'pending transactions moved to a new epoch');
      return { epoch: next, moved };
    },
    get(id) {
      assertOpen();
      const row = selectById.get(id);
      return row ? toEntry(row, opts.logger) : null;
    },
    getByIdempotencyKey(key) {
      assertOpen();
      const row = selectByKey.get(key);
      return row ? toEntry(row, opts.logger) : null;
    },
    depth() {
      return pendingCount;
    },
    epoch() {
      return epoch;
    },
    nextSeq() {
      return lastSeq + 1;
    },
    nextPos() {
      return lastPos + 1;
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/** The request an Idempotency-Key stands for: the body as the kiosk was asked to queue it, keys sorted. */
function canonicalRequest(body: TxBodyInput): string {
  return JSON.stringify(body, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

function toEntry(row: EntryRow, logger: Logger): OutboxEntry {
  let result: TxResult | null = null;
  if (row.result !== null) {
    const parsed = txResultSchema.safeParse(safeJson(row.result));
    if (parsed.success) result = parsed.data;
    else logger.warn({ code: 'OUTBOX_RESULT_UNREADABLE', id: row.id }, 'stored result does not parse');
  }
  return {
    pos: row.pos,
    id: row.id,
    epoch: row.epoch,
    seq: row.seq,
    kind: row.kind,
    status: row.status,
    payload: row.payload,
    createdAt: row.created_at,
    result,
    doneAt: row.done_at,
    idempotencyKey: row.idempotency_key,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
