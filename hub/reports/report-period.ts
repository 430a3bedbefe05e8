/**
 * A report's period and its buckets, in the chain's time zone (the newest rules bundle's). `from` is the first
 * local day counted, `to` the first day after (2025-11-01 → 2025-12-01 is November); the commission report reads
 * its period here too. A bucket is named by its first local day: a week by its Monday, a month by its 1st, a quarter by
 * its first month's 1st, a year by 1 January.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import { clockFor } from '../../core/rules/local-time.ts';

/** A year and a day: long enough for an annual report, short enough that one request cannot scan for ever. */
export const MAX_REPORT_DAYS = 367;

export const REPORT_GRAINS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type ReportGrain = (typeof REPORT_GRAINS)[number];

export interface ReportPeriod {
  from: string;
  to: string;
  timezone: string;
  /** The period as UTC instants: [fromIso, toIso), compared with the ledger's created_at text. */
  fromIso: string;
  toIso: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function localDay(text: string, what: string): { year: number; month: number; day: number } {
  const match = DAY.exec(text);
  const [year, month, day] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (!match || probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new CodedError('BAD_REQUEST', `${what} is a date YYYY-MM-DD`);
  }
  return { year, month, day };
}

export function reportPeriod(from: string, to: string, timezone: string): ReportPeriod {
  const clock = clockFor(timezone);
  const f = localDay(from, 'from');
  const t = localDay(to, 'to');
  const fromMs = clock.instantOfLocal(f.year, f.month, f.day);
  const toMs = clock.instantOfLocal(t.year, t.month, t.day);
  if (toMs <= fromMs) throw new CodedError('BAD_REQUEST', 'to is a later day than from (the first day after the period)');
  if (toMs - fromMs > MAX_REPORT_DAYS * 86_400_000) throw new CodedError('BAD_REQUEST', `a report covers at most ${MAX_REPORT_DAYS} days`);
  return { from, to, timezone, fromIso: new Date(fromMs).toISOString(), toIso: new Date(toMs).toISOString() };
}

const pad = (n: number) => String(n).padStart(2, '0');
const dayKey = (year: number, month: number, day: number) => `${year}-${pad(month)}-${pad(day)}`;

/** The bucket (its first local day, YYYY-MM-DD) of a local calendar day. */
export function bucketOfDay(year: number, month: number, day: number, grain: ReportGrain): string {
  switch (grain) {
    case 'day':
      return dayKey(year, month, day);
    case 'week': {
      const date = new Date(Date.UTC(year, month - 1, day));
      const back = (date.getUTCDay() + 6) % 7;
      date.setUTCDate(date.getUTCDate() - back);
      return dayKey(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
    }
    case 'month':
      return dayKey(year, month, 1);
    case 'quarter':
      return dayKey(year, Math.floor((month - 1) / 3) * 3 + 1, 1);
    case 'year':
      return dayKey(year, 1, 1);
  }
}

/** Every bucket the period touches, in order (empty ones too: a chart shows the gaps). */
export function bucketsOf(period: ReportPeriod, grain: ReportGrain): string[] {
  const f = localDay(period.from, 'from');
  const t = localDay(period.to, 'to');
  const end = Date.UTC(t.year, t.month - 1, t.day);
  const keys: string[] = [];
  for (let at = Date.UTC(f.year, f.month - 1, f.day); at < end; at += 86_400_000) {
    const date = new Date(at);
    const key = bucketOfDay(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), grain);
    if (keys[keys.length - 1] !== key) keys.push(key);
  }
  return keys;
}

/**
 * How much of a UTC ISO time the SQL groups by before the buckets are made here: the hour when every offset of
 * the zone over the period is a whole number of hours (a year is then at most 8,784 groups), else the minute.
 */
export function sqlTimePrefix(period: ReportPeriod): 13 | 16 {
  const clock = clockFor(period.timezone);
  const from = Date.parse(period.fromIso);
  const to = Date.parse(period.toIso);
  for (let at = from; at <= to; at += 7 * 86_400_000) if (clock.offsetAt(at) % 3_600_000 !== 0) return 16;
  return clock.offsetAt(to) % 3_600_000 === 0 ? 13 : 16;
}

/** The bucket of a UTC time prefix the SQL grouped by ("2025-11-03T16" or "2025-11-03T16:30"). */
export function bucketOfPrefix(prefix: string, timezone: string, grain: ReportGrain): string {
  const iso = prefix.length === 13 ? `${prefix}:00:00Z` : `${prefix}:00Z`;
  const local = clockFor(timezone).fields(Date.parse(iso));
  return bucketOfDay(local.year, local.month, local.day, grain);
}

/** A UTC instant as local wall time "YYYY-MM-DD HH:mm:ss" in the zone (what a spreadsheet shows). */
export function localDateTime(iso: string, timezone: string): string {
  const ms = Date.parse(iso);
  // One ISO rendering of the shifted instant, cut in two: an export calls this for every row.
  const local = new Date(ms + clockFor(timezone).offsetAt(ms)).toISOString();
  return `${local.slice(0, 10)} ${local.slice(11, 19)}`;
}
