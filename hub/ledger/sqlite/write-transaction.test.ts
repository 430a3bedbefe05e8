/** Two connections to one SQLite file in WAL mode, as the hub's thread and the ledger's writer thread hold them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTransaction } from './write-transaction.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function twoConnections(): [Database.Database, Database.Database] {
  const dir = mkdtempSync(join(tmpdir(), 'mk-write-tx-'));
  dirs.push(dir);
  const path = join(dir, 'ledger.sqlite');
  const first = new Database(path);
  first.pragma('journal_mode = WAL');
  first.exec('CREATE TABLE counter (n INTEGER NOT NULL); INSERT INTO counter VALUES (0)');
  const second = new Database(path);
  for (const db of [first, second]) db.pragma('busy_timeout = 2000');
  return [first, second];
}

/** Reads the counter, lets the other connection commit an increment, then writes read + 1. */
function readThenWrite(db: Database.Database, other: Database.Database, begin: (fn: () => void) => () => void): number {
  const read = db.prepare<[], { n: number }>('SELECT n FROM counter');
  begin(() => {
    const n = read.get()!.n;
    // Another writer's commit lands between this transaction's read and its write (it waits if this one holds the lock).
    try {
      other.prepare('UPDATE counter SET n = n + 1').run();
    } catch {
      // SQLITE_BUSY: this transaction holds the write lock already (IMMEDIATE); the other write comes after.
    }
    db.prepare('UPDATE counter SET n = ?').run(n + 1);
  })();
  other.prepare('UPDATE counter SET n = n + 1').run();
  return read.get()!.n;
}

describe('writeTransaction', () => {
  it('a DEFERRED read-then-write fails SQLITE_BUSY when the other connection committed in between', () => {
    const [db, other] = twoConnections();
    expect(() => readThenWrite(db, other, (fn) => db.transaction(fn))).toThrow(/database is locked|SQLITE_BUSY/);
    db.close();
    other.close();
  });

  it('an IMMEDIATE one holds the write lock from the start: nothing lands in between, nothing fails', () => {
    const [db, other] = twoConnections();
    other.pragma('busy_timeout = 50');
    // Its read and write are one step: the other connection's increment inside it is refused (busy), the one after
    // it lands on top of what it wrote: 0 → 1 → 2, no update lost.
    expect(readThenWrite(db, other, (fn) => writeTransaction(db, fn))).toBe(2);
    db.close();
    other.close();
  });
});
