import { describe, expect, it } from 'vitest';
import { LocalClock } from './local-time.ts';
import { compileWindow } from './window.ts';
import { compileBundle } from './compile.ts';
import { pointsExpiry } from './expiry.ts';
import { parseRulesBundle } from './parse.ts';
import { DEFAULT_RULES_BUNDLE } from './default-bundle.ts';

describe('local time and windows', () => {
  it('gives Shanghai fields for a UTC instant', () => {
    const local = new LocalClock('Asia/Shanghai').at('2024-12-23T17:00:00Z');
    expect(local).toMatchObject({ yyyymmdd: 20241224, monthDay: 1224, isoWeekday: 2, minuteOfDay: 60 });
  });

  it('follows daylight saving time where a zone has it (New York, March 2025)', () => {
    const clock = new LocalClock('America/New_York');
    expect(clock.at('2025-03-09T06:30:00Z').minuteOfDay).toBe(90); // 01:30 EST
    expect(clock.at('2025-03-09T07:30:00Z').minuteOfDay).toBe(3 * 60 + 30); // 03:30 EDT
    const bundle = parseRulesBundle({ version: 1, timezone: 'America/New_York', points: { expiry: { kind: 'end_of_month' } }, rules: [] });
    expect(pointsExpiry(bundle, '2025-03-09T12:00:00Z')).toBe('2025-04-01T03:59:59.999Z');
  });

  it('hour windows may wrap midnight and month-day windows the year end', () => {
    const clock = new LocalClock('Asia/Shanghai');
    const night = compileWindow({ hours: { from: '22:00', to: '02:00' } });
    expect(night(clock.at('2025-01-10T23:00:00+08:00'))).toBe(true);
    expect(night(clock.at('2025-01-10T01:59:00+08:00'))).toBe(true);
    expect(night(clock.at('2025-01-10T02:00:00+08:00'))).toBe(false);
    const newYear = compileWindow({ monthDays: { from: '12-30', to: '01-02' } });
    expect(newYear(clock.at('2024-12-31T12:00:00+08:00'))).toBe(true);
    expect(newYear(clock.at('2025-01-02T12:00:00+08:00'))).toBe(true);
    expect(newYear(clock.at('2025-01-03T12:00:00+08:00'))).toBe(false);
  });

  it('compiles a bundle once per object', () => {
    expect(compileBundle(DEFAULT_RULES_BUNDLE)).toBe(compileBundle(DEFAULT_RULES_BUNDLE));
    expect(compileBundle(structuredClone(DEFAULT_RULES_BUNDLE))).not.toBe(compileBundle(DEFAULT_RULES_BUNDLE));
  });

  it('refuses a time that is not ISO-8601', () => {
    expect(() => new LocalClock('Asia/Shanghai').at('yesterday')).toThrow(/not an ISO-8601 time/);
  });
});
