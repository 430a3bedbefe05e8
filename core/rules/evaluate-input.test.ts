/**
 * `rules eval` for every kind the engine decides: each example input of core/rules/examples/baskets/ evaluated
 * as the CLI does (parseEvaluationInput → evaluateInput), with the numbers docs/RULES.md gives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVALUATION_KINDS, parseEvaluationInput } from './context-schema.ts';
import { evaluateInput, type InputEvaluation } from './evaluate-input.ts';
import { example } from './test-support/fixtures.ts';

function evaluateExample(basket: string, bundle = 'chain-demo'): InputEvaluation {
  const json: unknown = JSON.parse(readFileSync(new URL(`./examples/baskets/${basket}.json`, import.meta.url), 'utf8'));
  const parsed = parseEvaluationInput(json);
  if (!parsed.ok) throw new Error(`${basket}: ${JSON.stringify(parsed.issues)}`);
  return evaluateInput(example(bundle), parsed.input);
}

describe('rules eval, one example per kind', () => {
  it('purchase: the gold Christmas basket (rounded once per purchase: 1,408 points)', () => {
    const { kind, result } = evaluateExample('gold-christmas');
    expect(kind).toBe('purchase');
    expect(result).toMatchObject({ pointsEarned: 1408, tierAfter: 'diamond', lines: [{ points: 316 }, { points: 1092 }] });
  });

  it('top-up: 1,000 yuan → 120.00 bonus value', () => {
    expect(evaluateExample('top-up')).toMatchObject({ kind: 'top_up', result: { bonusValueCents: 12_000 }, receipt: ['deposit bonus  +120.00'], receiptZh: ['充值赠送  +¥120.00'] });
  });

  it('registration: welcome +200, referrers B +100 and A +50', () => {
    const { result } = evaluateExample('registration');
    expect(result).toMatchObject({ tier: 'standard', points: 200, referralAwards: [{ memberId: 'B', points: 100 }, { memberId: 'A', points: 50 }] });
  });

  it('paid upgrade: silver → gold for 1,000 points (the seeds: "upgrading a silver card member to a gold card member costs 1000 points")', () => {
    expect(evaluateExample('paid-upgrade')).toMatchObject({ kind: 'paid_upgrade', result: { tierBefore: 'silver', tierAfter: 'gold', points: 1000 } });
  });

  it('gift redemption: 2 mugs at 1,200 = 2,400 points', () => {
    expect(evaluateExample('redeem-gift')).toMatchObject({ kind: 'redeem_gift', result: { points: 2400 }, receipt: ['2 × Mug  -2400 pts'] });
  });

  it('tier review: under yearly re-evaluation a gold member who earned 1,500 in the year becomes silver', () => {
    expect(evaluateExample('tier-review', 'tiers')).toMatchObject({ kind: 'tier_review', result: { tierBefore: 'gold', tierAfter: 'silver', changed: true } });
    // Under chain-demo (downgrade never) a review only applies the thresholds to the lifetime figure: 9,000 → diamond.
    expect(evaluateExample('tier-review')).toMatchObject({ result: { tierAfter: 'diamond', changed: true } });
  });

  it('tier credit: a referrer at 941 + 100 referral points = 1,041 with silver from 1,000 → silver', () => {
    expect(evaluateExample('tier-credit-referral')).toMatchObject({ kind: 'tier_credit', result: { countedPoints: 100, tierAfter: 'silver' }, receipt: ['referral counts towards tier  +100 pts', 'upgrade to silver'], receiptZh: ['推荐积分计入等级  +100积分', '升级为银卡'] });
  });

  it('event bonus: the spring fair +50', () => {
    expect(evaluateExample('event-bonus')).toMatchObject({ kind: 'event_bonus', result: { points: 50 } });
  });

  it('manual bonus: +300 for a complaint', () => {
    expect(evaluateExample('manual-bonus')).toMatchObject({ kind: 'manual_bonus', result: { points: 300 }, receipt: ['manual: complaint  +300 pts'] });
  });

  it('refund: ten 1-yuan items at gold earned 15 (2 on lines 1–5, 1 on 6–10); lines 1 and 6 give back 2 + 1 points and 2.00', () => {
    const answer = evaluateExample('refund');
    expect(answer.purchase?.pointsEarned).toBe(15);
    expect(answer).toMatchObject({ kind: 'refund', result: { pointsToTakeBack: 3, moneyCents: 200 }, receipt: ['refund line 1  -1.00  -2 pts', 'refund line 6  -1.00  -1 pts'] });
  });

  it('card use: 7 visits left → 6', () => {
    expect(evaluateExample('card-use')).toMatchObject({ kind: 'card_use', result: { punchesLeftAfter: 6 } });
  });

  it('points rebate (积分返点): a gold member at 7,450 points converts 7,000 at 0.012 → 84.00 bonus value', () => {
    expect(evaluateExample('points-rebate', 'points-rebate')).toMatchObject({
      kind: 'points_rebate',
      result: { points: 7_000, valueCents: 8_400, gifts: [] },
      receipt: ['points rebate 7000 pts × 0.012  +84.00  -7000 pts'],
    });
  });

  it('has an example for every kind', () => {
    const bundleOf: Record<string, string> = { 'tier-review': 'tiers', 'points-rebate': 'points-rebate' };
    const kinds = ['gold-christmas', 'top-up', 'registration', 'paid-upgrade', 'redeem-gift', 'tier-review', 'tier-credit-referral', 'event-bonus', 'manual-bonus', 'refund', 'card-use', 'points-rebate'].map(
      (name) => evaluateExample(name, bundleOf[name] ?? 'chain-demo').kind,
    );
    expect([...kinds].sort()).toEqual([...EVALUATION_KINDS].sort());
  });
});
