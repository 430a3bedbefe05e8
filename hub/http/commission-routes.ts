/**
 * Staff commission (员工提成) over the hub's API (docs/ACCOUNTS.md):
 *
 * | route | who |
 * |---|---|
 * | `PUT /api/staff/:staffId/level` `{level}` — a staff member's level (员工级别), null to clear; audited | HQ admin |
 * | `GET /api/reports/commission?from=YYYY-MM-DD&to=YYYY-MM-DD[&storeId=S][&format=csv]` — per staff member and consumption code | store manager (their stores), region manager (their region's stores), HQ admin (all) |
 *
 * A level decides what every sale of the staff member's pays, chain-wide: HQ's to set, as the commission
 * schedule is (it travels in the signed rules). A report outside the caller's stores is AUTH_FORBIDDEN, before
 * anything is read; a cashier reads none (their colleagues' pay is not theirs to see).
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { commissionCsv, commissionReport, type CommissionReportDeps } from '../commission/commission-report.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import { MEMBER_READERS, requireStaff } from './require-staff.ts';

export interface CommissionRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'listStaff'>;
  reads: CommissionReportDeps['reads'];
  rules: CommissionReportDeps['rules'];
}

const levelBody = z.object({ level: z.string().max(64).nullable() });
const reportQuery = z.object({
  from: z.string().max(10),
  to: z.string().max(10),
  storeId: z.string().min(1).max(64).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

/** Whose reports: the managers who read members read their stores' commission too (require-staff.ts). */
export const COMMISSION_READERS = MEMBER_READERS;

export function registerCommissionRoutes(app: FastifyInstance, deps: CommissionRoutesDeps): void {
  app.put<{ Params: { staffId: string } }>('/api/staff/:staffId/level', async (request) => {
    const { staff } = await requireStaff(deps.identity, request, ['hq_admin']);
    const body = parseRequest(levelBody, request.body);
    const account = await deps.identity.setLevel(request.params.staffId, body.level, { kind: 'staff', id: staff.staffId, surface: 'hub' });
    return { staffId: account.staffId, name: account.name, role: account.role, storeIds: account.storeIds, level: account.level };
  });

  app.get('/api/reports/commission', async (request, reply) => {
    const { staff } = await requireStaff(deps.identity, request, COMMISSION_READERS);
    const query = parseRequest(reportQuery, request.query);
    const report = await commissionReport({ reads: deps.reads, identity: deps.identityStore, rules: deps.rules }, query, staff.storeIds);
    if (query.format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="commission-${report.from}-${report.to}.csv"`)
        .send(commissionCsv(report));
    }
    return report;
  });
}
