/** The hub's report API (hub/http/report-routes.ts) as the console's Reports page calls it. */
import { query, request } from '../api.ts';

export type Grain = 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface ReportFilter {
  from: string;
  to: string;
  storeId?: string | undefined;
  regionId?: string | undefined;
  /** Only members of this tier / holding a card of this type (cards.card_type; an untyped card is of the default type). */
  tier?: string | undefined;
  cardType?: string | undefined;
}

interface Scope {
  from: string;
  to: string;
  timezone: string;
  storeIds: string[];
}

export interface TrendBucket { bucket: string; salesCount: number; salesCents: number; topUpCount: number; topUpCents: number }
export interface TrendReport extends Scope { grain: Grain; buckets: TrendBucket[]; totals: Omit<TrendBucket, 'bucket'> }
export interface ConsumptionRecord {
  txId: string;
  createdAt: string;
  storeId: string;
  memberId: string;
  memberName: string | null;
  totalCents: number;
  storedValueCents: number;
  cashCents: number;
  pointsEarned: number;
}
export interface ConsumptionPage extends Scope { page: number; pageSize: number; total: number; records: ConsumptionRecord[] }
export interface NewMembersReport extends Scope { grain: Grain; buckets: { bucket: string; count: number }[]; total: number }
export interface PointsLiability extends Scope { issued: number; redeemed: number; expired: number; outstanding: number }
export interface TopUpsReport extends Scope {
  byStore: { storeId: string; count: number; cents: number }[];
  byStaff: { staffId: string | null; name: string | null; count: number; cents: number }[];
  byTender: { tender: string; count: number; cents: number }[];
  totalCents: number;
  count: number;
}

const params = (f: ReportFilter) => ({ from: f.from, to: f.to, storeId: f.storeId, regionId: f.regionId, tier: f.tier, cardType: f.cardType });

export const reportsApi = {
  trend: (f: ReportFilter, grain: Grain) => request<TrendReport>('GET', `/api/reports/trend${query({ ...params(f), grain })}`),
  consumption: (f: ReportFilter, page: number, pageSize: number) => request<ConsumptionPage>('GET', `/api/reports/consumption${query({ ...params(f), page, pageSize })}`),
  newMembers: (f: ReportFilter, grain: Grain) => request<NewMembersReport>('GET', `/api/reports/new-members${query({ ...params(f), grain })}`),
  pointsLiability: (f: ReportFilter) => request<PointsLiability>('GET', `/api/reports/points-liability${query(params(f))}`),
  topUps: (f: ReportFilter) => request<TopUpsReport>('GET', `/api/reports/top-ups${query(params(f))}`),
  /** A download link (the session cookie goes with it): the hub streams the file. */
  exportUrl: (report: 'trend' | 'consumption', f: ReportFilter, format: 'xlsx' | 'csv', lang: string, grain: Grain) =>
    `/api/reports/${report}${query({ ...params(f), ...(report === 'trend' ? { grain } : {}), format, lang })}`,
};
