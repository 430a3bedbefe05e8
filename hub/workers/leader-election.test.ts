/**
 * The leader election on a real PostgreSQL (a throwaway cluster): one of several contenders leads; a leader that
 * stops hands over at the next try; a leader whose session the server ends (as when its connection breaks) notices,
 * stops its duties and is not leader until it wins the lock again.
 */
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { freshPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { LEADER_LOCK_KEY, LeaderElection } from './leader-election.ts';

afterAll(async () => {
  await stopPostgres();
});

interface Contender {
  id: string;
  election: LeaderElection;
  events: string[];
}

describe('leader election (real PostgreSQL)', () => {
  const contenders: Contender[] = [];

  afterEach(async () => {
    await Promise.all(contenders.map((c) => c.election.stop()));
    contenders.length = 0;
  });

  const contend = (url: string, id: string): Contender => {
    const events: string[] = [];
    const election = new LeaderElection({
      url,
      workerId: id,
      logger: pino({ level: 'silent' }),
      retryMs: 100,
      onElected: async () => void events.push('elected'),
      onDemoted: async () => void events.push('demoted'),
    });
    const contender = { id, election, events };
    contenders.push(contender);
    election.start();
    return contender;
  };

  const holder = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; pid: number }>(
        `SELECT a.application_name AS name, a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND l.objid = $1`,
        [LEADER_LOCK_KEY],
      );
      return rows;
    } finally {
      await client.end();
    }
  };

  it('elects exactly one; a stopping leader hands over; a leader whose session ends steps down', async () => {
    const url = await freshPostgresDatabase('election');
    const all = ['a', 'b', 'c'].map((id) => contend(url, id));
    await vi.waitFor(() => expect(all.filter((c) => c.election.isLeader())).toHaveLength(1), { timeout: 5_000, interval: 20 });
    // Still one after several rounds of tries.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const first = all.find((c) => c.election.isLeader())!;
    expect(all.filter((c) => c.election.isLeader())).toEqual([first]);
    expect((await holder(url)).map((r) => r.name)).toEqual([`memberkiosk-hub-leader-${first.id}`]);

    // Stopping: duties stopped, lock released, another leads at its next try.
    await first.election.stop();
    expect(first.events).toEqual(['elected', 'demoted']);
    await vi.waitFor(() => expect(all.filter((c) => c !== first && c.election.isLeader())).toHaveLength(1), { timeout: 5_000, interval: 20 });
    const second = all.find((c) => c.election.isLeader())!;

    // The server ends the leader's session (what a broken connection comes to): it steps down, and someone leads again.
    const [session] = await holder(url);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [session!.pid]);
    await admin.end();
    await vi.waitFor(() => expect(second.events).toContain('demoted'), { timeout: 5_000, interval: 20 });
    await vi.waitFor(() => expect(all.filter((c) => c !== first && c.election.isLeader())).toHaveLength(1), { timeout: 5_000, interval: 20 });
    expect((await holder(url))).toHaveLength(1);
  });
});
