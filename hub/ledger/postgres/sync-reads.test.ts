/** SyncReads' cache (sync-reads.ts): which writes drop which cached reads. Pure: no database is asked. */
import { describe, expect, it } from 'vitest';
import { ReadMiss, SyncReads, tablesOf } from './sync-reads.ts';

const BALANCES = 'SELECT account, balance FROM accounts WHERE member_id = $1';
const byMember = (memberId: string) => ({ table: 'accounts', column: 'member_id', value: memberId });

function primed(): SyncReads {
  const reads = new SyncReads();
  reads.prime(BALANCES, ['A'], [{ account: 'points', balance: 1 }], byMember('A'));
  reads.prime(BALANCES, ['B'], [{ account: 'points', balance: 2 }], byMember('B'));
  // A read that names no key depends on every table its SQL names.
  reads.prime('SELECT s.service_id FROM service_cards s JOIN accounts a ON a.member_id = s.member_id WHERE s.member_id = $1', ['A'], []);
  return reads;
}

const cached = (reads: SyncReads, sql: string, params: string[]) => {
  try {
    reads.all(sql, params);
    return true;
  } catch (error) {
    if (error instanceof ReadMiss) return false;
    throw error;
  }
};
const JOINED = 'SELECT s.service_id FROM service_cards s JOIN accounts a ON a.member_id = s.member_id WHERE s.member_id = $1';

describe('SyncReads invalidation', () => {
  it("drops a keyed read for a write of its key only: member A's write keeps B's balances", () => {
    const reads = primed();
    reads.invalidate([{ table: 'accounts', keys: { member_id: 'A' } }]);
    expect(cached(reads, BALANCES, ['A'])).toBe(false);
    expect(cached(reads, BALANCES, ['B'])).toBe(true);
    // The unkeyed read names accounts: any write to it drops it.
    expect(cached(reads, JOINED, ['A'])).toBe(false);
  });

  it('drops every read of the table for a write that names no key, or not the key the read is by', () => {
    const whole = primed();
    whole.invalidate([{ table: 'accounts' }]);
    expect(cached(whole, BALANCES, ['B'])).toBe(false);
    const otherColumn = primed();
    otherColumn.invalidate([{ table: 'accounts', keys: { account: 'points' } }]);
    expect(cached(otherColumn, BALANCES, ['A'])).toBe(false);
    expect(cached(otherColumn, BALANCES, ['B'])).toBe(false);
  });

  it('keeps every read for a write to a table none of them reads', () => {
    const reads = primed();
    reads.invalidate([{ table: 'journal', keys: { member_id: 'A' } }, { table: 'purchases' }]);
    expect(cached(reads, BALANCES, ['A'])).toBe(true);
    expect(cached(reads, JOINED, ['A'])).toBe(true);
  });

  it('drops a read primed again by what it depends on now, and a dropped read stays dropped', () => {
    const reads = primed();
    // The same read (SQL and parameters) primed again under another key: only the new key drops it.
    reads.prime(BALANCES, ['A'], [{ account: 'points', balance: 3 }], byMember('Z'));
    reads.invalidate([{ table: 'accounts', keys: { member_id: 'A' } }]);
    expect(cached(reads, BALANCES, ['A'])).toBe(true);
    reads.invalidate([{ table: 'accounts', keys: { member_id: 'Z' } }]);
    expect(cached(reads, BALANCES, ['A'])).toBe(false);
    expect(cached(reads, BALANCES, ['B'])).toBe(true);
    reads.invalidate([{ table: 'accounts' }]);
    expect(cached(reads, BALANCES, ['B'])).toBe(false);
  });

  it("reads an upsert's table, not its DO UPDATE SET, as a table it writes", () => {
    expect(tablesOf('INSERT INTO accounts (member_id) VALUES ($1) ON CONFLICT (member_id) DO UPDATE SET balance = accounts.balance + 1')).toEqual(['accounts']);
    expect(tablesOf('UPDATE members SET tier = $1 WHERE member_id IN (SELECT member_id FROM cards JOIN accounts USING (member_id))')).toEqual(['members', 'cards', 'accounts']);
  });

  it('remembers a miss with its key, so the fetched read is cached by key too', () => {
    const reads = new SyncReads();
    expect(() => reads.all(BALANCES, ['C'], byMember('C'))).toThrow(ReadMiss);
    expect(reads.missed?.key).toEqual(byMember('C'));
  });
});
