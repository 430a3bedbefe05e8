/** The audit log's statements, shared by the write port (staff transactions) and the identity store. */
import type { Database } from 'better-sqlite3';
import type { AuditEntry, AuditEntryInput } from '../../identity/audit-entry.ts';

export interface AuditFilter {
  limit: number;
  /** Entries before this id (paging back). */
  beforeId?: number;
  actorId?: string;
  /** A prefix: 'tx.' finds every transaction, 'staff.' every sign-in and account change. */
  action?: string;
  target?: string;
  surface?: string;
  /** A prefix: 'refused' finds every refusal, whatever its code. */
  outcome?: string;
  /** Entries at or after this instant (ISO), and before `toIso`. */
  fromIso?: string;
  toIso?: string;
}

export function prepareAuditAppend(db: Database): (entry: AuditEntryInput) => void {
  const insert = db.prepare(
    `INSERT INTO audit_log (at, actor_kind, actor_id, surface, action, target, outcome, before_json, after_json, detail)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
  return (e) => {
    insert.run(e.at, e.actorKind, e.actorId, e.surface, e.action, e.target, e.outcome, json(e.before), json(e.after), json(e.detail));
  };
}

interface AuditRow {
  audit_id: number; at: string; actor_kind: AuditEntry['actorKind']; actor_id: string; surface: string; action: string;
  target: string | null; outcome: string; before_json: string | null; after_json: string | null; detail: string | null;
}

/** Newest first. */
export function readAuditEntries(db: Database, filter: AuditFilter): AuditEntry[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  const add = (clause: string, value: string | number) => {
    where.push(clause);
    params.push(value);
  };
  if (filter.beforeId !== undefined) add('audit_id < ?', filter.beforeId);
  if (filter.actorId !== undefined) add('actor_id = ?', filter.actorId);
  const prefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  if (filter.action !== undefined) add("action LIKE ? ESCAPE '\\'", prefix(filter.action));
  if (filter.target !== undefined) add('target = ?', filter.target);
  if (filter.surface !== undefined) add('surface = ?', filter.surface);
  if (filter.outcome !== undefined) add("outcome LIKE ? ESCAPE '\\'", prefix(filter.outcome));
  if (filter.fromIso !== undefined) add('at >= ?', filter.fromIso);
  if (filter.toIso !== undefined) add('at < ?', filter.toIso);
  const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY audit_id DESC LIMIT ?`;
  const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
  return db.prepare<(string | number)[], AuditRow>(sql).all(...params, Math.min(Math.max(filter.limit, 1), 1000)).map((r) => ({
    auditId: r.audit_id, at: r.at, actorKind: r.actor_kind, actorId: r.actor_id, surface: r.surface, action: r.action,
    target: r.target, outcome: r.outcome, before: parse(r.before_json), after: parse(r.after_json), detail: parse(r.detail) as Record<string, unknown> | null,
  }));
}

/** Page size of auditEntryRows: one page is read at a time, between which the connection is free. */
const ROWS_PAGE = 1000;

/**
 * Every entry the filter matches (its limit ignored), newest first, read a page at a time as it is iterated: no
 * statement stays open while the consumer (a streamed export) waits, so the connection serves everything else
 * meanwhile. Entries appended during the iteration are not included (they come after its first page).
 */
export function* iterateAuditEntries(db: Database, filter: Omit<AuditFilter, 'limit'>): Generator<AuditEntry> {
  let beforeId = filter.beforeId;
  for (;;) {
    const page = readAuditEntries(db, { ...filter, limit: ROWS_PAGE, ...(beforeId === undefined ? {} : { beforeId }) });
    yield* page;
    if (page.length < ROWS_PAGE) return;
    beforeId = page[page.length - 1]!.auditId;
  }
}
