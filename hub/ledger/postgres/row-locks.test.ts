import { describe, expect, it } from 'vitest';
import { BALANCES_SQL, byCard, byMember, CARD_BY_UID_SQL, LOTS_SQL, REFERRER_SQL } from './postgres-row-readers.ts';
import { ALL_PHONES_LOCK, PHONE_LOCK_NAMESPACE, RowLocks } from './row-locks.ts';

describe('the row locks a ledger write takes before it reads (row-locks.ts)', () => {
  it("locks a member's row before any read of the member's rows, once per transaction", () => {
    const locks = new RowLocks();
    const lock = locks.before(BALANCES_SQL, byMember('accounts', 'M1'));
    expect(lock).toEqual({ sql: 'SELECT member_id FROM members WHERE member_id = $1 FOR UPDATE', params: ['M1'] });
    locks.taken(byMember('accounts', 'M1'), ['M1']);
    // Held: the member's lots and other tables need no second lock; another member's do.
    expect(locks.before(LOTS_SQL, byMember('point_lots', 'M1'))).toBeNull();
    expect(locks.before(LOTS_SQL, byMember('point_lots', 'M2'))?.params).toEqual(['M2']);
    // A rolled-back savepoint or a new transaction: nothing is known to be held.
    locks.clear();
    expect(locks.before(LOTS_SQL, byMember('point_lots', 'M1'))).not.toBeNull();
  });

  it("locks a card's member by the card, and counts the member as held by the lock's answer", () => {
    const locks = new RowLocks();
    const lock = locks.before(CARD_BY_UID_SQL, byCard('04AA'));
    expect(lock?.sql).toBe('SELECT member_id FROM members WHERE member_id = (SELECT member_id FROM cards WHERE uid = $1) FOR UPDATE');
    locks.taken(byCard('04AA'), ['M7']);
    expect(locks.before(CARD_BY_UID_SQL, byCard('04AA'))).toBeNull();
    expect(locks.before(BALANCES_SQL, byMember('accounts', 'M7'))).toBeNull();
    expect(locks.before("SELECT cents FROM card_daily_spend WHERE card_uid = $1 AND day = $2", { table: 'card_daily_spend', column: 'card_uid', value: '04AA' })).toBeNull();
  });

  it('counts the members and cards the batch prefetch locked in bulk as held', () => {
    const locks = new RowLocks();
    locks.markMembers(['M1', 'M2'], ['04AA', '04BB']);
    expect(locks.before(CARD_BY_UID_SQL, byCard('04BB'))).toBeNull();
    expect(locks.before(LOTS_SQL, byMember('point_lots', 'M2'))).toBeNull();
    expect(locks.before(CARD_BY_UID_SQL, byCard('04CC'))).not.toBeNull();
  });

  it('locks a phone, a gift (chain-wide or a store’s stock), a code and a draw (its prizes too) by their own rows', () => {
    const locks = new RowLocks();
    expect(locks.before('…', { table: 'members', column: 'phone', value: '13800000000' })).toEqual({
      sql: `SELECT NULL AS member_id FROM pg_advisory_xact_lock_shared(${ALL_PHONES_LOCK}), pg_advisory_xact_lock(${PHONE_LOCK_NAMESPACE}, hashtext($1::text))`,
      params: ['13800000000'],
    });
    const gift = locks.before('…', { table: 'gifts', column: 'sku', value: 'MUG' });
    expect(gift).toEqual({ sql: 'SELECT NULL AS member_id FROM gifts WHERE sku = $1 FOR UPDATE', params: ['MUG'] });
    expect(locks.before('…', { table: 'gift_store_stock', column: 'sku', value: 'MUG' })).toEqual(gift);
    expect(locks.before('…', { table: 'redemption_codes', column: 'code_hash', value: 'abc' })?.sql).toBe('SELECT NULL AS member_id FROM redemption_codes WHERE code_hash = $1 FOR UPDATE');
    const draw = locks.before('…', { table: 'draws', column: 'draw_id', value: 'D1' });
    expect(draw?.sql).toBe('SELECT NULL AS member_id FROM draws WHERE draw_id = $1 FOR UPDATE');
    locks.taken({ table: 'draws', column: 'draw_id', value: 'D1' }, []);
    expect(locks.before('…', { table: 'draw_prizes', column: 'draw_id', value: 'D1' })).toBeNull();
  });

  it('locks all phones with one lock in a member import (an advisory lock per phone of 10,000 rows would fill the lock table)', () => {
    const locks = new RowLocks({ allPhones: true });
    const phone = (value: string) => ({ table: 'members', column: 'phone', value });
    expect(locks.before('…', phone('13800000001'))).toEqual({ sql: `SELECT NULL AS member_id FROM pg_advisory_xact_lock(${ALL_PHONES_LOCK})`, params: [] });
    locks.taken(phone('13800000001'), []);
    expect(locks.before('…', phone('13800000002'))).toBeNull();
  });

  it('takes no lock for reads no decision rests on: the referrer column (never changed), unkeyed reads, stored transactions', () => {
    const locks = new RowLocks();
    expect(locks.before(REFERRER_SQL, byMember('members', 'M1'))).toBeNull();
    expect(locks.before('SELECT mode FROM devices WHERE device_id = $1', undefined)).toBeNull();
    expect(locks.before('SELECT … FROM transactions WHERE tx_id = $1', { table: 'transactions', column: 'tx_id', value: '01H' })).toBeNull();
  });
});
