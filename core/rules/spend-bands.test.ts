import { describe, expect, it } from 'vitest';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { parseRulesBundle } from './parse.ts';
import type { RulesBundle } from './bundle.ts';
import { example, line, purchase } from './test-support/fixtures.ts';

describe('spend bands: 0–1000 yuan 1 pt/yuan, 1001–5000 1.5, 5001+ 2', () => {
  it('whole amount (the default): the band the transaction ends in sets the rate for all of it', () => {
    const bundle = example('spend-bands');
    expect(evaluatePurchase(bundle, purchase([line(1, 800)])).pointsEarned).toBe(800);
    expect(evaluatePurchase(bundle, purchase([line(1, 1000)])).pointsEarned).toBe(1000);
    expect(evaluatePurchase(bundle, purchase([line(1, 2000), line(2, 1000)])).pointsEarned).toBe(4500);
    expect(evaluatePurchase(bundle, purchase([line(1, 8000)])).pointsEarned).toBe(16000);
  });

  it('marginal: the first 1000 yuan at 1, the next 4000 at 1.5, the rest at 2', () => {
    const bundle = example('spend-bands-marginal');
    expect(evaluatePurchase(bundle, purchase([line(1, 3000)])).pointsEarned).toBe(4000);
    expect(evaluatePurchase(bundle, purchase([line(1, 8000)])).pointsEarned).toBe(13000);
    const split = evaluatePurchase(bundle, purchase([line(1, 2000), line(2, 1000)]));
    expect(split.pointsEarned).toBe(4000);
    expect(split.lines.map((l) => l.points)).toEqual([2667, 1333]);
  });

  it("cumulative basis: the member's lifetime spend including this purchase picks the band", () => {
    const bundle = example('spend-bands-cumulative');
    const newcomer = evaluatePurchase(bundle, purchase([line(1, 500)]));
    expect(newcomer.pointsEarned).toBe(500);
    const regular = evaluatePurchase(bundle, purchase([line(1, 1000)], { member: { cumulativeSpendCents: 450_000 } }));
    expect(regular.pointsEarned).toBe(2000);
    expect(regular.trace[0]?.label).toBe('cumulative band 2 pt/yuan');
  });
});

describe('which amount picks the band (bandAmount): the seeds describe bands by the consumption amount', () => {
  // 0–1000 yuan 1 pt/yuan, 1001–5000 1.5, 5001+ 2; stored value earns at 0.5; 100 points = 1 yuan, earning nothing.
  const byBill = example('spend-bands-by-amount');
  const withAmount = (bandAmount: 'bill' | 'paid' | 'earning', changes: Partial<RulesBundle> = {}): RulesBundle =>
    parseRulesBundle({ ...byBill, ...changes, rules: byBill.rules.map((r) => (r.kind === 'spend_bands' ? { ...r, bandAmount } : r)) });
  const storedValue = (yuan: number) => ({ method: 'stored_value' as const, amountCents: yuan * 100 });

  it('1,500 yuan paid with stored value at earn factor 0.5 falls in the 1,001–5,000 band by bill amount (issue 11)', () => {
    const basket = purchase([line(1, 1500)], { payments: [storedValue(1500)] });
    const bill = evaluatePurchase(byBill, basket);
    // The band's rate (1.5) applies to what earns: 1,500 × 0.5 = 750 yuan → 1,125 points.
    expect(bill.lines[0]?.earningCents).toBe(75_000);
    expect(bill.pointsEarned).toBe(1125);
    expect(bill.trace[0]?.label).toBe('spend band 1.5 pt/yuan');
    // The same purchase in cash: 1,500 × 1.5 = 2,250.
    expect(evaluatePurchase(byBill, purchase([line(1, 1500)], { payments: [{ method: 'cash', amountCents: 150_000 }] })).pointsEarned).toBe(2250);
    // Picked on the earning amount (750 yuan) it would fall in 0–1,000: 750 points — what format 1 bundles do.
    expect(evaluatePurchase(withAmount('earning'), basket).pointsEarned).toBe(750);
    const { format: _format, ...formatOne } = byBill;
    const oldRules = parseRulesBundle({ ...formatOne, rules: byBill.rules.map((r) => (r.kind === 'spend_bands' ? { ...r, bandAmount: undefined } : r)) });
    expect(evaluatePurchase(oldRules, basket).pointsEarned).toBe(750);
  });

  it('a 6,000-yuan bill, 4,000 yuan of it paid with 400,000 points and 2,000 with stored value: bill 2 pt/yuan, paid 1.5, earning 1', () => {
    // Earning amount: (6,000 − 4,000 points part) × 0.5 = 1,000 yuan; money paid: 2,000 yuan; bill: 6,000 yuan.
    const basket = purchase([line(1, 6000)], { payments: [{ method: 'points', points: 400_000 }, storedValue(2000)] });
    expect(evaluatePurchase(withAmount('bill'), basket).pointsEarned).toBe(2000);
    expect(evaluatePurchase(withAmount('paid'), basket).pointsEarned).toBe(1500);
    expect(evaluatePurchase(withAmount('earning'), basket).pointsEarned).toBe(1000);
  });

  it('marginal bands price the band amount and earn on the earning amount at that average rate', () => {
    const marginal = (bandAmount: 'bill' | 'earning') => parseRulesBundle({ ...withAmount(bandAmount), rules: withAmount(bandAmount).rules.map((r) => (r.kind === 'spend_bands' ? { ...r, mode: 'marginal' } : r)) });
    const basket = purchase([line(1, 2000), line(2, 1000)], { payments: [storedValue(3000)] });
    // Bill 3,000 yuan: 1,000 × 1 + 2,000 × 1.5 = 4,000 points for 3,000 yuan; 1,500 yuan earn → 2,000, shared 2:1.
    const bill = evaluatePurchase(marginal('bill'), basket);
    expect(bill.pointsEarned).toBe(2000);
    expect(bill.lines.map((l) => l.points)).toEqual([1333, 667]);
    // On the earning amount (1,500 yuan): 1,000 × 1 + 500 × 1.5 = 1,750.
    expect(evaluatePurchase(marginal('earning'), basket).pointsEarned).toBe(1750);
  });
});
