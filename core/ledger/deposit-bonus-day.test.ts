/**
 * deposit_ratio capPerDayCents in planTopUp: the bonus the member already got on the local day caps this one, and
 * the effect says what this top-up adds to the day. Through the real ledger: hub/ledger/rules/deposit-day-cap.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../rules/default-bundle.ts';
import { example } from '../rules/test-support/fixtures.ts';
import { depositBonusDay } from './deposit-bonus-day.ts';
import { planTopUp } from './plan-top-up.ts';
import { bundleWithDepositBonus, context, posted, staff, topUpTx, ulid } from './test-support/builders.ts';

const RATIO = example('deposit-ratio');

describe('depositBonusDay', () => {
  it('is the local day (Shanghai by default) under a per-day cap: 23:30 and 00:30 local fall on two days', () => {
    expect(depositBonusDay(RATIO, '2026-11-20T15:30:00.000Z')).toBe(20261120);
    expect(depositBonusDay(RATIO, '2026-11-20T16:30:00.000Z')).toBe(20261121);
  });

  it('is null without a per-day cap: fixed bands, or a ratio capped only per top-up', () => {
    expect(depositBonusDay(bundleWithDepositBonus(), '2026-11-20T02:00:00.000Z')).toBeNull();
    const perTopUpOnly = { ...RATIO, rules: RATIO.rules.map((r) => (r.kind === 'deposit_ratio' ? { ...r, capPerDayCents: undefined } : r)) };
    expect(depositBonusDay(perTopUpOnly, '2026-11-20T02:00:00.000Z')).toBeNull();
    expect(depositBonusDay(DEFAULT_RULES_BUNDLE, '2026-11-20T02:00:00.000Z')).toBeNull();
  });
});

describe('planTopUp under a per-day cap (600.00)', () => {
  const topUp = (amountCents: number, bonusToday: number | null) =>
    planTopUp(
      topUpTx(amountCents, { id: ulid(801) }),
      context({ bundle: RATIO, staff: staff({ role: 'cashier' }), ...(bonusToday === null ? {} : { depositBonusToday: { day: 20261120, cents: bonusToday } }) }),
    );

  it('500.00 already today leaves 100.00 of a 500.00 bonus; the effect adds 100.00 to the day', () => {
    const effect = topUp(500_000, 50_000);
    expect(posted(effect, 'bonus_value')).toBe(10_000);
    expect(effect.dailyDepositBonus).toEqual({ day: 20261120, cents: 10_000 });
  });

  it('a spent day pays nothing and records nothing; without the context (no cap read) nothing is recorded', () => {
    const spent = topUp(500_000, 60_000);
    expect(posted(spent, 'bonus_value')).toBe(0);
    expect(spent.dailyDepositBonus).toBeUndefined();
    const unread = topUp(500_000, null);
    expect(posted(unread, 'bonus_value')).toBe(50_000);
    expect(unread.dailyDepositBonus).toBeUndefined();
  });
});
