/**
 * The audit log over the API, for HQ admins (as the console's page):
 *
 * | route | what |
 * |---|---|
 * | `GET /api/audit-log?limit&beforeId&actorId&action&target&surface&outcome&from&to` | newest first, a page |
 * | `GET /api/audit-log/export?…same filters…&format=xlsx\|csv&lang=zh-CN\|en` | every entry the filters match, streamed |
 *
 * `action` and `outcome` are prefixes ('tx.' every transaction, 'refused' every refusal); `from` is the first
 * local day, `to` the first day after (as the reports), in the chain's time zone (the newest rules bundle's), which
 * the export's times are in too. An export is itself audited (`audit.export`, with its filters) before its first
 * byte; it holds the entries up to that moment, not its own line. Export headers are Chinese unless `lang=en`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { DEFAULT_TIMEZONE } from '../../core/rules/compile.ts';
import { clockFor } from '../../core/rules/local-time.ts';
import type { AuditEntry } from '../identity/audit-entry.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { AuditQuery, IdentityStore } from '../identity/identity-store.ts';
import { exportContentType, exportStream, type ExportColumn } from '../reports/report-export.ts';
import { localDateTime } from '../reports/report-period.ts';
import { requireStaff } from './require-staff.ts';

export interface AuditLogRoutesDeps {
  identity: IdentityService;
  identityStore: Pick<IdentityStore, 'auditEntries' | 'appendAudit' | 'listStaff'> & Partial<Pick<IdentityStore, 'auditEntryRows'>>;
  /** The chain's time zone (the newest rules bundle's); Asia/Shanghai unless told. */
  timezone?: () => Promise<string>;
  /** Where an export that failed while streaming is logged. */
  onExportError?: (error: unknown) => void;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const filters = {
  beforeId: z.coerce.number().int().positive().optional(),
  actorId: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  target: z.string().max(64).optional(),
  surface: z.string().max(64).optional(),
  outcome: z.string().max(64).optional(),
  from: z.string().regex(DAY, 'from is a date YYYY-MM-DD').optional(),
  to: z.string().regex(DAY, 'to is a date YYYY-MM-DD').optional(),
};
const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), ...filters });
const exportQuery = z.object({ ...filters, format: z.enum(['xlsx', 'csv']).default('xlsx'), lang: z.enum(['zh-CN', 'en']).default('zh-CN') });
type Filters = Omit<z.infer<typeof exportQuery>, 'format' | 'lang'>;
type Lang = 'zh-CN' | 'en';

/** A local day's first instant in `timezone`, as the audit log's `at` text compares. */
function instantOf(day: string, timezone: string): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, date));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== date) throw new CodedError('BAD_REQUEST', `${day} is not a date`);
  return new Date(clockFor(timezone).instantOfLocal(year, month, date)).toISOString();
}

/** The store's query from the API's: empty texts are no filter, days become instants. */
function auditQueryOf(f: Filters, timezone: string): Omit<AuditQuery, 'limit'> {
  const text = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());
  const query: Omit<AuditQuery, 'limit'> = {
    beforeId: f.beforeId,
    actorId: text(f.actorId),
    action: text(f.action),
    target: text(f.target),
    surface: text(f.surface),
    outcome: text(f.outcome),
    fromIso: f.from ? instantOf(f.from, timezone) : undefined,
    toIso: f.to ? instantOf(f.to, timezone) : undefined,
  };
  if (query.fromIso && query.toIso && query.toIso <= query.fromIso) throw new CodedError('BAD_REQUEST', 'to is a later day than from (the first day after the period)');
  return query;
}

const ACTOR_KINDS: Record<AuditEntry['actorKind'], [string, string]> = { staff: ['员工', 'Staff'], device: ['自助机', 'Kiosk'], cli: ['命令行', 'CLI'], system: ['系统', 'System'] };
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

function auditColumns(lang: Lang, timezone: string, names: ReadonlyMap<string, string>): ExportColumn<AuditEntry>[] {
  const label = (zh: string, en: string) => (lang === 'en' ? en : zh);
  return [
    { header: label('编号', 'No.'), value: (e) => e.auditId, width: 10 },
    { header: label('时间', 'Time'), value: (e) => localDateTime(e.at, timezone), width: 20 },
    { header: label('操作者类型', 'Actor kind'), value: (e) => ACTOR_KINDS[e.actorKind][lang === 'en' ? 1 : 0] },
    { header: label('操作者', 'Actor'), value: (e) => e.actorId, width: 30 },
    { header: label('操作者姓名', 'Actor name'), value: (e) => names.get(e.actorId) ?? null },
    { header: label('来源', 'Surface'), value: (e) => e.surface },
    { header: label('操作', 'Action'), value: (e) => e.action, width: 22 },
    { header: label('对象', 'Target'), value: (e) => e.target, width: 30 },
    { header: label('结果', 'Outcome'), value: (e) => e.outcome, width: 22 },
    { header: label('变更前', 'Before'), value: (e) => json(e.before), width: 40 },
    { header: label('变更后', 'After'), value: (e) => json(e.after), width: 40 },
    { header: label('详情', 'Details'), value: (e) => json(e.detail), width: 40 },
  ];
}

export function registerAuditLogRoutes(app: FastifyInstance, deps: AuditLogRoutesDeps): void {
  const { identity, identityStore } = deps;
  const timezone = async () => (deps.timezone ? await deps.timezone() : DEFAULT_TIMEZONE);

  app.get('/api/audit-log', async (request) => {
    await requireStaff(identity, request, ['hq_admin']);
    const { limit, ...rest } = parseRequest(listQuery, request.query);
    return { entries: await identityStore.auditEntries({ limit, ...auditQueryOf(rest, await timezone()) }) };
  });

  const rowsOf = identityStore.auditEntryRows?.bind(identityStore);
  if (!rowsOf) return;
  app.get('/api/audit-log/export', async (request, reply) => {
    const { staff } = await requireStaff(identity, request, ['hq_admin']);
    const { format, lang, ...rest } = parseRequest(exportQuery, request.query);
    const tz = await timezone();
    const query = auditQueryOf(rest, tz);
    // Up to the newest entry now: the export's own line (next) and whatever comes while it streams are not in it.
    const newest = (await identityStore.auditEntries({ limit: 1 }))[0]?.auditId ?? 0;
    const upTo = Math.min(query.beforeId ?? Number.MAX_SAFE_INTEGER, newest + 1);
    const filter = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== ''));
    await identityStore.appendAudit({
      at: new Date().toISOString(), actorKind: 'staff', actorId: staff.staffId, surface: 'hub', action: 'audit.export', target: null, outcome: 'ok',
      before: null, after: null, detail: { format, filter, upToAuditId: upTo - 1 },
    });
    const names = new Map((await identityStore.listStaff()).map((s) => [s.staffId, s.name] as const));
    const stamp = new Date().toISOString().slice(0, 10);
    return reply
      .type(exportContentType(format))
      .header('content-disposition', `attachment; filename="audit-log-${stamp}.${format}"`)
      .header('cache-control', 'no-store')
      .send(exportStream(format, lang === 'en' ? 'Audit log' : '审计日志', auditColumns(lang, tz, names), rowsOf({ ...query, beforeId: upTo }), deps.onExportError));
  });
}
