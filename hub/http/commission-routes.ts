/**
 * Staff commission (员工提成) over the hub's API (docs/ACCOUNTS.md):
 *
 * | route | who |
 * |---|---|
 * | `PUT /api/staff/:staffId/level` `{level}` — a staff member's level (员工级别), null to clear; audited | HQ admin |
 * | `GET /api/commission/schedule` — the commission schedule of the hub's current rules (read-only: HQ changes it in the rules) | store manager, region manager, HQ admin |
 * | `GET /api/reports/commission?from=YYYY-MM-DD&to=YYYY-MM-DD[&storeId=S\|regionId=R][&format=csv\|xlsx][&lang=en]` — per staff member and consumption code (CSV in cents; xlsx in yuan, Chinese headers unless `lang=en`) | store manager (their stores), region manager (their region's stores), HQ admin (all) |
 *
 * A level decides what every sale of the staff member's pays, chain-wide: HQ's to set, as the commission
 * schedule is (it travels in the signed rules). A report outside the caller's stores is AUTH_FORBIDDEN, before
 * anything is read; a cashier reads none (their colleagues' pay is not theirs to see).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { commissionCsv, commissionReport, type CommissionReportDeps } from '../commission/commission-report.ts';
import { exportContentType, exportStream, yuan, type ExportColumn } from '../reports/report-export.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import { MEMBER_READERS, requireStaff } from './require-staff.ts';

export interface CommissionRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'listStaff'>;
  reads: CommissionReportDeps['reads'];
  rules: CommissionReportDeps['rules'];
  storesOfRegion?: CommissionReportDeps['storesOfRegion'];
}

const levelBody = z.object({ level: z.string().max(64).nullable() });
const reportQuery = z.object({
  from: z.string().max(10),
  to: z.string().max(10),
  storeId: z.string().min(1).max(64).optional(),
  regionId: z.string().min(1).max(64).optional(),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
  lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
});

interface CommissionRow { staffId: string; name: string | null; level: string | null; code: string; amountCents: number | null; count: number | null; commissionCents: number }

/** The xlsx's columns: the CSV's rows (a staff member's codes, then their total), money in yuan. */
function commissionColumns(lang: 'zh-CN' | 'en'): ExportColumn<CommissionRow>[] {
  const l = (zh: string, en: string) => (lang === 'en' ? en : zh);
  return [
    { header: l('员工编号', 'Staff'), value: (r) => r.staffId },
    { header: l('姓名', 'Name'), value: (r) => r.name, width: 24 },
    { header: l('级别', 'Level'), value: (r) => r.level },
    { header: l('提成项目', 'Code'), value: (r) => r.code },
    { header: l('金额(元)', 'Amount (CNY)'), value: (r) => (r.amountCents === null ? null : yuan(r.amountCents)) },
    { header: l('笔数', 'Count'), value: (r) => r.count },
    { header: l('提成(元)', 'Commission (CNY)'), value: (r) => yuan(r.commissionCents) },
  ];
}

/** Whose reports: the managers who read members read their stores' commission too (require-staff.ts). */
export const COMMISSION_READERS = MEMBER_READERS;

export function registerCommissionRoutes(app: FastifyInstance, deps: CommissionRoutesDeps): void {
  app.put<{ Params: { staffId: string } }>('/api/staff/:staffId/level', async (request) => {
    const { staff } = await requireStaff(deps.identity, request, ['hq_admin']);
    const body = parseRequest(levelBody, request.body);
    const account = await deps.identity.setLevel(request.params.staffId, body.level, { kind: 'staff', id: staff.staffId, surface: 'hub' });
    return { staffId: account.staffId, name: account.name, role: account.role, storeIds: account.storeIds, level: account.level };
  });

  // The schedule travels in the signed rules: shown here, changed on the Rules page only.
  app.get('/api/commission/schedule', async (request) => {
    await requireStaff(deps.identity, request, COMMISSION_READERS);
    const bundle = await deps.rules.latestRulesBundle();
    return { rulesVersion: bundle?.version ?? null, commission: bundle?.commission ?? null };
  });

  app.get('/api/reports/commission', async (request, reply) => {
    const { staff } = await requireStaff(deps.identity, request, COMMISSION_READERS);
    const query = parseRequest(reportQuery, request.query);
    const report = await commissionReport({ reads: deps.reads, identity: deps.identityStore, rules: deps.rules, ...(deps.storesOfRegion ? { storesOfRegion: deps.storesOfRegion } : {}) }, query, staff.storeIds);
    if (query.format === 'xlsx') {
      const rows: CommissionRow[] = report.staff.flatMap((s) => [
        ...s.codes.map((line) => ({ staffId: s.staffId, name: s.name, level: s.level, ...line })),
        { staffId: s.staffId, name: s.name, level: s.level, code: 'total', amountCents: null, count: null, commissionCents: s.totalCents },
      ]);
      return reply
        .type(exportContentType('xlsx'))
        .header('content-disposition', `attachment; filename="commission-${report.from}-${report.to}.xlsx"`)
        .send(exportStream('xlsx', query.lang === 'en' ? 'Commission' : '员工提成', commissionColumns(query.lang), rows));
    }
    if (query.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="commission-${report.from}-${report.to}.csv"`)
        .send(commissionCsv(report));
    }
    return report;
  });
}
