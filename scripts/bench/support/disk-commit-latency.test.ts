/** The disk's own commit latency the end-to-end benchmark prints beside the confirmation's. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { diskCommitLatencies } from './disk-commit-latency.ts';

describe('diskCommitLatencies', () => {
  let dir: string | null = null;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('times one commit per row, each a row on disk in a WAL-mode file', () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-disk-commit-'));
    const samples = diskCommitLatencies(dir, 50);
    expect(samples).toHaveLength(50);
    for (const sample of samples) expect(sample).toBeGreaterThan(0);
    const db = new Database(join(dir, 'disk-commit.sqlite'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.prepare('SELECT COUNT(*) AS n FROM rows').get()).toEqual({ n: 50 });
    } finally {
      db.close();
    }
  });
});
