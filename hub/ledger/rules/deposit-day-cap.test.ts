/**
 * docs/RULES.md "Deposit bonus as a ratio (赠款比例)", its per-day cap through the real SQLite ledger: the write port
 * reads what the member got on the top-up's local day (member_daily_deposit_bonus), the engine caps by it, and the
 * effect adds what this top-up gave. Journal audit after each.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { example } from '../../../core/rules/test-support/fixtures.ts';
import type { StaffActor } from '../../../core/wire/transaction.ts';
import { kioskStaffActor } from '../../testing/staff-actor.ts';
import { openRulesLedger, RULES_KIOSK, type RulesLedger } from '../../testing/rules-ledger.ts';

/** 10:00, 23:30 on 2026-11-20 and 00:30 on 2026-11-21, Shanghai time (the bundle's default zone). */
const MORNING = '2026-11-20T02:00:00.000Z';
const LATE_EVENING = '2026-11-20T15:30:00.000Z';
const NEXT_NIGHT = '2026-11-20T16:30:00.000Z';

describe('deposit_ratio capPerDayCents through the ledger (deposit-ratio.json: cap 500.00 per top-up, 600.00 per day)', () => {
  let env: RulesLedger;
  let actor: StaffActor | null = null;

  // The hub's clock is set to a minute after each top-up (only Date is faked): the top-ups are dated on chosen
  // local days, and the staff session they name must be open then.
  const hubClockAt = (iso: string) => vi.setSystemTime(Date.parse(iso) + 60_000);

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    hubClockAt('2026-11-20T01:00:00.000Z');
    env = await openRulesLedger(example('deposit-ratio'));
  });

  afterEach(async () => {
    expect(await env.ledger.audit()).toEqual([]);
    await env.close();
    vi.useRealTimers();
  });

  const topUp = async (cardUid: string, amountCents: number, at: string) => {
    // A kiosk session opened just before (a session is short-lived: a new one for each top-up).
    vi.setSystemTime(Date.parse(at) - 1_000);
    actor = await kioskStaffActor(env.ledger, RULES_KIOSK);
    hubClockAt(at);
    return env.kiosk({ kind: 'top_up', cardUid, amountCents, tender: 'cash', actor }, at);
  };
  const bonusOf = async (memberId: string) => (await env.ledger.member(memberId))!.bonusValueCents;

  it('5,000 yuan pays 500.00, a second 5,000 yuan that local day 100.00, and the next local day 500.00 again', async () => {
    const card = await env.freshMember('D1', 'standard');
    const first = await topUp(card, 500_000, MORNING);
    expect(first.status).toBe('applied');
    expect(first.outcome?.trace).toEqual(['赠款 ×0.15 (capped): 50000']);
    expect(await bonusOf('D1')).toBe(50_000);

    const second = await topUp(card, 500_000, LATE_EVENING);
    expect(second.outcome?.trace).toEqual(['赠款 ×0.15 (capped) (daily cap): 10000']);
    expect(await bonusOf('D1')).toBe(60_000);

    // The day's cap is spent: a third top-up that day gets nothing.
    const third = await topUp(card, 10_000, LATE_EVENING);
    expect(third.status).toBe('applied');
    expect(third.outcome?.valueDeltaCents).toBe(10_000);
    expect(await bonusOf('D1')).toBe(60_000);

    const nextDay = await topUp(card, 500_000, NEXT_NIGHT);
    expect(nextDay.outcome?.trace).toEqual(['赠款 ×0.15 (capped): 50000']);
    expect(await bonusOf('D1')).toBe(110_000);
  });

  it('the cap is per member: another member tops up the full bonus the same day', async () => {
    const first = await env.freshMember('D2', 'standard');
    const other = await env.freshMember('D3', 'standard');
    await topUp(first, 500_000, MORNING);
    await topUp(first, 500_000, MORNING);
    expect(await bonusOf('D2')).toBe(60_000);
    expect((await topUp(other, 500_000, MORNING)).outcome?.valueDeltaCents).toBe(550_000);
  });
});
