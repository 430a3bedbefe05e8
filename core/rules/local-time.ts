/**
 * Local calendar fields of an instant in the bundle's timezone, computed once per evaluation.
 *
 * Intl formatting costs microseconds, so the UTC offset is cached per 15-minute slot: every timezone
 * transition in the IANA database falls on a quarter hour, so the offset is constant inside a slot.
 * The offset, not the fields, is cached, so the same instant always gives the same fields (device = hub).
 */
import { CodedError } from '../errors/coded-error.ts';

export interface LocalTime {
  epochMs: number;
  /** e.g. 20241224 */
  yyyymmdd: number;
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  /** month × 100 + day, e.g. 1224: compares with MM-DD windows. */
  monthDay: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  isoWeekday: number;
  /** Minutes since local midnight. */
  minuteOfDay: number;
  /** Offset from UTC in ms at this instant (local = utc + offset). */
  offsetMs: number;
}

const SLOT_MS = 15 * 60_000;
const MAX_CACHED_SLOTS = 4096;

export class LocalClock {
  private readonly format: Intl.DateTimeFormat;
  private readonly offsetBySlot = new Map<number, number>();
  /** The last instant parsed: a kiosk evaluates the same basket time several times (screen, receipt, tx). */
  private lastIso = '';
  private lastLocal: LocalTime | null = null;

  constructor(readonly timezone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Parses an ISO-8601 instant and returns its local fields. Throws on a string that is not an instant. */
  at(iso: string): LocalTime {
    if (iso === this.lastIso && this.lastLocal !== null) return this.lastLocal;
    const epochMs = Date.parse(iso);
    if (Number.isNaN(epochMs)) throw new CodedError('TX_INVALID', `not an ISO-8601 time: '${String(iso)}'`);
    const local = Object.freeze(this.fields(epochMs));
    this.lastIso = iso;
    this.lastLocal = local;
    return local;
  }

  fields(epochMs: number): LocalTime {
    const offsetMs = this.offsetAt(epochMs);
    const local = new Date(epochMs + offsetMs);
    const year = local.getUTCFullYear();
    const month = local.getUTCMonth() + 1;
    const day = local.getUTCDate();
    const weekday = local.getUTCDay();
    return {
      epochMs,
      yyyymmdd: year * 10_000 + month * 100 + day,
      year,
      month,
      day,
      monthDay: month * 100 + day,
      isoWeekday: weekday === 0 ? 7 : weekday,
      minuteOfDay: local.getUTCHours() * 60 + local.getUTCMinutes(),
      offsetMs,
    };
  }

  /** The UTC instant (ms) of a local wall-clock time, e.g. the first moment of a local day. */
  instantOfLocal(year: number, month: number, day: number, hour = 0, minute = 0): number {
    const wall = Date.UTC(year, month - 1, day, hour, minute);
    // Two passes settle the offset across a transition (the wall time's offset may differ from a guess's).
    let guess = wall - this.offsetAt(wall);
    guess = wall - this.offsetAt(guess);
    return guess;
  }

  offsetAt(epochMs: number): number {
    const slot = Math.floor(epochMs / SLOT_MS);
    const cached = this.offsetBySlot.get(slot);
    if (cached !== undefined) return cached;
    const offset = this.computeOffset(slot * SLOT_MS);
    if (this.offsetBySlot.size >= MAX_CACHED_SLOTS) this.offsetBySlot.clear();
    this.offsetBySlot.set(slot, offset);
    return offset;
  }

  private computeOffset(epochMs: number): number {
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(new Date(epochMs))) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const wallAsUtc = Date.UTC(parts.year ?? 1970, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
    return wallAsUtc - epochMs;
  }
}

const clocks = new Map<string, LocalClock>();

/** One clock (and offset cache) per timezone, shared by every compiled bundle. */
export function clockFor(timezone: string): LocalClock {
  let clock = clocks.get(timezone);
  if (!clock) {
    clock = new LocalClock(timezone);
    clocks.set(timezone, clock);
  }
  return clock;
}
