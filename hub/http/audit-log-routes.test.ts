/**
 * The audit log's filters and export over the hub API with Fastify inject, on each real ledger back end (SQLite in
 * memory; PostgreSQL on a throwaway cluster, hub/testing/start-postgres.ts, whose export is an async iterable) and
 * real logins: the xlsx read back with exceljs holds exactly the filtered entries (times in the chain's zone, Chinese
 * headers; English with lang=en), the CSV too; the export is itself audited; non-HQ roles are refused.
 */
import ExcelJS from 'exceljs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createIdentityService, type IdentityService } from '../identity/identity-service.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { localDateTime } from '../reports/report-period.ts';
import { staffAuthorization } from '../testing/staff-actor.ts';
import { buildApp } from './build-app.ts';

const TZ = 'Asia/Shanghai';

const silent = pino({ level: 'silent' });
const backends = [
  { name: 'SQLite', open: () => openLedger({ kind: 'sqlite', path: ':memory:', logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE }) },
  { name: 'PostgreSQL', open: async () => openLedger({ kind: 'postgres', url: await freshMigratedPostgresDatabase('audit_log'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 }) },
];

describe.each(backends)('audit log filters and export (real $name, real logins)', ({ open }) => {
  let ledger: Ledger;
  let identity: IdentityService;
  let app: ReturnType<typeof buildApp>;
  let admin: { authorization: string };

  beforeAll(async () => {
    ledger = await open();
    await seedDemoData(ledger);
    identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }) });
    app = buildApp({ store: ledger, identity, identityStore: ledger.identity, brokerUrl: 'mqtt://127.0.0.1:1883', auditLog: { timezone: async () => TZ } });
    admin = await staffAuthorization(identity, 'hq_admin', ['*']);
    // Entries to filter: three of one action on the CLI surface, one refused, one other.
    const at = new Date().toISOString();
    for (const n of [1, 2, 3]) await ledger.identity.appendAudit({ at, actorKind: 'cli', actorId: 'ops', surface: 'cli', action: 'test.export', target: `T${n}`, outcome: 'ok', before: null, after: { n }, detail: null });
    await ledger.identity.appendAudit({ at, actorKind: 'cli', actorId: 'ops', surface: 'cli', action: 'test.export', target: 'T4', outcome: 'refused:AUTH_FORBIDDEN', before: null, after: null, detail: null });
    await ledger.identity.appendAudit({ at, actorKind: 'cli', actorId: 'ops', surface: 'cli', action: 'test.other', target: 'T5', outcome: 'ok', before: null, after: null, detail: null });
  });
  afterAll(async () => {
    expect(await ledger.audit()).toEqual([]);
    await app.close();
    await ledger.close();
    await stopPostgres();
  });

  const today = () => localDateTime(new Date().toISOString(), TZ).slice(0, 10);
  const tomorrow = () => new Date(Date.parse(`${today()}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  async function sheetOf(bytes: Buffer): Promise<(string | number | null)[][]> {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
    const rows: (string | number | null)[][] = [];
    // Empty cells read back as holes: null, as the export wrote them.
    workbook.worksheets[0]!.eachRow((row) => rows.push(Array.from({ length: 12 }, (_, i) => (row.values as (string | number | null | undefined)[])[i + 1] ?? null)));
    return rows;
  }

  it('lists by surface, outcome prefix and period', async () => {
    const list = (q: string) => app.inject({ method: 'GET', url: `/api/audit-log?${q}`, headers: admin }).then((r) => r.json<{ entries: { target: string }[] }>().entries.map((e) => e.target));
    expect(await list('surface=cli&action=test.')).toEqual(['T5', 'T4', 'T3', 'T2', 'T1']);
    expect(await list('surface=cli&outcome=refused')).toEqual(['T4']);
    expect(await list(`action=test.&from=${today()}&to=${tomorrow()}`)).toHaveLength(5);
    expect(await list(`action=test.&from=${tomorrow()}`)).toEqual([]);
    expect((await app.inject({ method: 'GET', url: `/api/audit-log?from=${tomorrow()}&to=${today()}`, headers: admin })).statusCode).toBe(400);
  });

  it('exports the filtered entries as xlsx (read back) and CSV, audits the export, refuses other roles', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/audit-log/export?action=test.export&outcome=ok&format=xlsx', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="audit-log-.*\.xlsx"/);
    const rows = await sheetOf(res.rawPayload);
    expect(rows[0]).toEqual(['编号', '时间', '操作者类型', '操作者', '操作者姓名', '来源', '操作', '对象', '结果', '变更前', '变更后', '详情']);
    expect(rows.slice(1).map((r) => r[7])).toEqual(['T3', 'T2', 'T1']);
    expect(rows[1]).toEqual([expect.any(Number), expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/), '命令行', 'ops', null, 'cli', 'test.export', 'T3', 'ok', null, '{"n":3}', null]);
    expect(String(rows[1]![1]).slice(0, 10)).toBe(today());

    const csv = await app.inject({ method: 'GET', url: '/api/audit-log/export?action=test.&surface=cli&format=csv&lang=en', headers: admin });
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('No.,Time,Actor kind,Actor,Actor name,Surface,Action,Target,Outcome,Before,After,Details');
    expect(lines.slice(1).map((l) => l.split(',')[7])).toEqual(['T5', 'T4', 'T3', 'T2', 'T1']);

    // Who exported what: the filters in the entry, and not itself in its own file.
    const exports = await ledger.identity.auditEntries({ limit: 5, action: 'audit.export' });
    expect(exports.map((e) => e.detail)).toEqual([
      expect.objectContaining({ format: 'csv', filter: { action: 'test.', surface: 'cli' } }),
      expect.objectContaining({ format: 'xlsx', filter: { action: 'test.export', outcome: 'ok' } }),
    ]);
    const whole = await sheetOf((await app.inject({ method: 'GET', url: '/api/audit-log/export?action=audit.export', headers: admin })).rawPayload);
    expect(whole.length - 1).toBe(2);

    for (const role of ['region_manager', 'store_manager', 'cashier', 'technician'] as const) {
      const other = await staffAuthorization(identity, role, role === 'region_manager' ? ['*'] : [DEMO_STORE_ID]);
      expect((await app.inject({ method: 'GET', url: '/api/audit-log/export?format=csv', headers: other })).statusCode).toBe(403);
    }
    expect((await app.inject({ method: 'GET', url: '/api/audit-log/export?format=csv' })).statusCode).toBe(401);
  });
});
