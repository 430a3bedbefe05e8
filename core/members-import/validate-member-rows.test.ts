import { describe, expect, it } from 'vitest';
import { isCodedError } from '../errors/coded-error.ts';
import type { SheetRow } from './sheet-table.ts';
import { checkMemberRows, normalizeBirthday, readMemberRows, type MemberImportRules } from './validate-member-rows.ts';

const RULES: MemberImportRules = {
  tiers: ['standard', 'silver', 'gold'],
  tierAliases: new Map([['金卡', 'gold']]),
  stores: [{ storeId: 'store-001', name: '徐汇店' }, { storeId: 'store-002', name: '静安店' }],
  customFields: [{ key: 'car_plate', label: '车牌号' }],
  today: '2026-12-01',
  maxRows: 100,
};
const NOTHING = { phones: new Set<string>(), cards: new Set<string>() };

function sheet(lines: string[][]): SheetRow[] {
  return lines.map((cells, i) => ({ rowNumber: i + 1, cells }));
}
const HEADER = ['姓名', '手机号', '卡号', '等级', '开卡门店', '性别', '生日', '储值余额（元）', '积分', '推荐人手机号', '车牌号', '旧系统备注'];
const row = (over: Partial<Record<'name' | 'phone' | 'card' | 'tier' | 'store' | 'gender' | 'birthday' | 'money' | 'points' | 'referrer' | 'plate', string>> = {}) => [
  over.name ?? '王芳', over.phone ?? '13900000001', over.card ?? 'C0000001', over.tier ?? '', over.store ?? 'store-001', over.gender ?? '', over.birthday ?? '',
  over.money ?? '', over.points ?? '', over.referrer ?? '', over.plate ?? '', 'ignored',
];
const check = (lines: string[][], holds = NOTHING) => checkMemberRows(readMemberRows(sheet(lines), RULES), holds);

describe('checking a member file row by row', () => {
  it('reads Chinese headers, HQ custom fields by label, and stores what each row would become', () => {
    const result = check([HEADER, row({ tier: '金卡', store: '静安店', gender: '女', birthday: '1990/5/7', money: '12.3', points: '1,200', plate: '沪A12345' })]);
    expect(result.errors).toEqual([]);
    expect(result.columns.map((c) => c.meaning)).toEqual([
      ...['name', 'phone', 'card', 'tier', 'store', 'gender', 'birthday', 'storedValue', 'points', 'referrerPhone'].map((field) => ({ kind: 'field', field })),
      { kind: 'custom', key: 'car_plate' },
      { kind: 'ignored' },
    ]);
    expect(result.rows).toEqual([
      {
        row: 2, name: '王芳', phone: '13900000001', cardUid: 'C0000001', tier: 'gold', storeId: 'store-002', gender: 'female', birthday: '1990-05-07', address: null,
        storedValueCents: 1230, bonusValueCents: 0, points: 1200, referrerPhone: null, customFields: { car_plate: '沪A12345' },
      },
    ]);
    expect(result.totals).toEqual({ storedValueCents: 1230, bonusValueCents: 0, points: 1200 });
  });

  it('reads English headers too, normalising a +86 phone and a lower-case card; an empty tier is the entry tier', () => {
    const result = check([['Name', 'Phone', 'Card No', 'Store ID', 'Stored value'], ['Li Wei', '+86 139-0000-0002', 'c0ffee', 'STORE-001', '0.29']]);
    expect(result.errors).toEqual([]);
    expect(result.rows[0]).toMatchObject({ phone: '13900000002', cardUid: 'C0FFEE', tier: 'standard', storeId: 'store-001', storedValueCents: 29 });
  });

  it('names every bad cell by row, column and reason, and counts the rows that have any', () => {
    const result = check([
      HEADER,
      row({ name: '', phone: '12345', card: 'XYZ!', tier: '黑卡', store: '浦东店', gender: '未知', birthday: '2001-02-30', money: '12.345', points: '10.5' }),
      row({ phone: '13900000003', card: 'C0000003', money: '-5', birthday: '2030-01-01' }),
      row({ phone: '13900000004', card: 'C0000004', store: '', money: '1e3', referrer: '13900000004' }),
    ]);
    expect(result.errors.map((e) => [e.row, e.column, e.reason])).toEqual([
      [2, 'name', 'NAME_REQUIRED'],
      [2, 'phone', 'PHONE_INVALID'],
      [2, 'card', 'CARD_INVALID'],
      [2, 'tier', 'TIER_UNKNOWN'],
      [2, 'store', 'STORE_UNKNOWN'],
      [2, 'gender', 'GENDER_INVALID'],
      [2, 'birthday', 'BIRTHDAY_INVALID'],
      [2, 'storedValue', 'MONEY_TOO_PRECISE'],
      [2, 'points', 'POINTS_INVALID'],
      [3, 'birthday', 'BIRTHDAY_INVALID'],
      [3, 'storedValue', 'MONEY_NEGATIVE'],
      [4, 'store', 'STORE_REQUIRED'],
      [4, 'storedValue', 'MONEY_INVALID'],
      [4, 'referrerPhone', 'REFERRER_SELF'],
    ]);
    expect(result.errors[7]).toMatchObject({ value: '12.345' });
    expect(result.invalidRows).toBe(3);
  });

  it('refuses a phone or a card twice in the file, naming the row that has it first', () => {
    const result = check([HEADER, row(), row({ card: 'C0000002' }), row({ phone: '13900000009', card: 'c0000001' })]);
    expect(result.errors).toEqual([
      { row: 3, column: 'phone', reason: 'PHONE_DUPLICATE', value: '13900000001', otherRow: 2 },
      { row: 4, column: 'card', reason: 'CARD_DUPLICATE', value: 'c0000001', otherRow: 2 },
    ]);
  });

  it('refuses what the ledger already holds; a referrer must be a member or a row of the file', () => {
    const holds = { phones: new Set(['13900000001', '13800138001']), cards: new Set(['C0000002']) };
    const result = check(
      [HEADER, row(), row({ phone: '13900000002', card: 'C0000002', referrer: '13800138001' }), row({ phone: '13900000003', card: 'C0000003', referrer: '13700000000' })],
      holds,
    );
    expect(result.errors.map((e) => [e.row, e.reason])).toEqual([
      [2, 'PHONE_TAKEN'],
      [3, 'CARD_TAKEN'],
      [4, 'REFERRER_UNKNOWN'],
    ]);
  });

  it('orders a referrer in the file before whoever they referred, and refuses a referral cycle', () => {
    const chain = check([HEADER, row({ phone: '13900000001', card: 'C0001', referrer: '13900000002' }), row({ phone: '13900000002', card: 'C0002', referrer: '13900000003' }), row({ phone: '13900000003', card: 'C0003' })]);
    expect(chain.errors).toEqual([]);
    expect(chain.order.map((i) => chain.rows[i]!.row)).toEqual([4, 3, 2]);
    const cycle = check([HEADER, row({ phone: '13900000001', card: 'C0001', referrer: '13900000002' }), row({ phone: '13900000002', card: 'C0002', referrer: '13900000001' })]);
    expect(cycle.errors.map((e) => [e.row, e.reason, e.otherRow])).toEqual([
      [2, 'REFERRER_CYCLE', 3],
      [3, 'REFERRER_CYCLE', 2],
    ]);
  });

  it('skips blank rows, starts at the first non-blank row, and refuses a header without the required columns or over the row limit', () => {
    const result = check([[], ['', ''], HEADER, ['', '', ''], row()]);
    expect(result.rows.map((r) => r.row)).toEqual([5]);
    const refusal = (lines: string[][]) => {
      try {
        readMemberRows(sheet(lines), RULES);
      } catch (error) {
        return isCodedError(error) ? { code: error.code, details: error.details } : error;
      }
      return null;
    };
    expect(refusal([['姓名', '手机号', '等级'], ['a', '1', '']])).toEqual({ code: 'MEMBER_IMPORT_FILE_UNREADABLE', details: { missingColumns: ['card', 'store'] } });
    expect(refusal([['姓名', '手机', '手机号', '卡号', '门店']])).toMatchObject({ code: 'MEMBER_IMPORT_FILE_UNREADABLE', details: { duplicateColumn: '手机号' } });
    expect(refusal([])).toMatchObject({ code: 'MEMBER_IMPORT_FILE_UNREADABLE' });
    expect(refusal([HEADER, ...Array.from({ length: 101 }, (_, i) => row({ phone: `1390000${String(i).padStart(4, '0')}`, card: `C${String(i).padStart(4, '0')}` }))])).toMatchObject({ code: 'MEMBER_IMPORT_TOO_LARGE' });
  });

  it('reads the ways people write a birthday, and refuses what is not a day', () => {
    for (const text of ['1990-05-07', '1990/5/7', '1990.5.7', '19900507', '1990年5月7日']) expect(normalizeBirthday(text, '2026-12-01')).toBe('1990-05-07');
    for (const text of ['1990-02-29', '07/05/1990', '1899-12-31', '2026-12-02', '33000']) expect(normalizeBirthday(text, '2026-12-01')).toBeNull();
  });
});
