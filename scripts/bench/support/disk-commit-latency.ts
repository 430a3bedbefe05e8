/**
 * The disk's own part of a confirmation, measured beside it: one small SQLite commit as the outbox and the ledger make
 * theirs (WAL, synchronous=FULL, so each is one fsync), timed one at a time in a file in the same folder. A sale waits
 * for two of them; on a disk whose fsyncs stall now and then, their tail is in the confirmation's p99 and not in the
 * network echo's, whatever the code does.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** `count` commits of one ~600-byte row each (a purchase's size); their durations in ms. */
export function diskCommitLatencies(dir: string, count: number): number[] {
  const db = new Database(join(dir, 'disk-commit.sqlite'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare<[string]>('INSERT INTO rows (body) VALUES (?)');
    const body = 'x'.repeat(600);
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      insert.run(body);
      samples.push(performance.now() - started);
    }
    return samples;
  } finally {
    db.close();
  }
}
