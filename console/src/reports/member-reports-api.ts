/** The hub's member reports (hub/http/member-report-routes.ts) and the commission report, as the Reports page calls them. */
import { query, request } from '../api.ts';
import type { ReportFilter } from './reports-api.ts';

interface Scope {
  storeIds: string[];
  timezone: string;
}
interface MemberLine { memberId: string; name: string; phone: string; tier: string; homeStoreId: string | null }

export interface MemberFilters { tiers: string[]; cardTypes: { typeId: string; label: string }[]; defaultCardType: string | null }
export interface ChurnReport extends Scope {
  days: number;
  sinceIso: string;
  counts: { total: number; active: number; dormant: number; never: number };
  total: number;
  page: number;
  pageSize: number;
  members: (MemberLine & { lastVisit: string | null; daysSince: number | null; storedValueCents: number; points: number })[];
}
export type CreditWarning = 'overdue' | 'over_limit' | 'near_limit';
export interface CreditWarningsReport extends Scope {
  counts: Record<CreditWarning, number>;
  membersWithCredit: number;
  owedCents: number;
  members: (MemberLine & { owedCents: number; limitCents: number; availableCents: number; warnings: CreditWarning[]; overdueCents: number; oldestDueDate: string | null })[];
}
export interface CreditMonth { month: string; dueDate: string; members: number; chargesCents: number; owedCents: number; dueCents: number; overdueCents: number; overdueMembers: number; paidMembers: number }
export interface CreditStatementsReport extends Scope { from: string; to: string; months: CreditMonth[] }
export interface CardDistributionReport extends Scope {
  tiers: { tier: string; count: number }[];
  cardTypes: { cardType: string | null; label: string | null; total: number; byStatus: Record<string, number> }[];
  members: number;
  cards: number;
}
export interface DemographicsReport extends Scope {
  total: number;
  byRegion: { regionId: string | null; name: string | null; count: number }[];
  byAgeBand: { band: string; count: number }[];
  byGender: { gender: string; count: number }[];
}
interface GiftFigures { count: number; qty: number; points: number }
export interface GiftReport extends Scope {
  byGift: ({ sku: string; name: string | null } & GiftFigures)[];
  byStore: ({ storeId: string } & GiftFigures)[];
  totals: GiftFigures;
}
export interface ReferralReport extends Scope {
  total: number;
  referred: number;
  page: number;
  pageSize: number;
  members: (MemberLine & { rank: number; referred: number; points: number })[];
}
export interface CommissionReport extends Scope {
  staff: { staffId: string; name: string | null; level: string | null; codes: { code: string; amountCents: number; count: number; commissionCents: number }[]; totalCents: number }[];
  totalCents: number;
}

export type MemberReportKind = 'churn' | 'credit-warnings' | 'credit-statements' | 'card-distribution' | 'demographics' | 'gift-redemptions' | 'referrals';

/** The filter as query parameters; the period only for the reports that have one. */
const params = (f: ReportFilter, period: boolean) => ({
  ...(period ? { from: f.from, to: f.to } : {}),
  storeId: f.storeId,
  regionId: f.regionId,
  tier: f.tier,
  cardType: f.cardType,
});
const get = <T>(kind: MemberReportKind, f: ReportFilter, period: boolean, extra: Record<string, string | number | undefined> = {}) =>
  request<T>('GET', `/api/reports/${kind}${query({ ...params(f, period), ...extra })}`);

export const memberReportsApi = {
  filters: () => request<MemberFilters>('GET', '/api/reports/member-filters'),
  churn: (f: ReportFilter, days: number, page: number, pageSize: number) => get<ChurnReport>('churn', f, false, { days, page, pageSize }),
  creditWarnings: (f: ReportFilter) => get<CreditWarningsReport>('credit-warnings', f, false),
  creditStatements: (f: ReportFilter) => get<CreditStatementsReport>('credit-statements', f, true),
  cardDistribution: (f: ReportFilter) => get<CardDistributionReport>('card-distribution', f, false),
  demographics: (f: ReportFilter) => get<DemographicsReport>('demographics', f, false),
  gifts: (f: ReportFilter) => get<GiftReport>('gift-redemptions', f, true),
  referrals: (f: ReportFilter, page: number, pageSize: number) => get<ReferralReport>('referrals', f, true, { page, pageSize }),
  /** The commission report takes a store or a region (no tier or card type: it counts staff, not members). */
  commission: (f: ReportFilter) => request<CommissionReport>('GET', `/api/reports/commission${query({ from: f.from, to: f.to, storeId: f.storeId, regionId: f.regionId })}`),
  /** A download link (the session cookie goes with it): the hub streams the file. */
  exportUrl: (kind: MemberReportKind, f: ReportFilter, format: 'xlsx' | 'csv', lang: string, extra: Record<string, string | number | undefined> = {}) =>
    `/api/reports/${kind}${query({ ...params(f, kind === 'credit-statements' || kind === 'gift-redemptions' || kind === 'referrals'), ...extra, format, lang })}`,
  commissionUrl: (f: ReportFilter, format: 'xlsx' | 'csv', lang: string) => `/api/reports/commission${query({ from: f.from, to: f.to, storeId: f.storeId, regionId: f.regionId, format, lang })}`,
};
