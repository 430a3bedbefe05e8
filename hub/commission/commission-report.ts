/**
 * The staff commission report (员工提成) for a period: the transactions the ledger applied in it, priced by each
 * staff member's level under the rules version each was applied with (core/commission/compute-commission.ts).
 * The period is local calendar days in the chain's time zone (the newest rules bundle's): `from` is the first
 * day in it, `to` the first day after it, so 2025-11-01 → 2025-12-01 is November. Staff see the money taken in
 * their stores only (a refund counts in the store of the sale it undoes); chain-wide staff ('*') every store.
 * Levels are the ones staff hold when the report runs (staff.level; changing one is audited).
 */
import { commissionItems } from '../../core/commission/commission-items.ts';
import { computeCommission, type StaffCommission } from '../../core/commission/compute-commission.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import { memberScopeOf } from '../../core/identity/member-scope.ts';
import type { CommissionSchedule } from '../../core/rules/bundle-accounts.ts';
import { DEFAULT_TIMEZONE } from '../../core/rules/compile.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import type { CommissionReads } from './commission-reads.ts';
import { reportPeriod } from '../reports/report-period.ts';


export interface CommissionReportDeps {
  reads: CommissionReads;
  identity: Pick<IdentityStore, 'listStaff'>;
  rules: Pick<RulesStore, 'rulesBundle' | 'latestRulesBundle'>;
  /** The fleet's stores of a region (empty: no such region); absent: no region filter. */
  storesOfRegion?: (regionId: string) => Promise<string[]>;
}

export interface CommissionReportQuery {
  /** YYYY-MM-DD, local: the first day of the period. */
  from: string;
  /** YYYY-MM-DD, local: the first day after the period. */
  to: string;
  /** Only this store (one of the caller's); absent: every store of the caller's. */
  storeId?: string | undefined;
  /** Only the caller's stores in this region, as the other reports read a region (hub/reports/reports.ts). */
  regionId?: string | undefined;
}

export interface CommissionReport {
  from: string;
  to: string;
  timezone: string;
  /** The period as instants: [fromIso, toIso). */
  fromIso: string;
  toIso: string;
  /** The stores counted: '*' for all. */
  storeIds: string[];
  staff: (StaffCommission & { name: string | null })[];
  totalCents: number;
}

/** Which stores the caller's report counts: their own (or one of them), HQ's any. */
export function reportStores(callerStoreIds: readonly string[], storeId: string | undefined): string[] {
  const scope = memberScopeOf(callerStoreIds);
  if (storeId === undefined) return scope.kind === 'chain' ? ['*'] : [...scope.storeIds];
  if (scope.kind === 'stores' && !scope.storeIds.includes(storeId)) throw new CodedError('AUTH_FORBIDDEN', `store ${storeId} is not one of yours`);
  return [storeId];
}

/**
 * The stores a report counts for a caller asked for a store or a region: reportStores, then only those in the region
 * (the fleet's `storesOfRegion`); a region holding none of a store-scoped caller's stores is AUTH_FORBIDDEN.
 */
export async function reportStoresIn(
  callerStoreIds: readonly string[],
  filter: { storeId?: string | undefined; regionId?: string | undefined },
  storesOfRegion: ((regionId: string) => Promise<string[]>) | undefined,
): Promise<string[]> {
  const storeIds = reportStores(callerStoreIds, filter.storeId);
  if (filter.regionId === undefined) return storeIds;
  if (!storesOfRegion) throw new CodedError('BAD_REQUEST', 'this hub has no regions');
  const regionStores = await storesOfRegion(filter.regionId);
  if (storeIds.includes('*')) return regionStores;
  const inRegion = storeIds.filter((id) => regionStores.includes(id));
  if (inRegion.length === 0) throw new CodedError('AUTH_FORBIDDEN', `region ${filter.regionId} has none of your stores`);
  return inRegion;
}

export async function commissionReport(deps: CommissionReportDeps, query: CommissionReportQuery, callerStoreIds: readonly string[]): Promise<CommissionReport> {
  const storeIds = await reportStoresIn(callerStoreIds, query, deps.storesOfRegion);
  const timezone = (await deps.rules.latestRulesBundle())?.timezone ?? DEFAULT_TIMEZONE;
  const { fromIso, toIso } = reportPeriod(query.from, query.to, timezone);

  const counted = storeIds.includes('*') ? null : new Set(storeIds);
  const items = (await deps.reads.commissionSources(fromIso, toIso)).flatMap(commissionItems).filter((item) => counted === null || counted.has(item.storeId));
  const schedules = new Map<number, CommissionSchedule | undefined>();
  for (const version of new Set(items.map((item) => item.bundleVersion))) schedules.set(version, (await deps.rules.rulesBundle(version))?.commission);
  const accounts = new Map((await deps.identity.listStaff()).map((account) => [account.staffId, account]));
  const staff = computeCommission(items, {
    levelOf: (staffId) => accounts.get(staffId)?.level ?? null,
    scheduleOf: (version) => schedules.get(version),
  }).map((row) => ({ ...row, name: accounts.get(row.staffId)?.name ?? null }));
  return { from: query.from, to: query.to, timezone, fromIso, toIso, storeIds, staff, totalCents: staff.reduce((total, row) => total + row.totalCents, 0) };
}

function csvField(value: string | number | null): string {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row per staff member and code, then the staff member's total (code `total`). Cents, as the ledger keeps them. */
export function commissionCsv(report: CommissionReport): string {
  const rows: (string | number | null)[][] = [['staff_id', 'name', 'level', 'code', 'amount_cents', 'count', 'commission_cents']];
  for (const staff of report.staff) {
    for (const line of staff.codes) rows.push([staff.staffId, staff.name, staff.level, line.code, line.amountCents, line.count, line.commissionCents]);
    rows.push([staff.staffId, staff.name, staff.level, 'total', null, null, staff.totalCents]);
  }
  return `${rows.map((row) => row.map(csvField).join(',')).join('\n')}\n`;
}
