/**
 * `member.get` and `member.segment`: what a flow may read of members. A flow sees MemberSummary only — no phone,
 * no card number (messages are addressed by member id and the hub finds the phone) — and never an erased member.
 *
 * This module owns the meaning of "today": the chain's calendar day in its time zone (the newest rules bundle's),
 * turned here into plain values the read port matches with its indexes — month-days for birthdays, UTC ranges of
 * that local day in every earlier year for anniversaries, a cut-off instant for inactivity. The port
 * (AutomationReads; SQLite: hub/ledger/sqlite/automation-reads.ts) knows no time zone.
 *
 * Seen: a member's newest applied transaction made at a kiosk. HQ's own transactions about a member (points expiry,
 * tier reviews, a flow's birthday bonus, console corrections) are not the member coming by, and must not make a
 * churned member look active.
 */
import { z } from 'zod';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { normalizePhone } from '../../core/members-import/validate-member-rows.ts';
import { clockFor } from '../../core/rules/local-time.ts';
import { CONSENT_PURPOSE_RECORDED } from '../ledger/sqlite/registration-consents.ts';
import { SEGMENTS, type MemberGetValue, type MemberSegmentValue, type MemberSummary } from '../../flows/runtime/protocol.ts';

/** The consent purpose "marketing" means for a flow's messages (SMS): the one a kiosk's registration records ('marketing_sms'). */
export const MARKETING_CONSENT_PURPOSE = CONSENT_PURPOSE_RECORDED.marketing;
export const MAX_SEGMENT = 5_000;
export const DEFAULT_SEGMENT = 1_000;
/** The earliest year an anniversary is looked for: no chain's members joined before it. */
const FIRST_JOIN_YEAR = 1970;
const DAY_MS = 86_400_000;

/** A UTC range [fromIso, toIso) of instants. */
export interface InstantRange {
  fromIso: string;
  toIso: string;
}

/** What the port is asked: which members (one way of choosing), filtered, in member id order, at most `limit`. */
export interface SegmentQuery {
  choose:
    | { by: 'birthday'; /** MM-DD of the birthdays wanted. */ monthDays: string[] }
    | { by: 'joined'; ranges: InstantRange[] }
    | { by: 'not-seen-since'; /** No kiosk transaction at or after this, and joined before it. */ sinceIso: string }
    | { by: 'all' };
  tier: string | null;
  /** The member's home store. */
  storeId: string | null;
  minStoredValueCents: number | null;
  /** Only members whose newest MARKETING_CONSENT_PURPOSE record grants it. */
  marketingConsent: boolean;
  limit: number;
}

/** The read port (a ledger back end's): summaries of members that are not erased. */
export interface AutomationReads {
  memberSummary(memberId: string): Promise<MemberSummary | null>;
  /** The member registered with this phone (as the ledger keeps phones): the newest registration when several are. */
  memberSummaryByPhone(phone: string): Promise<MemberSummary | null>;
  segment(query: SegmentQuery): Promise<MemberSegmentValue>;
}

const memberGetSchema = z.union([z.object({ memberId: z.string().min(1).max(64) }), z.object({ phone: z.string().min(3).max(32) })]);

const memberSegmentSchema = z
  .object({
    segment: z.enum(SEGMENTS),
    days: z.number().int().min(1).max(3650).optional(),
    tier: z.string().min(1).max(32).optional(),
    storeId: z.string().min(1).max(64).optional(),
    minStoredValueCents: z.number().int().min(0).optional(),
    consent: z.literal('marketing').optional(),
    limit: z.number().int().min(1).max(MAX_SEGMENT).default(DEFAULT_SEGMENT),
  })
  .refine((p) => p.segment !== 'inactive' || p.days !== undefined, { message: 'the inactive segment needs days (1–3650)', path: ['days'] });
export type MemberSegmentRequest = z.output<typeof memberSegmentSchema>;

export interface MemberReadsDeps {
  reads: AutomationReads;
  /** The chain's time zone: the newest rules bundle's (hub/main.ts chainTimezone). */
  timezone: () => Promise<string>;
  now?: () => number;
}

export interface MemberReads {
  get(params: unknown): Promise<MemberGetValue>;
  segment(params: unknown): Promise<MemberSegmentValue>;
}

export function createMemberReads(deps: MemberReadsDeps): MemberReads {
  const now = deps.now ?? Date.now;
  return {
    async get(params) {
      const wanted = parseRequest(memberGetSchema, params, 'FLOW_PARAMS_INVALID');
      if ('memberId' in wanted) return deps.reads.memberSummary(wanted.memberId);
      return deps.reads.memberSummaryByPhone(normalizePhone(wanted.phone));
    },
    async segment(params) {
      const request = parseRequest(memberSegmentSchema, params, 'FLOW_PARAMS_INVALID');
      return deps.reads.segment(segmentQuery(request, await deps.timezone(), now()));
    },
  };
}

/** The port's query for a flow's request, "today" being `nowMs`'s day in `timezone`. */
export function segmentQuery(request: MemberSegmentRequest, timezone: string, nowMs: number): SegmentQuery {
  const filters = {
    tier: request.tier ?? null,
    storeId: request.storeId ?? null,
    minStoredValueCents: request.minStoredValueCents ?? null,
    marketingConsent: request.consent === 'marketing',
    limit: request.limit,
  };
  const today = clockFor(timezone).fields(nowMs);
  // Born or joined on 29 February: remembered on the 28th when the year has no 29th.
  const leapDayToo = today.month === 2 && today.day === 28 && !isLeapYear(today.year);
  switch (request.segment) {
    case 'birthday-today':
      return { ...filters, choose: { by: 'birthday', monthDays: [monthDay(today.month, today.day), ...(leapDayToo ? ['02-29'] : [])] } };
    case 'anniversary-today': {
      // Every earlier year's same local day; joining this year is no anniversary.
      const ranges: InstantRange[] = [];
      for (let year = FIRST_JOIN_YEAR; year < today.year; year += 1) {
        ranges.push(localDay(timezone, year, today.month, today.day));
        if (leapDayToo && isLeapYear(year)) ranges.push(localDay(timezone, year, 2, 29));
      }
      return { ...filters, choose: { by: 'joined', ranges } };
    }
    case 'inactive':
      return { ...filters, choose: { by: 'not-seen-since', sinceIso: new Date(nowMs - request.days! * DAY_MS).toISOString() } };
    case 'all':
      return { ...filters, choose: { by: 'all' } };
  }
}

/** The instants of one local calendar day. */
function localDay(timezone: string, year: number, month: number, day: number): InstantRange {
  const clock = clockFor(timezone);
  // Date.UTC rolls day + 1 over into the next month or year.
  return { fromIso: new Date(clock.instantOfLocal(year, month, day)).toISOString(), toIso: new Date(clock.instantOfLocal(year, month, day + 1)).toISOString() };
}

function monthDay(month: number, day: number): string {
  return `${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}
