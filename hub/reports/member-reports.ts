/**
 * The console's member reports (issue 12 item 6, second part): active and dormant members (churn warnings), credit
 * warnings and monthly credit statements, members per tier and cards per card type, members per region / age band
 * / gender, gift redemptions, and the referral ranking. The stores counted are the caller's, narrowed to one store
 * or region on request, exactly as the other reports decide them (reports.ts `scope`: a store or region outside the
 * caller's is AUTH_FORBIDDEN before anything is read); a member belongs to the store that registered them, a gift
 * redemption to the store it was made in. Every report also filters by the member's tier and card type.
 *
 * The credit reports reuse the ledger's credit reads and core's statements (hub/credit/member-credit.ts) member by
 * member, so a warning here is the one the member's page shows; only members in scope who ever had credit are read.
 * Every read, the credit reports' and the churn export's rows too, runs off the hub's thread (worker-report-reads.ts).
 */
import type { CreditStatement, CreditWarning } from '../../core/credit/credit-statements.ts';
import { cardTypeOf } from '../../core/ledger/card-types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { clockFor } from '../../core/rules/local-time.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import type { Awaitable, ReportScope, Reports } from './reports.ts';
import type { ChurnCounts, ChurnRow, MemberLine, MemberWindow, ReferralRow, SqliteMemberReportReads } from './sqlite-member-report-reads.ts';

export interface MemberReportFilter {
  storeId?: string | undefined;
  regionId?: string | undefined;
  tier?: string | undefined;
  cardType?: string | undefined;
}
export interface PeriodReportFilter extends MemberReportFilter { from: string; to: string }
export interface Paging { page: number; pageSize: number }

/**
 * The member reports' reads: on the hub their queries on the report thread and the churn export's rows on an
 * export thread (worker-report-reads.ts `members`); in tests of the reports' logic, the SQL itself may answer the
 * queries. The export's rows are an async iterable: read anywhere but the hub's thread (its sort holds the thread
 * for the whole query before the first row).
 */
export type MemberReportReadsPort = {
  [K in 'churnCounts' | 'churnPage' | 'tierCounts' | 'cardCounts' | 'demographics' | 'gifts' | 'referralTotals' | 'referralPage' | 'memberCredits']: (
    ...args: Parameters<SqliteMemberReportReads[K]>
  ) => Awaitable<Awaited<ReturnType<SqliteMemberReportReads[K]>>>;
} & { churnRows(w: MemberWindow, sinceIso: string): AsyncIterable<ChurnRow> };

export interface MemberReportsDeps {
  reads: MemberReportReadsPort;
  reports: Pick<Reports, 'scope'>;
  rules: Pick<RulesStore, 'latestRulesBundle'>;
  /** The fleet's regions: each store's region and each region's name (for the distribution by region). */
  regions?: () => Promise<{ storeRegions: Map<string, string>; regionNames: Map<string, string> }>;
  /** Now, in ms (tests fix it). */
  now?: () => number;
}

/** The scope of a report: the stores counted and the chain's zone; the period only where the report has one. */
export type MemberScope = Pick<ReportScope, 'storeIds' | 'timezone'> & { tier: string | null; cardType: string | null };

export interface ChurnReport extends MemberScope, Paging {
  days: number;
  /** Members with no visit since this instant are dormant. */
  sinceIso: string;
  counts: ChurnCounts;
  /** Dormant and never visited: the list's length in all. */
  total: number;
  members: (ChurnRow & { daysSince: number | null })[];
}

export interface CreditWarningRow extends MemberLine {
  owedCents: number;
  limitCents: number;
  availableCents: number;
  warnings: CreditWarning[];
  /**
   * What is overdue now: the newest overdue statement's unpaid part (a statement's closing carries the months
   * before it, so summing the statements would count old debt again), and the earliest overdue due date.
   */
  overdueCents: number;
  oldestDueDate: string | null;
}
export interface CreditWarningsReport extends MemberScope {
  counts: Record<CreditWarning, number>;
  /** Members who ever had credit, in scope. */
  membersWithCredit: number;
  owedCents: number;
  members: CreditWarningRow[];
}

export interface CreditMonth {
  month: string;
  dueDate: string;
  /** Members with a statement for the month. */
  members: number;
  chargesCents: number;
  /** The statements' closing balances: what was owed at the month's end. */
  owedCents: number;
  /** Unpaid now, not yet due. */
  dueCents: number;
  /** Unpaid now, past the due date. */
  overdueCents: number;
  overdueMembers: number;
  paidMembers: number;
}
export interface CreditStatementsReport extends MemberScope { from: string; to: string; months: CreditMonth[] }

export interface CardDistributionReport extends MemberScope {
  tiers: { tier: string; count: number }[];
  /** Cards per type (null: no type and the rules define none) and status. */
  cardTypes: { cardType: string | null; label: string | null; total: number; byStatus: Record<string, number> }[];
  members: number;
  cards: number;
}

export const AGE_BANDS = ['<18', '18-24', '25-34', '35-44', '45-54', '55-64', '65+', 'unknown'] as const;
export const GENDERS = ['female', 'male', 'other', 'unknown'] as const;
export interface DemographicsReport extends MemberScope {
  total: number;
  byRegion: { regionId: string | null; name: string | null; count: number }[];
  byAgeBand: { band: (typeof AGE_BANDS)[number]; count: number }[];
  byGender: { gender: (typeof GENDERS)[number]; count: number }[];
  /** Region × gender × band, for the export. */
  rows: { regionId: string | null; regionName: string | null; gender: string; band: string; count: number }[];
}

interface GiftFigures { count: number; qty: number; points: number }
export interface GiftReport extends MemberScope {
  from: string;
  to: string;
  byGift: ({ sku: string; name: string | null } & GiftFigures)[];
  byStore: ({ storeId: string } & GiftFigures)[];
  rows: ({ sku: string; name: string | null; storeId: string } & GiftFigures)[];
  totals: GiftFigures;
}

export interface ReferralReport extends MemberScope, Paging {
  from: string;
  to: string;
  /** Referrers in the ranking, and the members they referred in the period. */
  total: number;
  referred: number;
  members: (ReferralRow & { rank: number })[];
}

export interface MemberReports {
  churn(filter: MemberReportFilter & Paging & { days: number }, caller: readonly string[]): Promise<ChurnReport>;
  /** Every dormant and never-visited member, for an export (read while it streams). */
  churnRows(filter: MemberReportFilter & { days: number }, caller: readonly string[]): Promise<{ scope: MemberScope; sinceIso: string; rows: AsyncIterable<ChurnRow> }>;
  creditWarnings(filter: MemberReportFilter & { warning?: CreditWarning | undefined }, caller: readonly string[]): Promise<CreditWarningsReport>;
  creditStatements(filter: PeriodReportFilter, caller: readonly string[]): Promise<CreditStatementsReport>;
  cardDistribution(filter: MemberReportFilter, caller: readonly string[]): Promise<CardDistributionReport>;
  demographics(filter: MemberReportFilter, caller: readonly string[]): Promise<DemographicsReport>;
  gifts(filter: PeriodReportFilter, caller: readonly string[]): Promise<GiftReport>;
  referrals(filter: PeriodReportFilter & Paging, caller: readonly string[]): Promise<ReferralReport>;
}

const DAY_MS = 86_400_000;

function sum<T>(rows: readonly T[], pick: (row: T) => number): number {
  return rows.reduce((total, row) => total + pick(row), 0);
}

export function createMemberReports(deps: MemberReportsDeps): MemberReports {
  const now = deps.now ?? Date.now;

  /** The stores (reports.ts decides them) and the member filter; `period` only where the report has one. */
  async function scopeOf(filter: MemberReportFilter, caller: readonly string[], period?: { from: string; to: string }) {
    // A report without a period still asks reports.scope for its stores (one rule for every report): any valid day will do.
    const today = new Date(now()).toISOString().slice(0, 10);
    const tomorrow = new Date(now() + DAY_MS).toISOString().slice(0, 10);
    const { scope, window } = await deps.reports.scope({ from: period?.from ?? today, to: period?.to ?? tomorrow, storeId: filter.storeId, regionId: filter.regionId }, caller);
    const bundle = await deps.rules.latestRulesBundle();
    const defaultType = bundle ? (cardTypeOf(bundle, null)?.typeId ?? null) : null;
    const cardType = filter.cardType ?? null;
    const members: MemberWindow = { stores: window.stores, tier: filter.tier ?? null, cardType, cardTypeIsDefault: cardType !== null && cardType === defaultType ? 1 : 0 };
    const result: MemberScope = { storeIds: scope.storeIds, timezone: scope.timezone, tier: members.tier, cardType };
    return { scope: result, period: scope, members, periodWindow: { ...members, fromIso: window.fromIso, toIso: window.toIso }, bundle, defaultType };
  }

  async function creditOf(filter: MemberReportFilter, caller: readonly string[], period?: { from: string; to: string }) {
    const s = await scopeOf(filter, caller, period);
    const asOf = new Date(now()).toISOString();
    const bundle: RulesBundle | null = s.bundle;
    const members = bundle ? await deps.reads.memberCredits(s.members, bundle, asOf) : [];
    return { ...s, members };
  }

  return {
    async churn(filter, caller) {
      const s = await scopeOf(filter, caller);
      const sinceIso = new Date(now() - filter.days * DAY_MS).toISOString();
      const counts = await deps.reads.churnCounts(s.members, sinceIso);
      const rows = await deps.reads.churnPage(s.members, sinceIso, (filter.page - 1) * filter.pageSize, filter.pageSize);
      const at = now();
      return {
        ...s.scope,
        days: filter.days,
        sinceIso,
        counts,
        total: counts.dormant + counts.never,
        page: filter.page,
        pageSize: filter.pageSize,
        members: rows.map((row) => ({ ...row, daysSince: row.lastVisit === null ? null : Math.floor((at - Date.parse(row.lastVisit)) / DAY_MS) })),
      };
    },

    async churnRows(filter, caller) {
      const s = await scopeOf(filter, caller);
      const sinceIso = new Date(now() - filter.days * DAY_MS).toISOString();
      return { scope: s.scope, sinceIso, rows: deps.reads.churnRows(s.members, sinceIso) };
    },

    async creditWarnings(filter, caller) {
      const c = await creditOf(filter, caller);
      const counts: Record<CreditWarning, number> = { overdue: 0, over_limit: 0, near_limit: 0 };
      const members: CreditWarningRow[] = [];
      for (const { member, report } of c.members) {
        const { warnings, owedCents, limitCents, availableCents } = report.status;
        for (const w of warnings) counts[w] += 1;
        if (warnings.length === 0 || (filter.warning && !warnings.includes(filter.warning))) continue;
        const overdue = report.statements.filter((st) => st.status === 'overdue');
        members.push({ ...member, owedCents, limitCents, availableCents, warnings, overdueCents: overdue.at(-1)?.unpaidNowCents ?? 0, oldestDueDate: overdue[0]?.dueDate ?? null });
      }
      // Most serious first (overdue, then over the limit, then near it), then who owes most.
      const rank = (row: CreditWarningRow) => (row.warnings.includes('overdue') ? 0 : row.warnings.includes('over_limit') ? 1 : 2);
      members.sort((a, b) => rank(a) - rank(b) || b.owedCents - a.owedCents || a.memberId.localeCompare(b.memberId));
      return { ...c.scope, counts, membersWithCredit: c.members.length, owedCents: sum(c.members, (m) => m.report.status.owedCents), members };
    },

    async creditStatements(filter, caller) {
      const c = await creditOf(filter, caller, filter);
      const firstMonth = filter.from.slice(0, 7);
      const months = new Map<string, CreditMonth>();
      const inPeriod = (st: CreditStatement) => st.month >= firstMonth && `${st.month}-01` < filter.to;
      for (const { report } of c.members) {
        for (const st of report.statements.filter(inPeriod)) {
          const row = months.get(st.month) ?? { month: st.month, dueDate: st.dueDate, members: 0, chargesCents: 0, owedCents: 0, dueCents: 0, overdueCents: 0, overdueMembers: 0, paidMembers: 0 };
          row.members += 1;
          row.chargesCents += st.chargesCents;
          row.owedCents += st.closingCents;
          if (st.status === 'open') row.dueCents += st.unpaidNowCents;
          if (st.status === 'overdue') {
            row.overdueCents += st.unpaidNowCents;
            row.overdueMembers += 1;
          }
          if (st.status === 'paid') row.paidMembers += 1;
          months.set(st.month, row);
        }
      }
      return { ...c.scope, from: filter.from, to: filter.to, months: [...months.values()].sort((a, b) => a.month.localeCompare(b.month)) };
    },

    async cardDistribution(filter, caller) {
      const s = await scopeOf(filter, caller);
      const tiers = await deps.reads.tierCounts(s.members);
      const labels = new Map((s.bundle?.cardTypes?.types ?? []).map((t) => [t.typeId, t.label] as const));
      const types = new Map<string | null, { cardType: string | null; label: string | null; total: number; byStatus: Record<string, number> }>();
      for (const group of await deps.reads.cardCounts(s.members)) {
        // A card with no type is of the rules' default type.
        const cardType = group.cardType ?? s.defaultType;
        const row = types.get(cardType) ?? { cardType, label: cardType === null ? null : (labels.get(cardType) ?? null), total: 0, byStatus: {} };
        row.total += group.count;
        row.byStatus[group.status] = (row.byStatus[group.status] ?? 0) + group.count;
        types.set(cardType, row);
      }
      const cardTypes = [...types.values()].sort((a, b) => b.total - a.total || String(a.cardType).localeCompare(String(b.cardType)));
      return { ...s.scope, tiers, cardTypes, members: sum(tiers, (t) => t.count), cards: sum(cardTypes, (t) => t.total) };
    },

    async demographics(filter, caller) {
      const s = await scopeOf(filter, caller);
      const local = clockFor(s.scope.timezone).fields(now());
      const today = `${local.year}-${String(local.month).padStart(2, '0')}-${String(local.day).padStart(2, '0')}`;
      const groups = await deps.reads.demographics(s.members, today);
      const fleet = deps.regions ? await deps.regions() : { storeRegions: new Map<string, string>(), regionNames: new Map<string, string>() };
      const regionOf = (storeId: string | null) => (storeId === null ? null : (fleet.storeRegions.get(storeId) ?? null));
      const byRegion = new Map<string | null, number>();
      const byBand = new Map<string, number>(AGE_BANDS.map((b) => [b, 0]));
      const byGender = new Map<string, number>(GENDERS.map((g) => [g, 0]));
      const cells = new Map<string, { regionId: string | null; regionName: string | null; gender: string; band: string; count: number }>();
      for (const group of groups) {
        const regionId = regionOf(group.storeId);
        const gender = group.gender ?? 'unknown';
        byRegion.set(regionId, (byRegion.get(regionId) ?? 0) + group.count);
        byBand.set(group.band, (byBand.get(group.band) ?? 0) + group.count);
        byGender.set(gender, (byGender.get(gender) ?? 0) + group.count);
        const key = `${regionId}\u0000${gender}\u0000${group.band}`;
        const cell = cells.get(key) ?? { regionId, regionName: regionId === null ? null : (fleet.regionNames.get(regionId) ?? null), gender, band: group.band, count: 0 };
        cell.count += group.count;
        cells.set(key, cell);
      }
      return {
        ...s.scope,
        total: sum(groups, (g) => g.count),
        byRegion: [...byRegion].map(([regionId, count]) => ({ regionId, name: regionId === null ? null : (fleet.regionNames.get(regionId) ?? null), count })).sort((a, b) => b.count - a.count),
        byAgeBand: AGE_BANDS.map((band) => ({ band, count: byBand.get(band) ?? 0 })),
        byGender: GENDERS.map((gender) => ({ gender, count: byGender.get(gender) ?? 0 })),
        rows: [...cells.values()].sort((a, b) => String(a.regionId).localeCompare(String(b.regionId)) || a.gender.localeCompare(b.gender) || AGE_BANDS.indexOf(a.band as never) - AGE_BANDS.indexOf(b.band as never)),
      };
    },

    async gifts(filter, caller) {
      const s = await scopeOf(filter, caller, filter);
      const rows = await deps.reads.gifts(s.periodWindow);
      const add = (into: GiftFigures, from: GiftFigures) => {
        into.count += from.count;
        into.qty += from.qty;
        into.points += from.points;
      };
      const byGift = new Map<string, { sku: string; name: string | null } & GiftFigures>();
      const byStore = new Map<string, { storeId: string } & GiftFigures>();
      const totals: GiftFigures = { count: 0, qty: 0, points: 0 };
      for (const row of rows) {
        const gift = byGift.get(row.sku) ?? { sku: row.sku, name: row.name, count: 0, qty: 0, points: 0 };
        add(gift, row);
        byGift.set(row.sku, gift);
        const store = byStore.get(row.storeId) ?? { storeId: row.storeId, count: 0, qty: 0, points: 0 };
        add(store, row);
        byStore.set(row.storeId, store);
        add(totals, row);
      }
      const byPoints = (a: GiftFigures, b: GiftFigures) => b.points - a.points || b.qty - a.qty;
      return { ...s.scope, from: filter.from, to: filter.to, byGift: [...byGift.values()].sort(byPoints), byStore: [...byStore.values()].sort(byPoints), rows, totals };
    },

    async referrals(filter, caller) {
      const s = await scopeOf(filter, caller, filter);
      const totals = await deps.reads.referralTotals(s.periodWindow);
      const offset = (filter.page - 1) * filter.pageSize;
      const rows = await deps.reads.referralPage(s.periodWindow, offset, filter.pageSize);
      return {
        ...s.scope,
        from: filter.from,
        to: filter.to,
        page: filter.page,
        pageSize: filter.pageSize,
        total: totals.referrers,
        referred: totals.referred,
        members: rows.map((row, i) => ({ ...row, rank: offset + i + 1 })),
      };
    },
  };
}
