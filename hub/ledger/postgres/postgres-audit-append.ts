/**
 * Appending an audit line on a connection inside a caller's database transaction (as ../sqlite/audit-log-sql.ts
 * prepareAuditAppend does on SQLite): a change and its line commit together or not at all.
 */
import type pg from 'pg';
import type { AuditEntryInput } from '../../identity/audit-entry.ts';

export async function appendAuditIn(client: pg.ClientBase, e: AuditEntryInput): Promise<void> {
  const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
  await client.query(
    'INSERT INTO audit_log (at, actor_kind, actor_id, surface, action, target, outcome, before_json, after_json, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
    [e.at, e.actorKind, e.actorId, e.surface, e.action, e.target, e.outcome, json(e.before), json(e.after), json(e.detail)],
  );
}
