/**
 * Credit (赊账) planners on an in-memory ledger: the credit tender within / over the limit, the limit from the
 * member or the card type, repayment by counter tender and from stored value, the HQ charge's checks, and the
 * credit share of a refund.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';
import type { RulesBundle } from '../rules/bundle.ts';
import type { HqOnlyTransactionOf, PaymentWire, TransactionOf } from '../wire/transaction.ts';
import { creditLimitOf } from './credit.ts';
import { planCreditCharge } from './plan-credit-charge.ts';
import { planCreditRepay } from './plan-credit-repay.ts';
import { planPurchase } from './plan-purchase.ts';
import { planRefund } from './plan-refund.ts';
import { card, cash, context, expectCoded, line, member, MemberLedger, posted, purchaseTx, refundTx, staff, topUpTx, ulid } from './test-support/builders.ts';

const TERMS = { graceDays: 20, warnAtShare: '0.8', lateFeeCents: 1_000, interestBpPerMonth: 150 };
const WITH_CREDIT: RulesBundle = { ...DEFAULT_RULES_BUNDLE, credit: TERMS };
const onCredit = (amountCents: number): PaymentWire => ({ method: 'credit', amountCents });

function repayTx(amountCents: number, tender: TransactionOf<'credit_repay'>['tender'] = 'cash'): TransactionOf<'credit_repay'> {
  const { tender: _cash, ...header } = topUpTx(amountCents);
  return { ...header, kind: 'credit_repay', tender };
}

function chargeTx(lateFeeCents: number, interestCents: number, statement = '2025-02'): HqOnlyTransactionOf<'credit_charge'> {
  return { v: 2, id: ulid(8_001), deviceId: 'hq', epoch: '', seq: 1, kind: 'credit_charge', createdAt: '2025-03-25T00:00:00.000Z', storeId: 'hq', bundleVersion: 1, memberId: 'M1', statement, lateFeeCents, interestCents };
}

/** A member with a ¥500 limit of their own and the credit terms above. */
function creditLedger(): MemberLedger {
  return new MemberLedger({ creditLimitCents: 50_000, storedValueCents: 20_000 });
}
const ctxOf = (ledger: MemberLedger, extra: Parameters<MemberLedger['contextFor']>[0] = {}) =>
  ledger.contextFor({ bundle: WITH_CREDIT, creditOwedCents: ledger.balances.credit, ...extra });

describe('the credit tender (purchase)', () => {
  it('puts the credit part on what the member owes, within the limit, to the cent', () => {
    const ledger = creditLedger();
    const first = planPurchase(purchaseTx([line(1, 30_000)], [onCredit(30_000)]), ctxOf(ledger));
    expect(posted(first, 'credit')).toBe(30_000);
    expect(posted(first, 'stored_value')).toBe(0);
    expect(first.purchaseRecord!.tenders.creditCents).toBe(30_000);
    ledger.apply(first);
    // 30 000 owed + 20 000 = exactly the 50 000 limit: accepted; one cent more is not.
    ledger.apply(planPurchase(purchaseTx([line(1, 25_000)], [onCredit(20_000), cash(5_000)]), ctxOf(ledger)));
    expect(ledger.balances.credit).toBe(50_000);
    expectCoded(() => planPurchase(purchaseTx([line(1, 1)], [onCredit(1)]), ctxOf(ledger)), 'CREDIT_LIMIT_EXCEEDED', { limitCents: 50_000, owedCents: 50_000, neededCents: 1 });
  });

  it('is refused without credit terms in the rules, and for a member with no limit of their own or by card type', () => {
    const ledger = creditLedger();
    expectCoded(() => planPurchase(purchaseTx([line(1, 100)], [onCredit(100)]), ledger.contextFor({ creditOwedCents: 0 })), 'CREDIT_NOT_OFFERED');
    const noLimit = new MemberLedger();
    expectCoded(() => planPurchase(purchaseTx([line(1, 100)], [onCredit(100)]), ctxOf(noLimit)), 'CREDIT_NOT_OFFERED');
  });

  it("takes the card type's limit where the member's own is 0; the member's own wins where set", () => {
    const bundle: RulesBundle = {
      ...WITH_CREDIT,
      cardTypes: { types: [{ typeId: 'gold', label: '金卡', class: 'personal', creditLimitCents: 80_000 }] },
    };
    expect(creditLimitOf(bundle, member(), card({ cardType: 'gold' }))).toBe(80_000);
    expect(creditLimitOf(bundle, member({ creditLimitCents: 10_000 }), card({ cardType: 'gold' }))).toBe(10_000);
    expect(creditLimitOf(WITH_CREDIT, member(), card())).toBe(0);
    const ledger = new MemberLedger();
    const effect = planPurchase(purchaseTx([line(1, 80_000)], [onCredit(80_000)]), ctxOf(ledger, { bundle, card: card({ cardType: 'gold' }) }));
    expect(posted(effect, 'credit')).toBe(80_000);
  });
});

describe('credit_repay', () => {
  it('by cash takes what is owed down and touches no stored value; by stored value moves principal onto it', () => {
    const ledger = creditLedger();
    ledger.apply(planPurchase(purchaseTx([line(1, 30_000)], [onCredit(30_000)]), ctxOf(ledger)));
    const byCash = planCreditRepay(repayTx(10_000, 'cash'), ctxOf(ledger));
    expect(byCash.postings).toEqual([{ account: 'credit', amount: -10_000 }]);
    ledger.apply(byCash);
    const byValue = planCreditRepay(repayTx(15_000, 'stored_value'), ctxOf(ledger));
    expect(byValue.postings).toEqual([
      { account: 'credit', amount: -15_000 },
      { account: 'stored_value', amount: -15_000 },
    ]);
    ledger.apply(byValue);
    expect(ledger.balances).toMatchObject({ credit: 5_000, stored_value: 5_000 });
    expect(byValue.summary.trace).toEqual(['credit repaid 15000 cents by stored_value; 5000 cents still owed']);
  });

  it('refuses more than is owed, more than the principal covers, cash at an unattended kiosk, and a cashier not signed in', () => {
    const ledger = creditLedger();
    ledger.apply(planPurchase(purchaseTx([line(1, 30_000)], [onCredit(30_000)]), ctxOf(ledger)));
    expectCoded(() => planCreditRepay(repayTx(30_001), ctxOf(ledger)), 'CREDIT_REPAY_TOO_MUCH', { owedCents: 30_000, amountCents: 30_001 });
    expectCoded(() => planCreditRepay(repayTx(20_001, 'stored_value'), ctxOf(ledger)), 'INSUFFICIENT_STORED_VALUE');
    expectCoded(() => planCreditRepay(repayTx(100, 'cash'), ctxOf(ledger, { deviceMode: 'unattended' })), 'TENDER_NOT_ALLOWED');
    expect(posted(planCreditRepay(repayTx(100, 'mobile'), ctxOf(ledger, { deviceMode: 'unattended' })), 'credit')).toBe(-100);
    expectCoded(() => planCreditRepay(repayTx(100), ctxOf(ledger, { staff: null })), 'STAFF_UNAUTHORIZED');
    expect(staff().role).toBe('store_manager');
  });
});

describe('credit_charge (HQ sweep)', () => {
  const ctx = (extra: Record<string, unknown> = {}) => context({ bundle: WITH_CREDIT, member: member(), creditOwedCents: 20_000, ...extra });

  it('adds the late fee and interest to what is owed', () => {
    const effect = planCreditCharge(chargeTx(1_000, 300), ctx());
    expect(effect.postings).toEqual([{ account: 'credit', amount: 1_300 }]);
  });

  it('refuses a fee other than the terms, interest without a rate, nothing, no terms, and a statement charged already', () => {
    expectCoded(() => planCreditCharge(chargeTx(999, 0), ctx()), 'CREDIT_CHARGE_INVALID');
    expectCoded(() => planCreditCharge(chargeTx(0, 300), ctx({ bundle: { ...DEFAULT_RULES_BUNDLE, credit: { lateFeeCents: 1_000 } } })), 'CREDIT_CHARGE_INVALID');
    expectCoded(() => planCreditCharge(chargeTx(0, 0), ctx()), 'CREDIT_CHARGE_INVALID');
    expectCoded(() => planCreditCharge(chargeTx(1_000, 0), ctx({ bundle: DEFAULT_RULES_BUNDLE })), 'CREDIT_NOT_OFFERED');
    expectCoded(() => planCreditCharge(chargeTx(1_000, 300), ctx({ creditStatementCharged: true })), 'CREDIT_CHARGE_INVALID');
  });
});

describe('refund of a credit-paid purchase', () => {
  it('gives the credit share back off what is owed, cumulatively to the cent', () => {
    const ledger = creditLedger();
    const id = ulid(7_001);
    // 3 lines of ¥100, paid ¥200 on credit and ¥100 cash: each line's credit share is 200/3 → 66, 67, 67 cents... in yuan.
    ledger.apply(planPurchase(purchaseTx([line(1, 10_000), line(2, 10_000), line(3, 10_000)], [onCredit(20_000), cash(10_000)], { id }), ctxOf(ledger)));
    expect(ledger.balances.credit).toBe(20_000);
    const shares: number[] = [];
    for (const lineNo of [1, 2, 3]) {
      const refund = planRefund(refundTx(id, [lineNo]), ctxOf(ledger, { purchaseTxId: id }));
      shares.push(-posted(refund, 'credit'));
      ledger.apply(refund);
    }
    expect(shares).toEqual([6_666, 6_667, 6_667]);
    expect(ledger.balances).toMatchObject({ credit: 0, stored_value: 20_000 });
  });

  it('pays to stored value principal what the member already repaid', () => {
    const ledger = creditLedger();
    const id = ulid(7_002);
    ledger.apply(planPurchase(purchaseTx([line(1, 30_000)], [onCredit(30_000)], { id }), ctxOf(ledger)));
    ledger.apply(planCreditRepay(repayTx(25_000, 'cash'), ctxOf(ledger)));
    // 5 000 still owed: the refund's 30 000 credit share clears it and pays the 25 000 repaid into stored value.
    const refund = planRefund(refundTx(id, [1]), ctxOf(ledger, { purchaseTxId: id }));
    expect(posted(refund, 'credit')).toBe(-5_000);
    expect(posted(refund, 'stored_value')).toBe(25_000);
    expect(refund.summary.valueDeltaCents).toBe(25_000);
    ledger.apply(refund);
    expect(ledger.balances).toMatchObject({ credit: 0, stored_value: 45_000 });
  });
});
