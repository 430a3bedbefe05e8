/**
 * One documented code per refusal: the Refusals table of docs/RULES.md, the error registry and the engine's
 * sources agree, and an input for each row is refused with that row's code (through evaluateInput, as
 * `memberkiosk rules eval` evaluates).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isCodedError } from '../errors/coded-error.ts';
import { ERROR_CODES } from '../errors/codes.ts';
import type { RulesBundle } from './bundle.ts';
import { parseEvaluationInput } from './context-schema.ts';
import { evaluateInput } from './evaluate-input.ts';
import { evaluatePurchase } from './evaluate-purchase.ts';
import { evaluateTierCredit } from './tiers.ts';
import type { PurchaseContext } from './types.ts';
import { parseRulesBundle } from './parse.ts';
import { example } from './test-support/fixtures.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const RULES_MD = readFileSync(join(ROOT, 'docs/RULES.md'), 'utf8');

/** The rows of the Refusals table: [evaluation, refusal, code]. */
function documentedRefusals(): { evaluation: string; refusal: string; code: string }[] {
  const start = RULES_MD.indexOf('<!-- refusals:start -->');
  const end = RULES_MD.indexOf('<!-- refusals:end -->');
  expect(start).toBeGreaterThan(0);
  const rows = RULES_MD.slice(start, end).split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| evaluation'));
  return rows.map((row) => {
    const cells = row.split(' | ').map((c) => c.replace(/^\|\s*|\s*\|$/g, '').trim());
    return { evaluation: cells[0]!, refusal: cells[1]!, code: cells[2]!.replace(/`/g, '') };
  });
}

/** Every code the engine's own sources throw (core/rules, tests and test support left out). */
function codesThrownByTheEngine(): Set<string> {
  const dir = join(ROOT, 'core/rules');
  const codes = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts') || entry.endsWith('.test.ts') || entry.startsWith('test-support')) continue;
    const text = readFileSync(join(dir, entry), 'utf8');
    for (const match of text.matchAll(/CodedError\(\s*'([A-Z][A-Z0-9_]+)'/g)) codes.add(match[1]!);
  }
  // The CLI's own refusals of its input (scripts/commands/rules.ts): an invalid bundle or input.
  codes.add('RULES_INVALID');
  codes.add('TX_INVALID');
  return codes;
}

/** The codes of the registry's "rules" section (core/errors/codes.ts, from `// rules` to the next comment). */
function registryRulesSection(): string[] {
  const text = readFileSync(join(ROOT, 'core/errors/codes.ts'), 'utf8');
  const from = text.indexOf('  // rules\n');
  const to = text.indexOf('\n  //', from + 1);
  return [...text.slice(from, to).matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]!);
}

describe('rule refusals: docs/RULES.md, the registry and the engine agree', () => {
  const rows = documentedRefusals();
  const documented = new Set(rows.map((r) => r.code));

  it('every code the table names is in the registry', () => {
    expect(rows.length).toBeGreaterThan(15);
    for (const row of rows) expect(Object.hasOwn(ERROR_CODES, row.code), `${row.code} (${row.refusal})`).toBe(true);
  });

  it('every code the engine throws is in the table, and the table names no code the engine never throws', () => {
    expect([...codesThrownByTheEngine()].sort()).toEqual([...documented].sort());
  });

  it("every code of the registry's rules section is documented in RULES.md", () => {
    const section = registryRulesSection();
    expect(section).toContain('POINTS_PAYMENT_NOT_ALLOWED');
    for (const code of section) expect(RULES_MD, code).toContain(`\`${code}\``);
  });
});

describe('each refusal, through rules eval', () => {
  const chain = example('chain-demo');
  const withoutPointsPayment = (() => {
    const { pointsPayment: _none, ...rest } = chain;
    return parseRulesBundle(rest);
  })();
  const member = { memberId: 'M-1', tier: 'silver', cumulativeSpendCents: 0, cumulativePointsEarned: 0 };
  const basket = (extra: Record<string, unknown> = {}, lineExtra: Record<string, unknown> = {}) => ({
    at: '2025-03-01T10:00:00+08:00',
    storeId: 'S1',
    member,
    lines: [{ lineNo: 1, sku: 'TEA', category: 'A', qty: 1, unitPriceCents: 20_000, ...lineExtra }],
    payments: [{ method: 'cash', amountCents: 20_000 }],
    ...extra,
  });
  const cases: { code: string; input: unknown; bundle?: RulesBundle; direct?: () => unknown }[] = [
    // The input schema refuses a zero quantity before the engine does: TX_INVALID either way.
    { code: 'TX_INVALID', input: basket({}, { qty: 0 }) },
    { code: 'TX_INVALID', input: basket({}, { qty: 0 }), direct: () => evaluatePurchase(chain, basket({}, { qty: 0 }) as unknown as PurchaseContext) },
    { code: 'TX_INVALID', input: { kind: 'tier_review', member: { ...member, tier: 'gold' }, mode: 'period_end' }, bundle: example('tiers') },
    // Whole numbers are the input schema's job too; called directly, the engine refuses them itself.
    { code: 'MONEY_NOT_INTEGER', input: null, direct: () => evaluateTierCredit(chain, { member, source: 'referral', points: 1.5 }) },
    { code: 'MONEY_NOT_INTEGER', input: null, direct: () => evaluatePurchase(chain, basket({}, { unitPriceCents: 99.5 }) as unknown as PurchaseContext) },
    { code: 'MONEY_OVERFLOW', input: basket({}, { qty: 2 ** 40, unitPriceCents: 2 ** 40 }) },
    { code: 'POINTS_PAYMENT_NOT_ALLOWED', input: basket({ payments: [{ method: 'points', points: 1_000 }, { method: 'cash', amountCents: 19_000 }] }), bundle: withoutPointsPayment },
    {
      code: 'POINTS_PAYMENT_UNDER_MIN_BALANCE',
      input: basket({ member: { ...member, pointsBalance: 999 }, payments: [{ method: 'points', points: 1_000 }, { method: 'cash', amountCents: 19_000 }] }),
      bundle: parseRulesBundle({ ...chain, pointsPayment: { ...chain.pointsPayment, minBalance: 5_000 } }),
    },
    { code: 'POINTS_PAYMENT_UNDER_MINIMUM', input: basket({ payments: [{ method: 'points', points: 400 }, { method: 'cash', amountCents: 19_600 }] }) },
    { code: 'POINTS_PAYMENT_NOT_WHOLE_CENTS', input: basket({ payments: [{ method: 'points', points: 1_000 }] }), bundle: parseRulesBundle({ ...chain, pointsPayment: { pointsPerYuan: 300 } }) },
    { code: 'POINTS_PAYMENT_OVER_SHARE', input: basket({ payments: [{ method: 'points', points: 12_000 }, { method: 'cash', amountCents: 8_000 }] }) },
    { code: 'AMOUNT_NOT_POSITIVE', input: { kind: 'manual_bonus', at: '2025-03-01T10:00:00+08:00', points: 0, reason: 'complaint' } },
    { code: 'AMOUNT_NOT_POSITIVE', input: { kind: 'redeem_gift', giftId: 'mug', qty: 0, pointsBalance: 5_000 } },
    { code: 'GIFT_UNKNOWN', input: { kind: 'redeem_gift', giftId: 'yacht', qty: 1, pointsBalance: 5_000 } },
    { code: 'GIFT_OUT_OF_STOCK', input: { kind: 'redeem_gift', giftId: 'mug', qty: 2, pointsBalance: 5_000, stockLeft: 1 } },
    { code: 'INSUFFICIENT_POINTS', input: { kind: 'redeem_gift', giftId: 'mug', qty: 1, pointsBalance: 1_199 } },
    { code: 'INSUFFICIENT_POINTS', input: { kind: 'paid_upgrade', member, pointsBalance: 999, targetTier: 'gold' } },
    { code: 'PAID_UPGRADE_UNKNOWN', input: { kind: 'paid_upgrade', member, pointsBalance: 99_999, targetTier: 'diamond' } },
    { code: 'MANUAL_BONUS_REFUSED', input: { kind: 'manual_bonus', at: '2025-03-01T10:00:00+08:00', points: 100, reason: ' ' } },
    { code: 'MANUAL_BONUS_OVER_MAX', input: { kind: 'manual_bonus', at: '2025-03-01T10:00:00+08:00', points: 5_001, reason: 'complaint' } },
    { code: 'MANUAL_BONUS_REASON_NOT_ALLOWED', input: { kind: 'manual_bonus', at: '2025-03-01T10:00:00+08:00', points: 100, reason: 'because' } },
    { code: 'REFUND_BAD_LINES', input: { kind: 'refund', purchase: basket(), lineNos: [2] } },
    { code: 'CARD_EXPIRED', input: { kind: 'card_use', at: '2025-03-01T10:00:00+08:00', serviceId: 'car-wash', punchesLeft: 3, validUntil: '2025-02-28T15:59:59.999Z' } },
    { code: 'PUNCH_CARD_EXHAUSTED', input: { kind: 'card_use', at: '2025-03-01T10:00:00+08:00', serviceId: 'car-wash', punchesLeft: 0, validUntil: null } },
  ];

  /** What `rules eval` answers: TX_INVALID for an input that does not parse, else the engine's code. */
  const refusalOf = (run: () => unknown): unknown => {
    try {
      run();
    } catch (error) {
      return isCodedError(error) ? error.code : error;
    }
    return null;
  };

  cases.forEach(({ code, input, bundle, direct }, i) => {
    it(`${code} (${i}): ${direct ? 'the engine called directly' : JSON.stringify(input).slice(0, 90)}`, () => {
      if (direct) {
        expect(refusalOf(direct)).toBe(code);
        return;
      }
      const parsed = parseEvaluationInput(input);
      expect(parsed.ok ? refusalOf(() => evaluateInput(bundle ?? chain, parsed.input)) : 'TX_INVALID').toBe(code);
    });
  });

  it('an input that does not parse, or names no kind the engine has, is TX_INVALID; a bad bundle RULES_INVALID', () => {
    expect(parseEvaluationInput({ kind: 'lottery' })).toMatchObject({ ok: false, issues: [{ path: 'kind', reason: expect.stringContaining('unknown kind') }] });
    expect(parseEvaluationInput({ kind: 'redeem_gift', giftId: 'mug' })).toMatchObject({ ok: false });
    expect(() => parseRulesBundle({ version: 0, rules: [] })).toThrow(expect.objectContaining({ code: 'RULES_INVALID' }));
  });

  it('covers every row of the table', () => {
    const covered = new Set([...cases.map((c) => c.code), 'RULES_INVALID']);
    expect([...covered].sort()).toEqual([...new Set(documentedRefusals().map((r) => r.code))].sort());
  });
});
