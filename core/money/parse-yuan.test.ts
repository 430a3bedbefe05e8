import { describe, expect, it } from 'vitest';
import { parseYuanToCents } from './parse-yuan.ts';

describe('yuan from a spreadsheet to exact integer cents', () => {
  it.each([
    ['12.3', 1230],
    ['12.30', 1230],
    ['12', 1200],
    ['0.29', 29],
    ['0.07', 7],
    ['.5', 50],
    ['¥1,234.56', 123456],
    ['￥ 88', 8800],
    ['12.300', 1230],
    ['-0', 0],
    ['1000000000', 100_000_000_000],
  ])('%s yuan is %i cents', (text, cents) => {
    expect(parseYuanToCents(text)).toEqual({ ok: true, cents });
  });

  it.each([
    ['12.345', 'MONEY_TOO_PRECISE'],
    ['0.001', 'MONEY_TOO_PRECISE'],
    ['-5', 'MONEY_NEGATIVE'],
    ['-0.01', 'MONEY_NEGATIVE'],
    ['abc', 'MONEY_INVALID'],
    ['1,2', 'MONEY_INVALID'],
    ['1.2.3', 'MONEY_INVALID'],
    ['1e3', 'MONEY_INVALID'],
    ['.', 'MONEY_INVALID'],
    ['1000000000.01', 'MONEY_TOO_LARGE'],
    ['99999999999', 'MONEY_TOO_LARGE'],
  ])('%s is refused: %s', (text, reason) => {
    expect(parseYuanToCents(text)).toEqual({ ok: false, reason });
  });

  it('never goes through a float: every cent amount up to ¥100,000 reads back exactly', () => {
    for (let cents = 0; cents <= 10_000_000; cents += 7919) {
      const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
      expect(parseYuanToCents(text)).toEqual({ ok: true, cents });
    }
  });
});
