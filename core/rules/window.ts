/**
 * Time windows and scopes compiled to integer comparisons against LocalTime, so a transaction-level check is
 * a handful of integer compares, never date formatting.
 */
import type { RuleScope, RuleWindow } from './bundle.ts';
import type { LocalTime } from './local-time.ts';
import type { TransactionFacts } from './compiled-types.ts';

export function compileWindow(window: RuleWindow): (local: LocalTime) => boolean {
  const dateFrom = window.dates ? dateToInt(window.dates.from) : null;
  const dateTo = window.dates ? dateToInt(window.dates.to) : null;
  const monthDayFrom = window.monthDays ? monthDayToInt(window.monthDays.from) : null;
  const monthDayTo = window.monthDays ? monthDayToInt(window.monthDays.to) : null;
  const weekdayMask = window.daysOfWeek ? window.daysOfWeek.reduce((mask, d) => mask | (1 << d), 0) : null;
  const minuteFrom = window.hours ? clockToMinutes(window.hours.from) : null;
  const minuteTo = window.hours ? clockToMinutes(window.hours.to) : null;

  return (local) => {
    if (dateFrom !== null && dateTo !== null && (local.yyyymmdd < dateFrom || local.yyyymmdd > dateTo)) return false;
    if (monthDayFrom !== null && monthDayTo !== null) {
      const md = local.monthDay;
      // A window that wraps the year end (12-30 .. 01-02) matches on either side of New Year.
      const inside = monthDayFrom <= monthDayTo ? md >= monthDayFrom && md <= monthDayTo : md >= monthDayFrom || md <= monthDayTo;
      if (!inside) return false;
    }
    if (weekdayMask !== null && (weekdayMask & (1 << local.isoWeekday)) === 0) return false;
    if (minuteFrom !== null && minuteTo !== null) {
      const m = local.minuteOfDay;
      const inside = minuteFrom < minuteTo ? m >= minuteFrom && m < minuteTo : m >= minuteFrom || m < minuteTo;
      if (!inside) return false;
    }
    return true;
  };
}

export function compileScope(scope: RuleScope): (facts: TransactionFacts) => boolean {
  const stores = scope.stores ? new Set(scope.stores) : null;
  const regions = scope.regions ? new Set(scope.regions) : null;
  if (!stores && !regions) return () => true;
  return (facts) => (stores !== null && stores.has(facts.storeId)) || (regions !== null && facts.regionId !== undefined && regions.has(facts.regionId));
}

export function dateToInt(date: string): number {
  return Number(date.slice(0, 4)) * 10_000 + Number(date.slice(5, 7)) * 100 + Number(date.slice(8, 10));
}

function monthDayToInt(monthDay: string): number {
  return Number(monthDay.slice(0, 2)) * 100 + Number(monthDay.slice(3, 5));
}

function clockToMinutes(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}
