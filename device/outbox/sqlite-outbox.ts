/**
 * The kiosk's durable outbox. A transaction is written here (SQLite, WAL, synchronous=FULL) before the kiosk
 * shows it as done, so a power cut after "done" on screen never loses it. The hub applies a device's
 * transactions in `seq` order without gaps, so this file is also where the device's sequence lives: `seq` is
 * the primary key and is assigned inside the same commit as the row.
 *
 * The payload is serialised once, at append time, and every resend publishes those exact bytes: the hub's
 * idempotency check (same id, same content) then never sees a spurious difference.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { txResultSchema, isFinalResult, type TxResult } from '../../core/wire/result.ts';
import { isTxKind, transactionSchemas, type Transaction, type TransactionInput, type TxHeader } from '../../core/wire/transaction.ts';

/** What the kiosk supplies for a transaction: the kind and its body. The outbox fills in the header. */
export type TxBodyInput = DistributiveOmit<TransactionInput, Exclude<keyof TxHeader, 'kind'>>;
export type TxBodyOf<K extends TxBodyInput['kind']> = Extract<TxBodyInput, { kind: K }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export type OutboxStatus = 'pending' | 'done';

export interface OutboxEntry {
  seq: number;
  id: string;
  kind: string;
  status: OutboxStatus;
  /** The exact JSON published to the hub. */
  payload: string;
  createdAt: string;
  /** The last result the hub sent: final when status is done, a retryable rejection (or null) while pending. */
  result: TxResult | null;
  doneAt: string | null;
}

export interface PendingEntry {
  seq: number;
  id: string;
  payload: string;
}

export interface Outbox {
  append(body: TxBodyInput): Transaction;
  appendMany(bodies: readonly TxBodyInput[]): Transaction[];
  pendingFrom(seq: number, limit: number): PendingEntry[];
  oldestPendingSeq(): number | null;
  /**
   * Records a batch of results in one commit. Final results close their entry; retryable ones are only noted.
   * Returns the ids this call closed: results for ids that are unknown or already closed change nothing.
   */
  markDone(entries: readonly { id: string; result: TxResult }[]): string[];
  get(id: string): OutboxEntry | null;
  /** Number of pending entries. */
  depth(): number;
  /** The seq the next append will get. */
  nextSeq(): number;
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
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
    created_at TEXT NOT NULL,
    result TEXT,
    done_at TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (seq) WHERE status = 'pending';
`;

interface EntryRow {
  seq: number;
  id: string;
  kind: string;
  payload: string;
  status: OutboxStatus;
  created_at: string;
  result: string | null;
  done_at: string | null;
}

export function openOutbox(opts: OpenOutboxOptions): Outbox {
  const now = opts.now ?? Date.now;
  const bundleVersion = opts.bundleVersion ?? (() => 0);
  const newId = createUlidFactory(now, (size) => randomBytes(size));
  const db = new Database(opts.path);
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so "append returned" means "on the disk".
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  claimForDevice(db, opts.deviceId);

  const insert = db.prepare<[number, string, string, string, string]>(
    `INSERT INTO outbox (seq, id, kind, payload, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)`,
  );
  const selectPending = db.prepare<[number, number], PendingEntry>(
    `SELECT seq, id, payload FROM outbox WHERE status = 'pending' AND seq >= ? ORDER BY seq LIMIT ?`,
  );
  const selectOldest = db.prepare<[], { seq: number | null }>(`SELECT MIN(seq) AS seq FROM outbox WHERE status = 'pending'`);
  const selectById = db.prepare<[string], EntryRow>(`SELECT * FROM outbox WHERE id = ?`);
  const closeEntry = db.prepare<[string, string, string]>(
    `UPDATE outbox SET status = 'done', result = ?, done_at = ? WHERE id = ? AND status = 'pending'`,
  );
  const noteResult = db.prepare<[string, string]>(`UPDATE outbox SET result = ? WHERE id = ? AND status = 'pending'`);

  let lastSeq = db.prepare<[], { seq: number | null }>(`SELECT MAX(seq) AS seq FROM outbox`).get()?.seq ?? 0;
  let pendingCount = db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`).get()?.n ?? 0;
  let closed = false;
  opts.logger.info({ path: opts.path, lastSeq, pending: pendingCount }, 'outbox opened');

  function build(body: TxBodyInput, seq: number): Transaction {
    const kind: string = body.kind;
    if (!isTxKind(kind)) throw new CodedError('TX_UNKNOWN_KIND', `unknown transaction kind '${kind}'`);
    const candidate = {
      ...body,
      id: newId(),
      deviceId: opts.deviceId,
      seq,
      kind,
      createdAt: new Date(now()).toISOString(),
      storeId: opts.storeId,
      bundleVersion: bundleVersion(),
    };
    const parsed = transactionSchemas[kind].safeParse(candidate);
    if (!parsed.success) {
      const message = parsed.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ');
      throw new CodedError('TX_INVALID', message);
    }
    return parsed.data as Transaction;
  }

  // Seqs are assigned inside the write transaction and only advanced after the commit succeeded, so a
  // failed insert never leaves a gap the hub would wait for forever.
  const appendAll = db.transaction((bodies: readonly TxBodyInput[]): Transaction[] => {
    const made: Transaction[] = [];
    let seq = lastSeq;
    for (const body of bodies) {
      seq += 1;
      const tx = build(body, seq);
      insert.run(tx.seq, tx.id, tx.kind, JSON.stringify(tx), tx.createdAt);
      made.push(tx);
    }
    return made;
  });

  const markAll = db.transaction((entries: readonly { id: string; result: TxResult }[]): string[] => {
    const closedIds: string[] = [];
    const doneAt = new Date(now()).toISOString();
    for (const { id, result } of entries) {
      const text = JSON.stringify(result);
      if (isFinalResult(result)) {
        if (closeEntry.run(text, doneAt, id).changes > 0) closedIds.push(id);
      } else {
        noteResult.run(text, id);
      }
    }
    return closedIds;
  });

  function assertOpen(): void {
    if (closed) throw new Error('outbox is closed');
  }

  function appendMany(bodies: readonly TxBodyInput[]): Transaction[] {
    assertOpen();
    if (bodies.length === 0) return [];
    const made = appendAll(bodies);
    lastSeq += made.length;
    pendingCount += made.length;
    return made;
  }

  return {
    append(body) {
      return appendMany([body])[0]!;
    },
    appendMany,
    pendingFrom(seq, limit) {
      assertOpen();
      if (limit <= 0) return [];
      return selectPending.all(seq, limit);
    },
    oldestPendingSeq() {
      assertOpen();
      return selectOldest.get()?.seq ?? null;
    },
    markDone(entries) {
      assertOpen();
      if (entries.length === 0) return [];
      // Closing an entry need not survive a power cut: an entry that reopens is sent again and the hub answers
      // `exists` with the same result. So this commit skips the fsync (synchronous=NORMAL; WAL keeps it
      // consistent), and the next append's FULL commit makes it durable with its own fsync. Appends — the
      // promise that a transaction will reach the hub — always pay for their fsync.
      db.pragma('synchronous = NORMAL');
      let closedIds: string[];
      try {
        closedIds = markAll(entries);
      } finally {
        db.pragma('synchronous = FULL');
      }
      pendingCount -= closedIds.length;
      return closedIds;
    },
    get(id) {
      assertOpen();
      const row = selectById.get(id);
      return row ? toEntry(row, opts.logger) : null;
    },
    depth() {
      return pendingCount;
    },
    nextSeq() {
      return lastSeq + 1;
    },
    close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}

/** A data file belongs to one device: its seq space means nothing under another device id. */
function claimForDevice(db: Database.Database, deviceId: string): void {
  const row = db.prepare<[], { value: string }>(`SELECT value FROM outbox_meta WHERE key = 'deviceId'`).get();
  if (!row) {
    db.prepare(`INSERT INTO outbox_meta (key, value) VALUES ('deviceId', ?)`).run(deviceId);
    return;
  }
  if (row.value !== deviceId) {
    db.close();
    throw new CodedError('TX_DEVICE_MISMATCH', `outbox file belongs to device '${row.value}', not '${deviceId}'`);
  }
}

function toEntry(row: EntryRow, logger: Logger): OutboxEntry {
  let result: TxResult | null = null;
  if (row.result !== null) {
    const parsed = txResultSchema.safeParse(safeJson(row.result));
    if (parsed.success) result = parsed.data;
    else logger.warn({ code: 'OUTBOX_RESULT_UNREADABLE', id: row.id }, 'stored result does not parse');
  }
  return {
    seq: row.seq,
    id: row.id,
    kind: row.kind,
    status: row.status,
    payload: row.payload,
    createdAt: row.created_at,
    result,
    doneAt: row.done_at,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
