/**
 * The console's member reports over the hub's API (hub/reports/member-reports.ts):
 *
 * | route | what |
 * |---|---|
 * | `GET /api/reports/member-filters` | the tiers and card types a member report filters by (the latest rules') |
 * | `GET /api/reports/churn?days=90&page&pageSize[&format]` | active / dormant / never-visited counts; dormant and never-visited members, oldest visit first |
 * | `GET /api/reports/credit-warnings?[warning=overdue\|over_limit\|near_limit][&format]` | members near or over their credit limit or overdue |
 * | `GET /api/reports/credit-statements?from&to[&format]` | per statement month: members, owed, due, overdue |
 * | `GET /api/reports/card-distribution[?format]` | members per tier, cards per card type and status |
 * | `GET /api/reports/demographics[?format]` | members per region, age band and gender |
 * | `GET /api/reports/gift-redemptions?from&to[&format]` | redemptions, pieces and points per gift and per store |
 * | `GET /api/reports/referrals?from&to&page&pageSize[&format]` | members by how many members they referred in the period, with their referral points |
 *
 * Every report takes `storeId` or `regionId` (one of the caller's), `tier` and `cardType`; `format=csv|xlsx`
 * streams the whole report (report-export.ts) with Chinese headers unless `lang=en`, money in yuan. Store
 * managers read their stores, region managers their region's, HQ all; cashiers and technicians are refused
 * (AUTH_FORBIDDEN) before anything is read. Phone numbers are masked as the member search masks them, here on
 * the hub's thread before a row is written. Nothing here reads the ledger: the queries run on the report thread,
 * the dormant members' export reads its rows on an export thread as it streams (hub/reports/rows-from-worker.ts).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { parseRequest } from '../../core/errors/parse-request.ts';
import type { StaffRole } from '../../core/ledger/types.ts';
import { maskPhone } from '../../core/privacy/mask.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import {
  churnColumns,
  creditMonthColumns,
  creditWarningColumns,
  demographicColumns,
  distributionColumns,
  giftColumns,
  label,
  referralColumns,
  type DistributionRow,
} from '../reports/member-report-columns.ts';
import type { MemberReports } from '../reports/member-reports.ts';
import { exportContentType, exportStream, type ExportColumn, type ExportFormat } from '../reports/report-export.ts';
import { PHONE_READERS } from './member-console-routes.ts';
import { REPORT_READERS } from './report-routes.ts';
import { requireStaff } from './require-staff.ts';

export interface MemberReportRoutesDeps {
  identity: IdentityService;
  memberReports: MemberReports;
  /** The rules the filters' tiers and card types come from: the hub's latest. */
  rules: Pick<RulesStore, 'latestRulesBundle'>;
  onExportError?: (error: unknown) => void;
  /** Now, in ms (the churn export's days since). */
  now?: () => number;
}

const filter = {
  storeId: z.string().min(1).max(64).optional(),
  regionId: z.string().min(1).max(64).optional(),
  tier: z.string().min(1).max(64).optional(),
  cardType: z.string().min(1).max(64).optional(),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
};
const period = { from: z.string().max(10), to: z.string().max(10) };
const paging = {
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
};
const plainQuery = z.object(filter);
const periodQuery = z.object({ ...filter, ...period });
const churnQuery = z.object({ ...filter, ...paging, days: z.coerce.number().int().min(1).max(3650).default(90) });
const creditWarningQuery = z.object({ ...filter, warning: z.enum(['overdue', 'over_limit', 'near_limit']).optional() });
const referralQuery = z.object({ ...filter, ...period, ...paging });

/** The most referrers one export holds: read whole (a ranking is sorted before its first row). */
const REFERRAL_EXPORT_LIMIT = 100_000;

function sendExport<Row>(reply: FastifyReply, deps: MemberReportRoutesDeps, fmt: ExportFormat, name: string, sheet: string, columns: ExportColumn<Row>[], rows: Iterable<Row> | AsyncIterable<Row>) {
  return reply
    .type(exportContentType(fmt))
    .header('content-disposition', `attachment; filename="${name}.${fmt}"`)
    .header('cache-control', 'no-store')
    .send(exportStream(fmt, sheet, columns, rows, deps.onExportError));
}

/** Each row as it arrives; ending early (the client went away) ends `rows`, and with it their reader. */
async function* mapRows<A, B>(rows: AsyncIterable<A>, f: (row: A) => B): AsyncGenerator<B> {
  for await (const row of rows) yield f(row);
}

export function registerMemberReportRoutes(app: FastifyInstance, deps: MemberReportRoutesDeps): void {
  const { identity, memberReports: reports } = deps;
  const now = deps.now ?? Date.now;
  const phoneOf = (role: StaffRole) => (PHONE_READERS.includes(role) ? <T extends { phone: string }>(row: T) => row : <T extends { phone: string }>(row: T) => ({ ...row, phone: maskPhone(row.phone) }));
  const fileTag = (q: { storeId?: string | undefined; regionId?: string | undefined }) => q.storeId ?? q.regionId ?? 'all';

  app.get('/api/reports/member-filters', async (request) => {
    await requireStaff(identity, request, REPORT_READERS);
    const bundle = await deps.rules.latestRulesBundle();
    const cardTypes = bundle?.cardTypes;
    return {
      tiers: bundle?.tiers?.ladder.map((step) => step.tier) ?? [],
      cardTypes: cardTypes?.types.map((t) => ({ typeId: t.typeId, label: t.label })) ?? [],
      defaultCardType: cardTypes ? (cardTypes.default ?? cardTypes.types[0]?.typeId ?? null) : null,
    };
  });

  app.get('/api/reports/churn', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    const query = parseRequest(churnQuery, request.query);
    const phone = phoneOf(staff.role);
    if (query.format === 'json') {
      const report = await reports.churn(query, staff.storeIds);
      return { ...report, members: report.members.map(phone) };
    }
    const { scope, rows } = await reports.churnRows(query, staff.storeIds);
    return sendExport(reply, deps, query.format, `churn-${query.days}d-${fileTag(query)}`, label(query.lang, '沉睡会员', 'Dormant members'), churnColumns(query.lang, scope.timezone, now()), mapRows(rows, phone));
  });

  app.get('/api/reports/credit-warnings', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    const query = parseRequest(creditWarningQuery, request.query);
    const report = await reports.creditWarnings(query, staff.storeIds);
    const members = report.members.map(phoneOf(staff.role));
    if (query.format === 'json') return { ...report, members };
    return sendExport(reply, deps, query.format, `credit-warnings-${fileTag(query)}`, label(query.lang, '赊账预警', 'Credit warnings'), creditWarningColumns(query.lang), members);
  });

  app.get('/api/reports/credit-statements', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    const query = parseRequest(periodQuery, request.query);
    const report = await reports.creditStatements(query, staff.storeIds);
    if (query.format === 'json') return report;
    return sendExport(reply, deps, query.format, `credit-statements-${query.from}-${query.to}`, label(query.lang, '赊账对账单', 'Credit statements'), creditMonthColumns(query.lang), report.months);
  });

  app.get('/api/reports/card-distribution', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    const query = parseRequest(plainQuery, request.query);
    const report = await reports.cardDistribution(query, staff.storeIds);
    if (query.format === 'json') return report;
    const l = query.lang;
    const rows: DistributionRow[] = [
      ...report.tiers.map((t) => ({ what: label(l, '等级会员数', 'Members per tier'), key: t.tier, name: t.tier, count: t.count })),
      ...report.cardTypes.flatMap((t) =>
        Object.entries(t.byStatus).map(([status, count]) => ({ what: label(l, `卡类型·${status}`, `Cards, ${status}`), key: t.cardType ?? '', name: t.label ?? t.cardType ?? label(l, '默认', 'default'), count })),
      ),
    ];
    return sendExport(reply, deps, query.format, `card-distribution-${fileTag(query)}`, label(l, '卡类型与等级分布', 'Card types and tiers'), distributionColumns(l), rows);
  });

  app.get('/api/reports/demographics', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    const query = parseRequest(plainQuery, request.query);
    const report = await reports.demographics(query, staff.storeIds);
    if (query.format === 'json') return report;
    return sendExport(reply, deps, query.format, `demographics-${fileTag(query)}`, label(query.lang, '区域年龄性别分布', 'Region, age, gender'), demographicColumns(query.lang), report.rows);
  });

  app.get('/api/reports/gift-redemptions', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    const query = parseRequest(periodQuery, request.query);
    const report = await reports.gifts(query, staff.storeIds);
    if (query.format === 'json') return report;
    return sendExport(reply, deps, query.format, `gift-redemptions-${query.from}-${query.to}`, label(query.lang, '礼品兑换', 'Gift redemptions'), giftColumns(query.lang), report.rows);
  });

  app.get('/api/reports/referrals', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, REPORT_READERS);
    const query = parseRequest(referralQuery, request.query);
    const exporting = query.format !== 'json';
    const report = await reports.referrals(exporting ? { ...query, page: 1, pageSize: REFERRAL_EXPORT_LIMIT } : query, staff.storeIds);
    const members = report.members.map(phoneOf(staff.role));
    if (query.format === 'json') return { ...report, members };
    return sendExport(reply, deps, query.format, `referrals-${query.from}-${query.to}`, label(query.lang, '推荐排行', 'Referral ranking'), referralColumns(query.lang), members);
  });
}
