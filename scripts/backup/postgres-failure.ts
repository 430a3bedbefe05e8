/**
 * PostgreSQL's refusals (no such database, a login refused, a permission) and a server that cannot be reached,
 * as the one line a command prints for them (with the URL's password masked). Anything else is a defect, and its
 * stack is what whoever fixes it needs: null.
 */
import pg from 'pg';

/** Socket errors of a PostgreSQL server that cannot be reached. */
const UNREACHABLE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

export function describePostgresFailure(error: unknown, shownUrl: string): string | null {
  const { code } = error as { code?: unknown };
  if (error instanceof pg.DatabaseError || (typeof code === 'string' && UNREACHABLE.has(code))) return `PostgreSQL at ${shownUrl}: ${(error as Error).message} (${String(code)})`;
  return null;
}
