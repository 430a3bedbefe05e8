/**
 * How the reports read a PostgreSQL ledger: each report in one read-only REPEATABLE READ snapshot on a pool of the
 * reports' own (a long report never takes a connection the kiosks' batches wait for), refused REPORT_TIMEOUT by the
 * server's statement_timeout past REPORT_TIMEOUT_MS (PostgreSQL can stop a statement, so no thread is needed), and an
 * export's rows read through a server-side cursor, a batch at a time, on a connection held while it streams.
 */
import pg from 'pg';
import { CodedError } from '../../core/errors/coded-error.ts';
import { LEDGER_PG_TYPES } from '../ledger/postgres/pg-integer-types.ts';

/** Longer than any report of a year of a 50-store chain takes; as worker-report-reads.ts's. */
export const POSTGRES_REPORT_TIMEOUT_MS = 30_000;
/** Rows per FETCH of an export's cursor. */
const CURSOR_ROWS = 500;
const QUERY_CANCELED = '57014';

/** Numbered parameters gathered while a statement is written: `p(value)` answers its `$n`. */
export class SqlParams {
  readonly values: unknown[] = [];
  p(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The member filter on the member id `memberId` (a column): their tier now, a card of the card type. */
export function inMembersSql(q: SqlParams, window: { tier: string | null; cardType: string | null; cardTypeIsDefault: 0 | 1 }, memberId: string): string {
  if (window.tier === null && window.cardType === null) return 'TRUE';
  const tier = window.tier === null ? '' : ` AND fm.tier = ${q.p(window.tier)}`;
  const card =
    window.cardType === null
      ? ''
      : ` AND EXISTS (SELECT 1 FROM cards fc WHERE fc.member_id = fm.member_id AND (fc.card_type = ${q.p(window.cardType)}${window.cardTypeIsDefault === 1 ? ' OR fc.card_type IS NULL' : ''}))`;
  return `EXISTS (SELECT 1 FROM members fm WHERE fm.member_id = ${memberId}${tier}${card})`;
}

export type ReportQuery = <T extends pg.QueryResultRow>(sql: string, values: unknown[]) => Promise<T[]>;

export class PostgresReportSnapshots {
  private readonly pool: pg.Pool;

  constructor(url: string, poolSize = 4, private readonly timeoutMs = POSTGRES_REPORT_TIMEOUT_MS) {
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, types: LEDGER_PG_TYPES });
    // An idle connection the server dropped: the pool replaces it; the report on it fails and can be asked again.
    this.pool.on('error', () => undefined);
  }

  /** One report's reads, all in one snapshot. */
  async read<T>(work: (query: ReportQuery) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(this.timeoutMs))}`);
      const value = await work(async <R extends pg.QueryResultRow>(sql: string, values: unknown[]) => (await client.query<R>(sql, values)).rows);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      if ((error as { code?: unknown }).code === QUERY_CANCELED) throw new CodedError('REPORT_TIMEOUT', `a report ran past ${this.timeoutMs} ms and was stopped`);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Every row of `sql`, in its order, through a cursor in one snapshot: FETCHed a batch at a time as the iteration
   * asks, so an export neither buffers nor holds more than a batch. No time limit (an export of a year takes as
   * long as the client reads); ending or abandoning the iteration closes the cursor and frees the connection.
   */
  async *rows<T extends pg.QueryResultRow>(sql: string, values: unknown[]): AsyncGenerator<T> {
    const client = await this.pool.connect();
    let broken = true;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`DECLARE report_rows NO SCROLL CURSOR FOR ${sql}`, values);
      for (;;) {
        const batch = (await client.query<T>(`FETCH ${CURSOR_ROWS} FROM report_rows`)).rows;
        for (const row of batch) yield row;
        if (batch.length < CURSOR_ROWS) break;
      }
      broken = false;
    } finally {
      // Also on an abandoned iteration: ROLLBACK closes the cursor and ends the snapshot.
      await client
        .query('ROLLBACK')
        .then(() => (broken = false))
        .catch(() => (broken = true));
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
