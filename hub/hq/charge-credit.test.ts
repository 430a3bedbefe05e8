/**
 * HQ's credit sweep on the real SQLite ledger (demo data): a statement unpaid past its due date is charged its late
 * fee and interest once; a rerun charges nothing twice, a second charge of the same statement is refused by the
 * ledger, the next month's statement is charged in its turn. The journal audit after each test.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { memberCredit } from '../credit/member-credit.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { hqAdminLogin } from '../testing/staff-actor.ts';
import { chargeCredit } from './charge-credit.ts';
import { HQ_DEVICE_ID } from './hq-transactions.ts';
import { demoCreditSale } from '../testing/demo-credit-sale.ts';

const TERMS = { graceDays: 20, warnAtShare: '0.8', lateFeeCents: 1_000, interestBpPerMonth: 150 };
const HOUR = 3_600_000;
const later = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

describe('chargeCredit (HQ credit sweep, real SQLite)', () => {
  let ledger: Ledger;

  beforeEach(async () => {
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
    await ledger.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, credit: TERMS });
    expect(await ledger.credit.setCreditLimit('M0001', 50_000)).toBe(true);
  });

  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await ledger.close();
  });

  const report = async (asOf: string) => memberCredit(ledger.credit, (await ledger.latestRulesBundle())!, 'M0001', asOf);

  it('charges an overdue statement once: late fee 10.00 + interest floor(300.00 × 1.5 %) = 4.50; rerun charges nothing', async () => {
    const bought = await ledger.applyHq(demoCreditSale('RICE-10KG', 30_000));
    expect(bought.status).toBe('applied');
    const now = new Date().toISOString();
    const [first] = (await report(now)).statements;
    expect(first).toMatchObject({ closingCents: 30_000, status: 'open' });
    // Before the due date has passed: nothing.
    expect(await chargeCredit(ledger, later(first!.overdueFrom, -HOUR))).toEqual({ statements: 0, lateFeeCents: 0, interestCents: 0, refused: 0 });

    const asOf = later(first!.overdueFrom, HOUR);
    expect(await chargeCredit(ledger, asOf)).toEqual({ statements: 1, lateFeeCents: 1_000, interestCents: 450, refused: 0 });
    expect(await chargeCredit(ledger, asOf)).toEqual({ statements: 0, lateFeeCents: 0, interestCents: 0, refused: 0 });
    expect(await chargeCredit(ledger, later(asOf, HOUR))).toMatchObject({ statements: 0 });
    const charged = await report(later(asOf, HOUR));
    expect(charged.status).toMatchObject({ owedCents: 31_450, limitCents: 50_000, warning: 'overdue' });
    expect(charged.statements[0]).toMatchObject({ charged: true, status: 'overdue' });

    // Asked directly for the same statement again (a second hub process, say): the ledger refuses it.
    const again = await ledger.applyHq({ kind: 'credit_charge', storeId: HQ_DEVICE_ID, memberId: 'M0001', statement: first!.month, lateFeeCents: 1_000, interestCents: 0 }, { createdAt: later(asOf, 2 * HOUR) });
    expect(again).toMatchObject({ status: 'rejected', code: 'CREDIT_CHARGE_INVALID' });

    // The next month's statement carries the 314.50 and is charged in its own turn: 10.00 + floor(314.50 × 1.5 %) = 4.71.
    const second = (await report(later(asOf, 2 * HOUR))).statements[1]!;
    expect(second).toMatchObject({ openingCents: 30_000, feesCents: 1_450, closingCents: 31_450, charged: false });
    expect(await chargeCredit(ledger, later(second.overdueFrom, HOUR))).toEqual({ statements: 1, lateFeeCents: 1_000, interestCents: 471, refused: 0 });
    // Fees and interest go on what is owed only: the demo member's ¥200 stored value is untouched.
    expect((await ledger.memberViewById('M0001'))!.balances.storedValueCents).toBe(20_000);
  });

  it("takes the card type's limit where the member's own is 0, in the report and at the till", async () => {
    expect(await ledger.credit.setCreditLimit('M0001', 0)).toBe(true);
    await ledger.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 3, credit: TERMS, cardTypes: { types: [{ typeId: 'std', label: '普通卡', class: 'personal', creditLimitCents: 20_000 }] } });
    expect((await report(new Date().toISOString())).status).toMatchObject({ limitCents: 20_000, availableCents: 20_000 });
    const sale = (cents: number) =>
      ledger.applyHq(demoCreditSale('X', cents));
    expect(await sale(20_001)).toMatchObject({ status: 'rejected', code: 'CREDIT_LIMIT_EXCEEDED' });
    expect(await sale(20_000)).toMatchObject({ status: 'applied' });
    expect((await report(new Date().toISOString())).status).toMatchObject({ owedCents: 20_000, availableCents: 0, warning: 'near_limit' });
  });

  it('charges nothing for a statement paid in time, or where the terms set no fee and no interest', async () => {
    await ledger.applyHq(demoCreditSale('OIL-5L', 8_800));
    const [first] = (await report(new Date().toISOString())).statements;
    await ledger.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 3, credit: { graceDays: 20 } });
    expect(await chargeCredit(ledger, later(first!.overdueFrom, HOUR))).toMatchObject({ statements: 0 });
    await ledger.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 4, credit: TERMS });
    const { actor } = await hqAdminLogin(ledger);
    const repaid = await ledger.applyHq({ kind: 'credit_repay', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.standard, amountCents: 8_800, tender: 'cash', actor });
    expect(repaid.status).toBe('applied');
    expect(await chargeCredit(ledger, later(first!.overdueFrom, HOUR))).toMatchObject({ statements: 0 });
    expect((await report(later(first!.overdueFrom, HOUR))).status).toMatchObject({ owedCents: 0, warnings: [] });
  });
});
