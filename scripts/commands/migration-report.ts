/** The table `memberkiosk migrate` prints: what was copied and compared, what was left and why, and the checks. */
import type { MigrationReport } from '../../hub/ledger/migrate-to-postgres.ts';

export function printMigrationReport(report: MigrationReport, out: (line: string) => void): void {
  const width = Math.max(5, ...report.tables.map((t) => t.table.length), ...report.checks.map((c) => c.check.length));
  out('');
  out(`${'table'.padEnd(width)}  ${'sqlite rows'.padStart(11)}  ${'postgres rows'.padStart(13)}  rows and content`);
  for (const t of report.tables) {
    out(`${t.table.padEnd(width)}  ${String(t.sqliteRows).padStart(11)}  ${String(t.postgresRows).padStart(13)}  ${t.equal ? 'equal' : 'DIFFER'}${t.note ? ` (${t.note})` : ''}`);
  }
  if (report.leftBehind.length) {
    out('');
    out('not copied:');
    for (const l of report.leftBehind) out(`  ${l.table.includes('.') ? l.table : `${l.table} (${l.rows} rows)`}: ${l.why}`);
  }
  out('');
  const sqliteWidth = Math.max(6, ...report.checks.map((c) => c.sqlite.length));
  const postgresWidth = Math.max(8, ...report.checks.map((c) => c.postgres.length));
  out(`${'check'.padEnd(width)}  ${'sqlite'.padEnd(sqliteWidth)}  ${'postgres'.padEnd(postgresWidth)}  result`);
  for (const c of report.checks) {
    out(`${c.check.padEnd(width)}  ${c.sqlite.padEnd(sqliteWidth)}  ${c.postgres.padEnd(postgresWidth)}  ${c.equal ? 'equal' : 'DIFFER'}${c.detail ? `: ${c.detail}` : ''}`);
  }
  out('');
}
