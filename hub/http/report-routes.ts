/**
 * The console's reports over the hub's API (hub/reports/reports.ts):
 *
 * | route | what |
 * |---|---|
 * | `GET /api/reports/trend?from&to&grain=day\|week\|month\|quarter\|year[&format=csv\|xlsx]` | sales and top-ups per bucket |
 * | `GET /api/reports/consumption?from&to&page&pageSize[&format=csv\|xlsx]` | consumption records (purchases), newest first |
 * | `GET /api/reports/new-members?from&to&grain` | members registered per bucket |
 * | `GET /api/reports/points-liability?from&to` | points issued, redeemed, expired in the period; outstanding now |
 * | `GET /api/reports/top-ups?from&to` | top-ups per store, per staff member, per tender |
 *
 * Every route also takes `storeId` or `regionId` (one of the caller's). Store managers read their stores, region
 * managers their region's, HQ admins all; cashiers and technicians are refused (AUTH_FORBIDDEN) before anything is
 * read. `from` is the first local day, `to` the first day after. Exports are streamed (report-export.ts); their
 * headers are Chinese unless `lang=en`, money in yuan.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { parseRequest } from '../../core/errors/parse-request.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import { exportContentType, exportStream, yuan, type ExportColumn, type ExportFormat } from '../reports/report-export.ts';
import { REPORT_GRAINS } from '../reports/report-period.ts';
import type { Reports, TrendBucket } from '../reports/reports.ts';
import type { ConsumptionRecord } from '../reports/sqlite-report-reads.ts';
import { MEMBER_READERS, requireStaff } from './require-staff.ts';

export interface ReportRoutesDeps {
  identity: IdentityService;
  reports: Reports;
  /** Where an export that failed while streaming is logged. */
  onExportError?: (error: unknown) => void;
}

/** Store managers and up: the roles that read members read reports (require-staff.ts). */
export const REPORT_READERS = MEMBER_READERS;

const filter = {
  from: z.string().max(10),
  to: z.string().max(10),
  storeId: z.string().min(1).max(64).optional(),
  regionId: z.string().min(1).max(64).optional(),
  tier: z.string().min(1).max(64).optional(),
  cardType: z.string().min(1).max(64).optional(),
};
const grain = z.enum(REPORT_GRAINS).default('day');
const format = z.enum(['json', 'csv', 'xlsx']).default('json');
const lang = z.enum(['zh-CN', 'en']).default('zh-CN');
const trendQuery = z.object({ ...filter, grain, format, lang });
const consumptionQuery = z.object({
  ...filter,
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
  format,
  lang,
});
const plainQuery = z.object(filter);
const membersQuery = z.object({ ...filter, grain });

type Lang = 'zh-CN' | 'en';
const label = (l: Lang, zh: string, en: string) => (l === 'en' ? en : zh);

function trendColumns(l: Lang): ExportColumn<TrendBucket>[] {
  return [
    { header: label(l, '周期', 'Period'), value: (r) => r.bucket },
    { header: label(l, '消费笔数', 'Sales count'), value: (r) => r.salesCount },
    { header: label(l, '消费金额(元)', 'Sales (CNY)'), value: (r) => yuan(r.salesCents) },
    { header: label(l, '充值笔数', 'Top-up count'), value: (r) => r.topUpCount },
    { header: label(l, '充值金额(元)', 'Top-ups (CNY)'), value: (r) => yuan(r.topUpCents) },
  ];
}

function consumptionColumns(l: Lang): ExportColumn<ConsumptionRecord>[] {
  return [
    { header: label(l, '时间', 'Time'), value: (r) => r.localTime, width: 20 },
    { header: label(l, '交易号', 'Transaction'), value: (r) => r.txId, width: 38 },
    { header: label(l, '门店', 'Store'), value: (r) => r.storeId },
    { header: label(l, '会员号', 'Member'), value: (r) => r.memberId },
    { header: label(l, '会员姓名', 'Name'), value: (r) => r.memberName },
    { header: label(l, '金额(元)', 'Amount (CNY)'), value: (r) => yuan(r.totalCents) },
    { header: label(l, '储值支付(元)', 'Stored value (CNY)'), value: (r) => yuan(r.storedValueCents) },
    { header: label(l, '获得积分', 'Points earned'), value: (r) => r.pointsEarned },
  ];
}

function sendExport<Row>(reply: FastifyReply, deps: ReportRoutesDeps, fmt: ExportFormat, name: string, sheet: string, columns: ExportColumn<Row>[], rows: Iterable<Row> | AsyncIterable<Row>) {
  return reply
    .type(exportContentType(fmt))
    .header('content-disposition', `attachment; filename="${name}.${fmt}"`)
    .header('cache-control', 'no-store')
    .send(exportStream(fmt, sheet, columns, rows, deps.onExportError));
}

export function registerReportRoutes(app: FastifyInstance, deps: ReportRoutesDeps): void {
  const { identity, reports } = deps;

  app.get('/api/reports/trend', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    const query = parseRequest(trendQuery, request.query);
    const report = await reports.trend(query, staff.storeIds);
    if (query.format === 'json') return report;
    return sendExport(reply, deps, query.format, `trend-${query.grain}-${report.from}-${report.to}`, label(query.lang, '销售与充值趋势', 'Sales and top-ups'), trendColumns(query.lang), report.buckets);
  });

  app.get('/api/reports/consumption', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    const query = parseRequest(consumptionQuery, request.query);
    if (query.format === 'json') return reports.consumption(query, staff.storeIds);
    const { scope, window } = await reports.scope(query, staff.storeIds);
    return sendExport(reply, deps, query.format, `consumption-${scope.from}-${scope.to}`, label(query.lang, '消费记录', 'Consumption'), consumptionColumns(query.lang), reports.consumptionRows(window));
  });

  app.get('/api/reports/new-members', async (request) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    return reports.newMembers(parseRequest(membersQuery, request.query), staff.storeIds);
  });

  app.get('/api/reports/points-liability', async (request) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    return reports.pointsLiability(parseRequest(plainQuery, request.query), staff.storeIds);
  });

  app.get('/api/reports/top-ups', async (request) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    return reports.topUps(parseRequest(plainQuery, request.query), staff.storeIds);
  });
}
