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
  /** The SQL already carries its values as literals (literalOf) and no `$n`: sent as it is (params empty). */
  inlined?: true;
}

/** Runs the statements in order in one round trip; answers how many rows each changed. */
export async function sendInOneRoundTrip(client: pg.ClientBase, statements: readonly StatementToSend[]): Promise<number[]> {
  if (statements.length === 0) return [];
  const text = statements.map((s) => `${s.inlined ? s.sql : inlineParameters(s.sql, s.params)};`).join('\n');
  const answer = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
  const results = Array.isArray(answer) ? answer : [answer];
  if (results.length !== statements.length) throw new Error(`${statements.length} statements sent, ${results.length} answered`);
  return results.map((r) => r.rowCount ?? 0);
}

/**
 * Runs the reads in order in one round trip (as sendInOneRoundTrip, e.g. a batch's bulk reads, postgres-batch-
 * prefetch.ts); answers each one's rows, typed by the client's type parsers as a parameterised query's are (both
 * come as text).
 */
export async function queryInOneRoundTrip(client: pg.ClientBase, statements: readonly StatementToSend[]): Promise<Record<string, unknown>[][]> {
  if (statements.length === 0) return [];
  const text = statements.map((s) => `${inlineParameters(s.sql, s.params)};`).join('\n');
  const answer = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
  const results = Array.isArray(answer) ? answer : [answer];
  if (results.length !== statements.length) throw new Error(`${statements.length} statements sent, ${results.length} answered`);
  return results.map((r) => r.rows as Record<string, unknown>[]);
}

/** A text[] value as one parameter: the array literal `pg` itself sends for a string array (each element quoted). */
export function textArray(values: Iterable<string>): string {
  return `{${[...values].map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
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

/** A value as the SQL literal PostgreSQL types from its context as it types an untyped parameter. */
export function literalOf(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`cannot write ${value} to the ledger`);
  return escapeLiteral(String(value));
}

/**
 * pg.escapeLiteral's very output (quotes and backslashes doubled, E'…' when there is a backslash), with the
 * engine's replaceAll instead of its loop over each character: a batch's literals are its payloads, a few hundred
 * kilobytes, and the loop was a measurable part of a batch's time.
 */
export function escapeLiteral(text: string): string {
  const quoted = text.replaceAll("'", "''");
  return text.includes('\\') ? ` E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}
