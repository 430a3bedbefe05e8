/**
 * How the PostgreSQL ledger runs its database transactions (moved out of postgres-ledger-store.ts, which composes
 * them with its pool, its rules bundles and its write port). A writer's transaction runs again from the start when
 * another writer got there first — PostgreSQL's own answer to two workers on one database, not a home-made lock
 * service — and its alerts are logged only once it committed; a read runs in one read-only snapshot.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { RowReaders } from '../sqlite/row-readers.ts';
import type { RaisedAlert } from '../sqlite/sqlite-write-port.ts';
import { createPostgresRowReaders } from './postgres-row-readers.ts';
import type { PostgresWritePort } from './postgres-write-port.ts';
import { RowLocks, type RowLockOptions } from './row-locks.ts';
import { runSynchronously, SyncReads, type StepHooks } from './sync-reads.ts';

/**
 * PostgreSQL's answers that mean "another transaction got there first; run yours again": serialisation failure (the
 * console's SERIALIZABLE edits) and deadlock (a batch's late row lock, row-locks.ts), retried with the whole batch up
 * to MAX_ATTEMPTS times; and a unique key another worker's commit just took (a card uid, a tx id), retried a few
 * times only — a unique violation that persists is more likely a defect, which the per-item replay then records.
 */
export const SERIALIZATION_CODES: ReadonlySet<string> = new Set(['40001', '40P01']);
const UNIQUE_VIOLATION = '23505';
const MAX_ATTEMPTS = 30;
const MAX_UNIQUE_VIOLATION_ATTEMPTS = 3;

/** How a ledger database transaction keeps concurrent writers apart (inLedgerTransaction). */
export type IsolationMode = 'locking' | 'serializable';

/** One database transaction's working set: its connection, its read cache, its port. */
export interface Work {
  client: pg.PoolClient;
  reads: SyncReads;
  port: PostgresWritePort;
}

/** What a ledger transaction needs from the store that runs it. */
export interface LedgerTransactionHooks {
  /** The store's pool (throws once the store is closed). */
  pool: () => pg.Pool;
  /** Before each attempt: the rules bundles another worker may have saved meanwhile. */
  beforeAttempt: () => Promise<void>;
  /** A fresh write port over this attempt's read cache. */
  newPort: (reads: SyncReads) => PostgresWritePort;
  log: Logger;
}

/** A read-only step writes nothing. */
const NO_WRITES: StepHooks = { discard: () => undefined, flush: async () => undefined };

/**
 * Runs `work` in one database transaction, again from the start on a conflict; logs its alerts once committed.
 * 'locking': READ COMMITTED, every decision's rows locked before they are read (row-locks.ts) — the write path of
 * kiosk and HQ transactions, so two workers' unrelated batches run at once. 'serializable': the console's and
 * HQ's own edits (profiles, gift stock, code batches, retention, messages), rare and small, kept SERIALIZABLE;
 * where one changes what a batch decides on, it locks the same row first (row-locks.ts lists them).
 */
export async function inLedgerTransaction<T>(
  hooks: LedgerTransactionHooks,
  work: (work: Work) => Promise<T>,
  mode: IsolationMode = 'serializable',
  lockOptions: RowLockOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await hooks.beforeAttempt();
    const client = await hooks.pool().connect();
    const reads = new SyncReads(mode === 'locking' ? new RowLocks(lockOptions) : null);
    const port = hooks.newPort(reads);
    let broken = false;
    try {
      await client.query(mode === 'locking' ? 'BEGIN ISOLATION LEVEL READ COMMITTED' : 'BEGIN ISOLATION LEVEL SERIALIZABLE');
      const value = await work({ client, reads, port });
      await client.query('COMMIT');
      logAlerts(hooks.log, port.raisedAlerts);
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      if (isConflict(error) && attempt < (errorCode(error) === UNIQUE_VIOLATION ? MAX_UNIQUE_VIOLATION_ATTEMPTS : MAX_ATTEMPTS)) {
        hooks.log.debug({ attempt, code: errorCode(error) }, 'ledger transaction conflicted with another writer; running it again');
        await backOff(attempt);
        continue;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** Runs `read` in one read-only snapshot of the ledger. */
export async function inReadSnapshot<T>(pool: pg.Pool, read: (reads: SyncReads, readers: RowReaders) => T): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const reads = new SyncReads();
    const readers = createPostgresRowReaders(reads);
    const value = await runSynchronously(client, reads, NO_WRITES, () => read(reads, readers));
    await client.query('COMMIT');
    return value;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    client.release(broken);
  }
}

function logAlerts(log: Logger, alerts: RaisedAlert[]): void {
  for (const alert of alerts) log.warn({ code: alert.code, deviceId: alert.deviceId, ...alert.detail }, 'device alert');
}

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isConflict(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && (SERIALIZATION_CODES.has(code) || code === UNIQUE_VIOLATION);
}

/** A short random wait that grows with the attempts, so two conflicting workers do not collide again in step. */
function backOff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 2 * attempt * attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
