/**
 * One hub worker at a time is the leader: it holds a PostgreSQL session advisory lock on a connection of its own.
 * The lock lives as long as that session, so a leader that dies — SIGKILL included: the kernel closes its socket
 * and the server ends the session — frees it at once, and the next worker to try gets it. Non-leaders try every
 * `retryMs` (2 s); the leader checks its session on the same beat, so a leader whose database connection broke
 * notices within one beat plus the query timeout, steps down (WORKER_LEADER_LOST) and tries again like the others.
 *
 * While this worker's check succeeds its session is alive, and an exclusive lock held by a live session cannot be
 * another's: `confirmed` (called after each successful beat) is where the leader may act on the broker (hub-presence
 * reconnects only then, so two workers never fight over the presence connection).
 *
 * `onElected` / `onDemoted` run one at a time, in order, never overlapping a beat.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../core/errors/codes.ts';

/** The advisory lock's key (the ledger's migrations use 7_315_001). */
export const LEADER_LOCK_KEY = 7_315_002;

export interface LeaderElectionOptions {
  url: string;
  /** Shown to PostgreSQL as the session's application_name (`memberkiosk-hub-leader-{id}`): who leads is a query away. */
  workerId: string;
  logger: Logger;
  onElected(): Promise<void>;
  onDemoted(): Promise<void>;
  /** Each beat after which this worker is known to hold the lock. */
  confirmed?: () => void;
  retryMs?: number;
  /** Connect and query timeout on the election's connection. */
  timeoutMs?: number;
}

export class LeaderElection {
  private readonly log: Logger;
  private client: pg.Client | null = null;
  private leader = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaderElectionOptions) {
    this.log = options.logger.child({ component: 'hub.leader' });
  }

  isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    this.schedule(0);
  }

  /** Steps down (the duties stopped first), releases the lock and closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.enqueue(async () => {
      if (this.leader) {
        this.leader = false;
        await this.options.onDemoted().catch((error: unknown) => this.log.error({ err: error }, 'stopping the leader’s duties failed'));
        // Released on purpose, not just by closing: another worker takes over at its next try.
        await this.client?.query('SELECT pg_advisory_unlock($1)', [LEADER_LOCK_KEY]).catch(() => undefined);
        this.log.info({ workerId: this.options.workerId }, 'leader stepped down: the hub is stopping');
      }
      await this.client?.end().catch(() => undefined);
      this.client = null;
    });
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.enqueue(() => this.beat()).finally(() => this.schedule(this.options.retryMs ?? 2_000));
    }, delayMs);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = this.client ?? (await this.connect());
      if (this.leader) {
        await client.query('SELECT 1');
      } else {
        const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [LEADER_LOCK_KEY]);
        if (rows[0]?.got !== true) return;
        this.leader = true;
        this.log.info({ workerId: this.options.workerId }, 'elected leader: this worker runs the scheduled jobs, the device registry and the hub’s presence');
        await this.options.onElected().catch((error: unknown) => this.log.error({ err: error }, 'starting a leader duty failed; the others run'));
      }
      this.options.confirmed?.();
    } catch (error) {
      await this.lose(error);
    }
  }

  private async connect(): Promise<pg.Client> {
    const timeout = this.options.timeoutMs ?? 5_000;
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: `memberkiosk-hub-leader-${this.options.workerId}`,
      connectionTimeoutMillis: timeout,
      query_timeout: timeout,
      keepAlive: true,
    });
    // An idle connection that breaks says so here; without a listener the process would die of it.
    client.on('error', (error) => void this.enqueue(() => (this.client === client ? this.lose(error) : Promise.resolve())));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  /** The session is gone or in doubt: whatever lock it held is (or soon is) free, so this worker leads no more. */
  private async lose(error: unknown): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
    if (!this.leader) {
      this.log.warn({ err: error }, 'cannot reach the database for the leader election; trying again');
      return;
    }
    this.leader = false;
    this.log.error({ code: 'WORKER_LEADER_LOST' satisfies ErrorCode, err: error, workerId: this.options.workerId }, 'lost the leader lock; stopping the leader’s duties');
    await this.options.onDemoted().catch((err: unknown) => this.log.error({ err }, 'stopping the leader’s duties failed'));
  }
}
