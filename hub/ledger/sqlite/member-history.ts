/**
 * A member's history, a page at a time, newest first: the member view's recent entries and the look-up
 * member.history. Keyset pagination on transactions_by_member (member_id, created_at), which — the table being
 * WITHOUT ROWID — also holds tx_id after created_at, so `ORDER BY created_at DESC, tx_id DESC` below a position
 * is one index range walked backwards: no OFFSET, no sort, the same cost for the hundredth page as for the first.
 *
 * A page ends strictly below the last entry shown (core/wire/history-cursor.ts), so a transaction recorded between
 * two pages never repeats or hides one: a newer one is above the cursor (the next first page shows it), an older
 * one (a kiosk's offline sale arriving late) falls on a later page once. Every transaction of a member carries its
 * date: only an unreadable payload has none, and that names no member.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { HistoryPosition } from '../../../core/wire/history-cursor.ts';
import type { HistoryEntry } from '../../../core/wire/lookup.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { HistoryPage } from '../ledger-store.ts';

interface HistoryRow {
  tx_id: string;
  kind: string;
  created_at: string;
  status: 'applied' | 'rejected';
  code: string | null;
  result: string;
  store_id: unknown;
}

const COLUMNS = "tx_id, kind, created_at, status, code, result, json_extract(payload, '$.storeId') AS store_id";

interface HistoryStatements {
  newest: Statement<[string, number], HistoryRow>;
  below: Statement<[string, string, string, number], HistoryRow>;
}

/** Prepared once per database connection. */
const statements = new WeakMap<Database, HistoryStatements>();

function statementsOf(db: Database): HistoryStatements {
  let prepared = statements.get(db);
  if (!prepared) {
    prepared = {
      newest: db.prepare(`SELECT ${COLUMNS} FROM transactions WHERE member_id = ? AND created_at IS NOT NULL ORDER BY created_at DESC, tx_id DESC LIMIT ?`),
      below: db.prepare(
        `SELECT ${COLUMNS} FROM transactions WHERE member_id = ? AND (created_at, tx_id) < (?, ?) ORDER BY created_at DESC, tx_id DESC LIMIT ?`,
      ),
    };
    statements.set(db, prepared);
  }
  return prepared;
}

/** `limit` entries of the member's history below `before` (null: from the newest), and where the next page starts. */
export function memberHistoryPage(db: Database, memberId: string, before: HistoryPosition | null, limit: number): HistoryPage {
  const { newest, below } = statementsOf(db);
  // One row more than the page: whether there is a next page, without a second query.
  const rows = before === null ? newest.all(memberId, limit + 1) : below.all(memberId, before.at, before.txId, limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { entries: page.map(historyEntry), next: rows.length > limit && last ? { at: last.created_at, txId: last.tx_id } : null };
}

function historyEntry(row: HistoryRow): HistoryEntry {
  const outcome = (JSON.parse(row.result) as TxResult).outcome;
  return {
    txId: row.tx_id,
    kind: row.kind,
    at: row.created_at,
    status: row.status,
    valueDeltaCents: outcome?.valueDeltaCents ?? 0,
    pointsDelta: outcome ? outcome.pointsEarned - outcome.pointsSpent : 0,
    storeId: typeof row.store_id === 'string' ? row.store_id : null,
    ...(row.status === 'rejected' && row.code !== null ? { code: row.code } : {}),
  };
}
