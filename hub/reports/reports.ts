/**
 * The console's reports (issue 12 item 6, first part): sales and top-up trend, consumption records, new members,
 * points liability, top-ups per store and per staff member. Each counts the stores the caller may see (a store
 * manager their stores, a region manager their region's, HQ all), narrowed to one store or one region on request;
 * a store or region outside the caller's is AUTH_FORBIDDEN before anything is read. Periods are local days in the
 * newest rules bundle's time zone (report-period.ts). Money is in cents, as the ledger keeps it.
 */
import { cardTypeOf } from '../../core/ledger/card-types.ts';
import { DEFAULT_TIMEZONE } from '../../core/rules/compile.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import { reportStoresIn } from '../commission/commission-report.ts';
import { bucketOfPrefix, bucketsOf, reportPeriod, sqlTimePrefix, type ReportGrain, type ReportPeriod } from './report-period.ts';
import type { ConsumptionRecord, MemberGroup, PointsFlows, ReportWindow, TopUpGroup, TrendGroup } from './sqlite-report-reads.ts';

export type Awaitable<T> = T | Promise<T>;

/** The reports' reads: on the hub a worker thread's (worker-report-reads.ts), in tests the SQL itself (sqlite-report-reads.ts). */
export interface ReportReadsPort {
  trend(window: ReportWindow, prefixLength: number): Awaitable<TrendGroup[]>;
  newMembers(window: ReportWindow, prefixLength: number): Awaitable<MemberGroup[]>;
  topUps(window: ReportWindow): Awaitable<TopUpGroup[]>;
  pointsFlows(window: ReportWindow, prefixLength: number): Awaitable<PointsFlows>;
  consumption(window: ReportWindow, prefixLength: number, offset: number, limit: number): Awaitable<{ total: number; records: ConsumptionRecord[] }>;
  consumptionRows(window: ReportWindow): AsyncIterable<ConsumptionRecord>;
}

export interface ReportsDeps {
  reads: ReportReadsPort;
  rules: Pick<RulesStore, 'latestRulesBundle'>;
  /** The fleet's stores of a region (empty: no such region); absent: no region filter. */
  storesOfRegion?: (regionId: string) => Promise<string[]>;
  /** Staff names for the per-staff figures. */
  staffNames?: () => Promise<Map<string, string>>;
}

export interface ReportFilter {
  from: string;
  to: string;
  storeId?: string | undefined;
  regionId?: string | undefined;
  /** Only members of this tier (their tier now). */
  tier?: string | undefined;
  /** Only members holding a card of this card type. */
  cardType?: string | undefined;
}

export interface ReportScope extends ReportPeriod {
  /** The stores counted: ['*'] for every store. */
  storeIds: string[];
}

export interface TrendBucket { bucket: string; salesCount: number; salesCents: number; topUpCount: number; topUpCents: number }
export interface TrendReport extends ReportScope {
  grain: ReportGrain;
  buckets: TrendBucket[];
  totals: Omit<TrendBucket, 'bucket'>;
}

export interface Reports {
  scope(filter: ReportFilter, callerStoreIds: readonly string[]): Promise<{ scope: ReportScope; window: ReportWindow }>;
  trend(filter: ReportFilter & { grain: ReportGrain }, callerStoreIds: readonly string[]): Promise<TrendReport>;
  consumption(filter: ReportFilter & { page: number; pageSize: number }, callerStoreIds: readonly string[]): Promise<ReportScope & { page: number; pageSize: number; total: number; records: ConsumptionRecord[] }>;
  consumptionRows(window: ReportWindow): AsyncIterable<ConsumptionRecord>;
  newMembers(filter: ReportFilter & { grain: ReportGrain }, callerStoreIds: readonly string[]): Promise<ReportScope & { grain: ReportGrain; buckets: { bucket: string; count: number }[]; total: number }>;
  pointsLiability(filter: ReportFilter, callerStoreIds: readonly string[]): Promise<ReportScope & { issued: number; redeemed: number; expired: number; outstanding: number }>;
  topUps(filter: ReportFilter, callerStoreIds: readonly string[]): Promise<ReportScope & {
    byStore: { storeId: string; count: number; cents: number }[];
    byStaff: { staffId: string | null; name: string | null; count: number; cents: number }[];
    byTender: { tender: string; count: number; cents: number }[];
    totalCents: number;
    count: number;
  }>;
}

function add<K>(map: Map<K, { count: number; cents: number }>, key: K, count: number, cents: number): void {
  const row = map.get(key) ?? { count: 0, cents: 0 };
  row.count += count;
  row.cents += cents;
  map.set(key, row);
}

export function createReports(deps: ReportsDeps): Reports {
  async function scope(filter: ReportFilter, callerStoreIds: readonly string[]) {
    const storeIds = await reportStoresIn(callerStoreIds, filter, deps.storesOfRegion);
    const bundle = await deps.rules.latestRulesBundle();
    const timezone = bundle?.timezone ?? DEFAULT_TIMEZONE;
    const period = reportPeriod(filter.from, filter.to, timezone);
    const cardType = filter.cardType ?? null;
    // Cards without a type are of the rules' default type: asking for it counts them too.
    const cardTypeIsDefault = cardType !== null && bundle !== null && cardTypeOf(bundle, null)?.typeId === cardType ? 1 : 0;
    const window: ReportWindow = {
      fromIso: period.fromIso,
      toIso: period.toIso,
      stores: storeIds.includes('*') ? null : JSON.stringify(storeIds),
      timezone,
      tier: filter.tier ?? null,
      cardType,
      cardTypeIsDefault,
    };
    return { scope: { ...period, storeIds }, window };
  }

  return {
    scope,
    async trend(filter, caller) {
      const { scope: s, window } = await scope(filter, caller);
      const buckets = new Map(bucketsOf(s, filter.grain).map((bucket) => [bucket, { bucket, salesCount: 0, salesCents: 0, topUpCount: 0, topUpCents: 0 }]));
      for (const group of await deps.reads.trend(window, sqlTimePrefix(s))) {
        const row = buckets.get(bucketOfPrefix(group.prefix, s.timezone, filter.grain));
        if (!row) continue;
        if (group.kind === 'purchase') {
          row.salesCount += group.count;
          row.salesCents += group.cents;
        } else {
          row.topUpCount += group.count;
          row.topUpCents += group.cents;
        }
      }
      const list = [...buckets.values()];
      const totals = { salesCount: 0, salesCents: 0, topUpCount: 0, topUpCents: 0 };
      for (const row of list) for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += row[key];
      return { ...s, grain: filter.grain, buckets: list, totals };
    },
    async consumption(filter, caller) {
      const { scope: s, window } = await scope(filter, caller);
      const { total, records } = await deps.reads.consumption(window, sqlTimePrefix(s), (filter.page - 1) * filter.pageSize, filter.pageSize);
      return { ...s, page: filter.page, pageSize: filter.pageSize, total, records };
    },
    consumptionRows: (window) => deps.reads.consumptionRows(window),
    async newMembers(filter, caller) {
      const { scope: s, window } = await scope(filter, caller);
      const buckets = new Map(bucketsOf(s, filter.grain).map((bucket) => [bucket, { bucket, count: 0 }]));
      for (const group of await deps.reads.newMembers(window, sqlTimePrefix(s))) {
        const row = buckets.get(bucketOfPrefix(group.prefix, s.timezone, filter.grain));
        if (row) row.count += group.count;
      }
      const list = [...buckets.values()];
      return { ...s, grain: filter.grain, buckets: list, total: list.reduce((sum, row) => sum + row.count, 0) };
    },
    async pointsLiability(filter, caller) {
      const { scope: s, window } = await scope(filter, caller);
      return { ...s, ...(await deps.reads.pointsFlows(window, sqlTimePrefix(s))) };
    },
    async topUps(filter, caller) {
      const { scope: s, window } = await scope(filter, caller);
      const byStore = new Map<string, { count: number; cents: number }>();
      const byStaff = new Map<string | null, { count: number; cents: number }>();
      const byTender = new Map<string, { count: number; cents: number }>();
      for (const group of await deps.reads.topUps(window)) {
        add(byStore, group.storeId, group.count, group.cents);
        add(byStaff, group.staffId, group.count, group.cents);
        add(byTender, group.tender, group.count, group.cents);
      }
      const names = deps.staffNames ? await deps.staffNames() : new Map<string, string>();
      const byCents = (a: { cents: number }, b: { cents: number }) => b.cents - a.cents;
      return {
        ...s,
        byStore: [...byStore].map(([storeId, row]) => ({ storeId, ...row })).sort(byCents),
        byStaff: [...byStaff].map(([staffId, row]) => ({ staffId, name: staffId === null ? null : (names.get(staffId) ?? null), ...row })).sort(byCents),
        byTender: [...byTender].map(([tender, row]) => ({ tender, ...row })).sort(byCents),
        totalCents: [...byStore.values()].reduce((sum, row) => sum + row.cents, 0),
        count: [...byStore.values()].reduce((sum, row) => sum + row.count, 0),
      };
    },
  };
}
