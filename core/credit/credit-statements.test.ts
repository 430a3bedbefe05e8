import { describe, expect, it } from 'vitest';
import { creditChargeFor, creditReport, creditStatements, creditStatus, type CreditEntry } from './credit-statements.ts';

const TERMS = { graceDays: 20, warnAtShare: '0.8', lateFeeCents: 1_000, interestBpPerMonth: 150 };
const TZ = 'Asia/Shanghai';

/** Times in Shanghai local time (UTC+8), as the chain reads them. */
const local = (date: string, time = '12:00') => new Date(`${date}T${time}:00+08:00`).toISOString();

const MARCH: CreditEntry[] = [
  { amountCents: 30_000, at: local('2025-03-05'), kind: 'purchase' },
  { amountCents: 12_000, at: local('2025-03-20'), kind: 'purchase' },
  { amountCents: -2_000, at: local('2025-03-25'), kind: 'refund' },
  // Paid after March closed, before its due date: pays March first.
  { amountCents: -25_000, at: local('2025-04-10'), kind: 'credit_repay' },
  { amountCents: 5_000, at: local('2025-04-15'), kind: 'purchase' },
];

describe('creditStatements: local months, due dates, what stayed unpaid', () => {
  it('March: opening 0, charges 420.00, refunds 20.00, closing 400.00, due 20 April; 150.00 unpaid then: overdue', () => {
    const [march, april] = creditStatements(MARCH, TERMS, TZ, local('2025-04-22'));
    expect(march).toMatchObject({
      month: '2025-03',
      openingCents: 0,
      chargesCents: 42_000,
      refundsCents: 2_000,
      repaymentsCents: 0,
      feesCents: 0,
      closingCents: 40_000,
      dueDate: '2025-04-20',
      overdueFrom: '2025-04-20T16:00:00.000Z',
      unpaidAtDueCents: 15_000,
      unpaidNowCents: 15_000,
      status: 'overdue',
      pastDue: true,
      charged: false,
    });
    expect(april).toMatchObject({ month: '2025-04', openingCents: 40_000, chargesCents: 5_000, repaymentsCents: 25_000, closingCents: 20_000, dueDate: '2025-05-20', status: 'open', pastDue: false });
    // Late fee 10.00 once, interest floor(150.00 × 1.5 %) = 2.25.
    expect(creditChargeFor(march!, TERMS)).toEqual({ lateFeeCents: 1_000, interestCents: 225 });
    expect(creditChargeFor(april!, TERMS)).toBeNull();
  });

  it('after the charge and a repayment: March paid (late), April overdue with what the fees added, May not due yet', () => {
    const entries: CreditEntry[] = [
      ...MARCH,
      { amountCents: 1_225, at: local('2025-04-22', '01:00'), kind: 'credit_charge', statement: '2025-03' },
      { amountCents: -15_000, at: local('2025-05-03'), kind: 'credit_repay' },
    ];
    const report = creditReport(entries, 50_000, TERMS, TZ, local('2025-05-25'));
    const [march, april, may] = report.statements;
    expect(march).toMatchObject({ status: 'paid', unpaidAtDueCents: 15_000, unpaidNowCents: 0, charged: true });
    expect(creditChargeFor(march!, TERMS)).toBeNull();
    expect(april).toMatchObject({ feesCents: 1_225, closingCents: 21_225, unpaidAtDueCents: 6_225, status: 'overdue' });
    expect(creditChargeFor(april!, TERMS)).toEqual({ lateFeeCents: 1_000, interestCents: 93 });
    expect(may).toMatchObject({ month: '2025-05', openingCents: 21_225, repaymentsCents: 15_000, closingCents: 6_225, dueDate: '2025-06-20', status: 'open' });
    expect(report.status).toEqual({ owedCents: 6_225, limitCents: 50_000, availableCents: 43_775, warnings: ['overdue'], warning: 'overdue' });
  });

  it('dates by the local month: 00:30 on 1 April in Shanghai is April although it is still 31 March in UTC', () => {
    const statements = creditStatements([{ amountCents: 100, at: '2025-03-31T16:30:00.000Z', kind: 'purchase' }], TERMS, TZ, local('2025-04-02'));
    expect(statements.map((s) => s.month)).toEqual(['2025-04']);
    expect(creditStatements([{ amountCents: 100, at: '2025-03-31T16:30:00.000Z', kind: 'purchase' }], TERMS, 'UTC', '2025-04-02T00:00:00.000Z').map((s) => s.month)).toEqual(['2025-03', '2025-04']);
  });

  it('paid in time: nothing unpaid at the due date, nothing to charge, no statement once nothing is owed', () => {
    const entries: CreditEntry[] = [
      { amountCents: 10_000, at: local('2025-01-10'), kind: 'purchase' },
      { amountCents: -10_000, at: local('2025-02-20', '23:59'), kind: 'credit_repay' },
    ];
    const statements = creditStatements(entries, TERMS, TZ, local('2025-04-01'));
    expect(statements.map((s) => [s.month, s.status, s.unpaidAtDueCents])).toEqual([
      ['2025-01', 'paid', 0],
      ['2025-02', 'paid', 0],
    ]);
    expect(creditChargeFor(statements[0]!, TERMS)).toBeNull();
  });
});

describe('creditStatus: warnings', () => {
  it('near the limit at 80 % of it, over the limit past it, none below', () => {
    expect(creditStatus(39_999, 50_000, TERMS, []).warning).toBeNull();
    expect(creditStatus(40_000, 50_000, TERMS, [])).toMatchObject({ warning: 'near_limit', availableCents: 10_000 });
    expect(creditStatus(50_001, 50_000, TERMS, [])).toMatchObject({ warnings: ['over_limit'], availableCents: 0 });
    expect(creditStatus(0, 0, TERMS, []).warnings).toEqual([]);
  });
});
