/**
 * A step's buffered writes sent in one round trip. `pg` has no pipelining: each parameterised statement waits for
 * its answer before the next is sent, and a purchase writes about ten rows, so a step cost ten round trips. The
 * simple-query protocol takes several statements in one message; it has no parameters, so each `$n` is replaced
 * by its value as a quoted literal (pg.escapeLiteral). A quoted literal is an untyped constant that PostgreSQL types
 * from its context exactly as it types an untyped parameter — which is how `pg` sends parameters (as text, type
 * unknown) — so every statement means what it meant with parameters. The statements run in order inside the
 * transaction under way, the first that fails stops the rest and the error is thrown as `pg` threw it.
 */
import pg from 'pg';
import type { SqlValue } from './sync-reads.ts';

export interface StatementToSend {
  sql: string;
  params: readonly SqlValue[];
}

/** Runs the statements in order in one round trip; answers how many rows each changed. */
export async function sendInOneRoundTrip(client: pg.ClientBase, statements: readonly StatementToSend[]): Promise<number[]> {
  if (statements.length === 0) return [];
  const text = statements.map((s) => `${inlineParameters(s.sql, s.params)};`).join('\n');
  const answer = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
  const results = Array.isArray(answer) ? answer : [answer];
  if (results.length !== statements.length) throw new Error(`${statements.length} statements sent, ${results.length} answered`);
  return results.map((r) => r.rowCount ?? 0);
}

/**
 * The statement with each `$n` outside quotes replaced by the literal of params[n-1]. Only statements of this
 * folder come here (constant SQL, values in params), but quoted text is skipped all the same, and a `$n` without
 * its value is an error, never left in place.
 */
export function inlineParameters(sql: string, params: readonly SqlValue[]): string {
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g, (match, index: string | undefined) => {
    if (index === undefined) return match;
    const n = Number(index);
    if (n < 1 || n > params.length) throw new Error(`statement names $${index} but has ${params.length} values`);
    return literalOf(params[n - 1]!);
  });
}

function literalOf(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot write ${value} to the ledger`);
  return pg.escapeLiteral(String(value));
}
