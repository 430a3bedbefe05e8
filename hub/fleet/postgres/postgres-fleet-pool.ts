/**
 * One connection pool to the hub's PostgreSQL database for the stores that lived in fleet.sqlite (the fleet
 * registry, the signed configuration, the device registry), shared by the three: each opens and closes it as it
 * opens and closes, and the pool is made (and the database migrated) on the first open and ended on the last close.
 * The ledger keeps a pool of its own: a burst of kiosk batches never waits for a fleet connection, nor the other way.
 *
 * The migrations are the ledger's list (hub/ledger/postgres/postgres-migrations.ts, version 8 holds these tables):
 * one versioned runner for the whole database, so whoever opens a fresh database first — ledger or fleet — brings
 * all of it up to date under the runner's advisory lock.
 */
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { LEDGER_PG_TYPES } from '../../ledger/postgres/pg-integer-types.ts';
import { migratePostgres } from '../../ledger/postgres/postgres-migrations.ts';

export interface PostgresFleetPoolOptions {
  /** postgres://user@host:port/database: the ledger's database. */
  url: string;
  logger?: Logger | null;
  /** Connections kept (default 4: the fleet's writes are few and short). */
  max?: number;
}

export class PostgresFleetPool {
  private pool: pg.Pool | null = null;
  private opening: Promise<pg.Pool> | null = null;
  private users = 0;
  private readonly log: Logger | null;

  constructor(private readonly options: PostgresFleetPoolOptions) {
    this.log = options.logger?.child({ component: 'hub.fleet.postgres' }) ?? null;
  }

  /** Opens (first user) or joins the pool. Every acquire() is matched by one release(). */
  async acquire(): Promise<void> {
    this.users++;
    try {
      this.opening ??= this.connect();
      this.pool = await this.opening;
    } catch (error) {
      this.users--;
      this.opening = null;
      throw error;
    }
  }

  async release(): Promise<void> {
    if (this.users === 0) return;
    this.users--;
    if (this.users > 0) return;
    const pool = this.pool;
    this.pool = null;
    this.opening = null;
    await pool?.end();
  }

  /** The database's URL, for a connection of one's own (LISTEN needs one that is never handed back to the pool). */
  get url(): string {
    return this.options.url;
  }

  get handle(): pg.Pool {
    if (!this.pool) throw new CodedError('FLEET_NOT_OPEN', 'the fleet database is not open');
    return this.pool;
  }

  /** `work` on one connection inside BEGIN … COMMIT (ROLLBACK when it throws). */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.handle.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async connect(): Promise<pg.Pool> {
    // BIGINT read as safe integers (versions, depths, offsets), as the ledger reads them.
    const pool = new pg.Pool({ connectionString: this.options.url, max: this.options.max ?? 4, types: LEDGER_PG_TYPES });
    pool.on('error', (error) => this.log?.error({ err: error }, 'an idle PostgreSQL connection of the fleet failed'));
    try {
      // migratePostgres logs what it applied; a pool opened without a logger (the CLI) says nothing.
      await migratePostgres(pool, this.log ?? pino({ level: 'silent' }));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw error;
    }
    return pool;
  }
}
