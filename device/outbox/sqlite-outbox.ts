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
 * Building a transaction is not done here: the transaction factory (device/tx/transaction-factory.ts) fills in
 * the header and validates the body into a draft. The outbox does what only it can: inside its own write
 * transaction it assigns each draft its slot, has the draft serialise its final payload in that slot (the
 * envelope limit is checked on those exact bytes, so a draft too large throws and the whole append rolls
 * back), stores the bytes, and advances its seq only after the commit, so a failed append never leaves a gap.
 * A body instead of a draft is drafted by the outbox's factory first (tools and tests).
 *
 * The payload is serialised once, at append time, and every resend publishes those exact bytes (until a
 * move to a new epoch rewrites its slot): the hub's idempotency check then never sees a spurious difference.
 */
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { AlertCode } from '../../core/wire/alerts.ts';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { txResultSchema, closesOutboxEntry, type TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import { createTransactionFactory, isTxDraft, type TransactionFactory, type TransactionFactoryOptions, type TxBodyInput, type TxDraft } from '../tx/transaction-factory.ts';
import { migrateOutbox } from './migrate-outbox.ts';

export type { TxBodyInput, TxBodyOf } from '../tx/transaction-factory.ts';

/** What append takes: a draft from the transaction factory, or a body the outbox's factory drafts. */
export type OutboxInput = TxDraft | TxBodyInput;

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

/** A pending purchase the kiosk took offline: its card, when (kiosk clock), and what it spent of stored value and points. */
export interface OfflineSpendEntry {
  cardUid: string;
  createdAt: string;
  storedValueCents: number;
  points: number;
}

export interface IdempotentAppend {
  tx: Transaction;
  /** True when the key had been used before for the same request: `tx` is the transaction made then. */
  replayed: boolean;
}

export interface Outbox {
  /** Durable when it returns. Throws TX_INVALID / TX_TOO_LARGE (nothing written, no seq used). */
  append(item: OutboxInput): Transaction;
  /** All or nothing, in one commit. */
  appendMany(items: readonly OutboxInput[]): Transaction[];
  /**
   * Appends once per Idempotency-Key: the same key with the same request returns the transaction made the first
   * time (nothing new is queued); the same key with another request is refused with IDEMPOTENCY_KEY_REUSED.
   */
  appendOnce(item: OutboxInput, idempotencyKey: string): IdempotentAppend;
  /**
   * What appendOnce would answer without appending: the transaction the key made for this same request, null
   * for a key not used yet, IDEMPOTENCY_KEY_REUSED for a key used for another request.
   */
  replayOf(request: TxBodyInput, idempotencyKey: string): Transaction | null;
  /** Pending entries from local position `pos` on, in order. */
  pendingFrom(pos: number, limit: number): PendingEntry[];
  /**
   * Closed entries of `epoch` from seq `fromSeq` on, in seq order, at most `limit`: what is sent again when the hub
   * says it expects a seq the kiosk already closed (its ledger was restored from a backup). Closed entries are kept.
   */
  closedFrom(epoch: string, fromSeq: number, limit: number): PendingEntry[];
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
  /**
   * The purchases taken without the hub (`acceptedOffline`) that the hub has not confirmed yet: what the offline
   * limits count (device/config/offline-guard.ts). Read only; nothing about delivery changes.
   */
  pendingOfflineSpends(): OfflineSpendEntry[];
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

interface OutboxFileOptions {
  path: string;
  /** The device the file belongs to (a file of another device is refused) and every draft must be made for. */
  deviceId: string;
  logger: Logger;
  /** Dates epochs and done entries; also the default factory's clock. */
  now?: () => number;
}

/**
 * `factory`: drafts the bodies given to append (the composition root passes the one the use cases draft with).
 * Or, as a shorthand for tools and tests, the header fields a factory of the outbox's own is made with.
 */
export type OpenOutboxOptions = OutboxFileOptions & ({ factory: TransactionFactory } | Omit<TransactionFactoryOptions, 'deviceId' | 'now'>);

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
  const factory = 'factory' in opts ? opts.factory : createTransactionFactory({ ...opts, deviceId: opts.deviceId, now });
  if (factory.deviceId !== opts.deviceId) throw new CodedError('TX_DEVICE_MISMATCH', `the transaction factory makes transactions of '${factory.deviceId}', the outbox belongs to '${opts.deviceId}'`);
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
  const selectClosedFrom = db.prepare<[string, number, number], PendingEntry>(
    `SELECT pos, id, epoch, seq, payload FROM outbox WHERE epoch = ? AND seq >= ? AND status = 'done' ORDER BY seq LIMIT ?`,
  );
  const selectAllPending = db.prepare<[], { pos: number; payload: string }>(`SELECT pos, payload FROM outbox WHERE status = 'pending' ORDER BY pos`);
  const selectOfflineSpends = db.prepare<[], { payload: string }>(
    `SELECT payload FROM outbox WHERE status = 'pending' AND kind = 'purchase' AND json_extract(payload, '$.acceptedOffline') = 1`,
  );
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
  /** The id at lastSeq of the current epoch: every new entry names it as its predecessor (prevId). */
  let lastId = db.prepare<[string], { id: string }>(`SELECT id FROM outbox WHERE epoch = ? ORDER BY seq DESC LIMIT 1`).get(epoch)?.id;
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

  /** The exact text each transaction made by this outbox was stored with, for the cache of recent entries. */
  const payloads = new WeakMap<Transaction, string>();

  // Seqs are assigned inside the write transaction and only advanced after the commit succeeded, so a
  // failed insert never leaves a gap the hub would wait for forever.
  const appendAll = db.transaction((drafts: readonly TxDraft[], key: { idempotencyKey: string; requestHash: string } | null): Transaction[] => {
    const made: Transaction[] = [];
    let seq = lastSeq;
    let prevId = lastId;
    for (const draft of drafts) {
      seq += 1;
      // The final bytes, in their slot, checked against the envelope limit: a throw here rolls back every
      // insert of this append, and lastSeq has not moved.
      const { tx, payload } = draft.place({ epoch, seq, ...(prevId === undefined ? {} : { prevId }) });
      prevId = tx.id;
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

  const moveAll = db.transaction((newEpoch: string): { moved: number; lastId: string | undefined } => {
    const pending = selectAllPending.all();
    let prevId: string | undefined;
    pending.forEach((entry, index) => {
      // Only the slot changes (epoch, seq, predecessor): the hub recognises the same id with the same content
      // in its new place.
      const payload = JSON.parse(entry.payload) as Record<string, unknown>;
      payload.epoch = newEpoch;
      payload.seq = index + 1;
      if (prevId === undefined) delete payload.prevId;
      else payload.prevId = prevId;
      prevId = payload.id as string;
      moveEntry.run(newEpoch, index + 1, JSON.stringify(payload), entry.pos);
    });
    setMeta.run('epoch', newEpoch);
    return { moved: pending.length, lastId: prevId };
  });

  function assertOpen(): void {
    if (closed) throw new Error('outbox is closed');
  }

  /** Drafts are made before the write transaction starts: an invalid body never opens one. */
  function toDraft(item: OutboxInput): TxDraft {
    const draft = isTxDraft(item) ? item : factory.draft(item);
    if (draft.deviceId !== opts.deviceId) throw new CodedError('TX_DEVICE_MISMATCH', `a draft of '${draft.deviceId}' cannot go into the outbox of '${opts.deviceId}'`);
    return draft;
  }

  function commitAppend(drafts: readonly TxDraft[], key: { idempotencyKey: string; requestHash: string } | null): Transaction[] {
    const made = appendAll(drafts, key);
    for (const tx of made) {
      lastPos += 1;
      if (recent.size >= RECENT_LIMIT) {
        recent.clear();
        recentFloor = lastPos;
      }
      recent.set(tx.id, { pos: lastPos, id: tx.id, epoch: tx.epoch, seq: tx.seq, payload: payloads.get(tx)! });
    }
    lastSeq += made.length;
    if (made.length > 0) lastId = made[made.length - 1]!.id;
    pendingCount += made.length;
    return made;
  }

  function appendMany(items: readonly OutboxInput[]): Transaction[] {
    assertOpen();
    if (items.length === 0) return [];
    return commitAppend(items.map(toDraft), null);
  }

  /** The earlier transaction under the key for the same request (hash), or null when the key is new. */
  function earlierUnder(idempotencyKey: string, requestHash: string): Transaction | null {
    const earlier = selectByKey.get(idempotencyKey);
    if (!earlier) return null;
    if (earlier.request_hash !== requestHash) {
      throw new CodedError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key was already used for another request (transaction ${earlier.id})`, { txId: earlier.id });
    }
    return JSON.parse(earlier.payload) as Transaction;
  }

  return {
    append(item) {
      return appendMany([item])[0]!;
    },
    appendMany,
    appendOnce(item, idempotencyKey) {
      assertOpen();
      const requestHash = hashRequest(isTxDraft(item) ? item.request : item);
      const earlier = earlierUnder(idempotencyKey, requestHash);
      if (earlier) return { tx: earlier, replayed: true };
      return { tx: commitAppend([toDraft(item)], { idempotencyKey, requestHash })[0]!, replayed: false };
    },
    replayOf(request, idempotencyKey) {
      assertOpen();
      return earlierUnder(idempotencyKey, hashRequest(request));
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
    closedFrom(epochOf, fromSeq, limit) {
      assertOpen();
      return limit <= 0 ? [] : selectClosedFrom.all(epochOf, fromSeq, limit);
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
      const { moved, lastId: movedLast } = moveAll(next);
      epoch = next;
      lastSeq = moved;
      lastId = movedLast;
      // Every pending payload changed: the moved entries are read from disk from now on.
      recent.clear();
      recentFloor = lastPos + 1;
      opts.logger.warn({ code: 'SEQ_EPOCH_MOVED' satisfies AlertCode, epoch: next, moved }, 'pending transactions moved to a new epoch');
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
    pendingOfflineSpends() {
      assertOpen();
      return selectOfflineSpends.all().flatMap(({ payload }) => {
        const tx = safeJson(payload) as { cardUid?: unknown; createdAt?: unknown; payments?: { method?: unknown; amountCents?: unknown; points?: unknown }[] } | undefined;
        if (!tx || typeof tx.cardUid !== 'string' || typeof tx.createdAt !== 'string') return [];
        let storedValueCents = 0;
        let points = 0;
        for (const p of Array.isArray(tx.payments) ? tx.payments : []) {
          if (p.method === 'stored_value' && typeof p.amountCents === 'number') storedValueCents += p.amountCents;
          if (p.method === 'points' && typeof p.points === 'number') points += p.points;
        }
        return [{ cardUid: tx.cardUid, createdAt: tx.createdAt, storedValueCents, points }];
      });
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

function hashRequest(request: TxBodyInput): string {
  return createHash('sha256').update(canonicalRequest(request)).digest('base64url');
}

/**
 * The request an Idempotency-Key stands for: the body as the kiosk was asked to queue it, keys sorted, without
 * what the kiosk adds itself to authorise it (the signed-in clerk's session, a member PIN proof): a retry after a
 * restart comes under a new staff session and is still the same request.
 */
function canonicalRequest(body: TxBodyInput): string {
  // acceptedOffline too: the same sale retried once the hub is back is still the same request.
  const { actor: _actor, memberPinProof: _proof, acceptedOffline: _offline, ...request } = body as TxBodyInput & { actor?: unknown; memberPinProof?: unknown; acceptedOffline?: unknown };
  return JSON.stringify(request, (_key, value: unknown) =>
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
    else logger.warn({ code: 'OUTBOX_RESULT_UNREADABLE' satisfies ErrorCode, id: row.id }, 'stored result does not parse');
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
