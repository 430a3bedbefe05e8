/**
 * The annual fee sweep (年费) over each real ledger back end (a SQLite file; PostgreSQL on a throwaway cluster,
 * hub/testing/start-postgres.ts): cards are charged in their issue month, once a year,
 * a card that paid its first annual fee at issue is not charged again that year, a replacement card keeps its
 * predecessor's fee month and years, and a rerun charges nothing. The journal audit after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleWithCardTypes } from '../../core/ledger/test-support/card-types-bundle.ts';
import type { StaffActor } from '../../core/wire/transaction.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { LEDGER_PG_TYPES } from '../ledger/postgres/pg-integer-types.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { hqAdminLogin } from '../testing/staff-actor.ts';
import { chargeAnnualFees, planAnnualFeeSweep } from './charge-annual-fees.ts';
import { submitHqTransaction } from './hq-transactions.ts';

const GOLD_UID = '0C0FFEE00001';
const SUPP_UID = '0C0FFEE00002';

/** The same instant a whole number of years on (the same local month in Shanghai, whatever day it is). */
function yearsLater(iso: string, years: number): string {
  const date = new Date(iso);
  date.setUTCFullYear(date.getUTCFullYear() + years);
  return date.toISOString();
}

/** A ledger on one back end, with a read-only look past it (statements written with `?` placeholders). */
interface Opened {
  ledger: Ledger;
  rows<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const silent = pino({ level: 'silent' });

async function openSqlite(): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-annual-'));
  const ledger = await openLedger({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE });
  const db = new Database(join(dir, 'ledger.sqlite'), { readonly: true });
  return {
    ledger,
    rows: async <T>(sql: string, params: unknown[] = []) => db.prepare<unknown[], T>(sql).all(...params),
    async close() {
      db.close();
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(): Promise<Opened> {
  const url = await freshMigratedPostgresDatabase('annual_fees');
  const ledger = await openLedger({ kind: 'postgres', url, logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 });
  // BIGINT read as the ledger reads it: safe integers.
  const client = new pg.Client({ connectionString: url, types: LEDGER_PG_TYPES });
  await client.connect();
  return {
    ledger,
    async rows<T>(sql: string, params: unknown[] = []) {
      let n = 0;
      return (await client.query(sql.replace(/\?/g, () => `$${++n}`), params)).rows as T[];
    },
    async close() {
      await client.end();
      await ledger.close();
    },
  };
}

describe.each([
  { name: 'SQLite', open: openSqlite },
  { name: 'PostgreSQL', open: openPostgres },
])('chargeAnnualFees (real $name)', ({ open }) => {
  let opened: Opened;
  let ledger: Ledger;
  let actor: StaffActor;
  const balance = async (memberId: string, account: string) =>
    (await opened.rows<{ balance: number }>('SELECT balance FROM accounts WHERE member_id = ? AND account = ?', [memberId, account]))[0]?.balance ?? 0;

  beforeEach(async () => {
    opened = await open();
    ledger = opened.ledger;
    await seedDemoData(ledger);
    // The plain (default) type gets a ¥10 annual fee here, so the kiosk-registered demo cards owe one too.
    const base = bundleWithCardTypes();
    const plainWithAnnual = { ...base.cardTypes!, types: base.cardTypes!.types.map((t) => (t.typeId === 'plain' ? { ...t, fees: { ...t.fees, annual: 1_000 } } : t)) };
    await ledger.saveRulesBundle({ ...base, version: 2, cardTypes: plainWithAnnual });
    actor = (await hqAdminLogin(ledger)).actor;
  });

  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await opened.close();
  });
  afterAll(stopPostgres);

  it('charges each card in its issue month once a year; never a year paid at issue; a rerun charges nothing', async () => {
    // Li Wei (M0001, ¥200 principal) gets a gold card (¥20 issue + ¥50 first annual) and a supplementary card (¥20 annual).
    const gold = await submitHqTransaction(ledger, { kind: 'card_issue', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.standard, newCardUid: GOLD_UID, cardTypeId: 'gold', feeTender: 'stored_value', feeCents: 7_000, actor });
    expect(gold).toMatchObject({ status: 'applied' });
    const supp = await submitHqTransaction(ledger, { kind: 'card_issue', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.standard, newCardUid: SUPP_UID, cardTypeId: 'supp', holderName: '李小明', feeTender: 'stored_value', actor });
    expect(supp).toMatchObject({ status: 'applied' });
    expect(await balance('M0001', 'stored_value')).toBe(20_000 - 7_000 - 2_000);
    const now = new Date().toISOString();

    // This month: only the four demo cards (registered without an annual fee) are due, ¥10 each.
    const first = await chargeAnnualFees(ledger, now);
    expect(first).toEqual({ cards: 4, cents: 4_000, refused: 0 });
    expect(await balance('M0001', 'stored_value')).toBe(11_000 - 1_000);
    expect(await chargeAnnualFees(ledger, now)).toEqual({ cards: 0, cents: 0, refused: 0 });

    // A year on, in the same month: every open card, its own type's fee (plain ¥10 + gold ¥50 + supplementary ¥20 =
    // ¥80 for Li Wei's three cards, from her ¥100 principal).
    const nextYear = yearsLater(now, 1);
    expect(await chargeAnnualFees(ledger, nextYear)).toEqual({ cards: 6, cents: 4 * 1_000 + 5_000 + 2_000, refused: 0 });
    expect(await balance('M0001', 'stored_value')).toBe(2_000);
    expect(await chargeAnnualFees(ledger, nextYear)).toEqual({ cards: 0, cents: 0, refused: 0 });
    // The year after: ¥20 of principal covers part of her ¥80; the ¥60 left is owed on the shortfall account.
    expect((await chargeAnnualFees(ledger, yearsLater(now, 2))).cards).toBe(6);
    expect(await balance('M0001', 'stored_value')).toBe(0);
    expect(await balance('M0001', 'shortfall_value')).toBe(6_000);

    // Another month: nothing is due.
    expect(await chargeAnnualFees(ledger, new Date(Date.parse(nextYear) + 40 * 86_400_000).toISOString())).toEqual({ cards: 0, cents: 0, refused: 0 });

    const years = await opened.rows<{ card_uid: string; fee_year: number }>("SELECT card_uid, fee_year FROM fee_charges WHERE fee_kind = 'annual' ORDER BY card_uid, fee_year");
    expect(years.filter((r) => r.card_uid === GOLD_UID).length).toBe(3);
  });

  it('a replacement card keeps its predecessor’s fee month and the years it paid; a cancelled card pays nothing', async () => {
    await submitHqTransaction(ledger, { kind: 'card_issue', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, newCardUid: GOLD_UID, cardTypeId: 'gold', feeTender: 'cash', actor });
    const replaced = await submitHqTransaction(ledger, { kind: 'card_replace', storeId: DEMO_STORE_ID, cardUid: GOLD_UID, newCardUid: '0C0FFEE00003', feeTender: 'stored_value', feeCents: 1_000, actor });
    expect(replaced).toMatchObject({ status: 'applied' });
    const now = new Date().toISOString();
    // This year's gold fee was paid at issue (by the old card): neither card is charged; the four demo cards are.
    expect((await chargeAnnualFees(ledger, now)).cards).toBe(4);
    // Next year: the replacement pays the gold fee once, the cancelled card nothing.
    const next = await chargeAnnualFees(ledger, yearsLater(now, 1));
    expect(next).toEqual({ cards: 5, cents: 4 * 1_000 + 5_000, refused: 0 });
    const paid = await opened.rows<{ card_uid: string }>("SELECT card_uid FROM fee_charges WHERE fee_kind = 'annual' AND card_uid IN ('0C0FFEE00001', '0C0FFEE00003') ORDER BY fee_year");
    expect(paid.map((r) => r.card_uid)).toEqual([GOLD_UID, '0C0FFEE00003']);
  });

  it('plans nothing without card types, nothing before the card was issued, and skips types the rules no longer define', () => {
    const at = '2026-03-10T02:00:00.000Z';
    const card = { uid: 'AA01', memberId: 'M1', cardType: 'gold', firstIssuedAt: '2025-03-31T17:00:00.000Z', chargedYears: [2025] };
    expect(planAnnualFeeSweep(DEFAULT_RULES_BUNDLE, [card], at)).toEqual([]);
    // Issued 1 April 01:00 in Shanghai (31 March UTC): its month is April, not March.
    expect(planAnnualFeeSweep(bundleWithCardTypes(), [card], at)).toEqual([]);
    const march = { ...card, firstIssuedAt: '2025-03-20T02:00:00.000Z' };
    expect(planAnnualFeeSweep(bundleWithCardTypes(), [march], at)).toEqual([{ body: { kind: 'annual_fee', storeId: 'hq', memberId: 'M1', cardUid: 'AA01', year: 2026 }, cents: 5_000 }]);
    expect(planAnnualFeeSweep(bundleWithCardTypes(), [{ ...march, cardType: 'bronze' }], at)).toEqual([]);
    expect(planAnnualFeeSweep(bundleWithCardTypes(), [{ ...march, firstIssuedAt: '2026-03-20T02:00:00.000Z' }], at)).toEqual([]);
  });
});
