/**
 * A hub worker's part in the chain: it runs for the leader lock (leader-election.ts) and, while it holds it, keeps
 * the hub's presence (hub-presence.ts) and runs the leader's duties (leader-duties.ts). Every worker applies
 * transactions and answers look-ups whatever its part; this is only what one of them does for all.
 */
import type { Logger } from 'pino';
import type { HubPresence } from './hub-presence.ts';
import { LeaderElection } from './leader-election.ts';
import { startDuties, stopDuties, type LeaderDuty } from './leader-duties.ts';

export interface WorkerRoleOptions {
  workerId: string;
  /** The ledger's database: the leader lock is held there. */
  dbUrl: string;
  presence: HubPresence;
  duties: readonly LeaderDuty[];
  logger: Logger;
  retryMs?: number;
}

export interface WorkerRole {
  isLeader(): boolean;
  /** Steps down if leading (duties stopped, presence left to its delayed will, lock released). */
  stop(): Promise<void>;
}

export function startWorkerRole(options: WorkerRoleOptions): WorkerRole {
  const log = options.logger.child({ component: 'hub.worker' });
  const election = new LeaderElection({
    url: options.dbUrl,
    workerId: options.workerId,
    logger: options.logger,
    ...(options.retryMs ? { retryMs: options.retryMs } : {}),
    // Presence first: after a leader's death the kiosks resend as soon as a successor is there.
    onElected: async () => {
      options.presence.ensure();
      await startDuties(options.duties, log);
    },
    onDemoted: async () => {
      await options.presence.release();
      await stopDuties(options.duties, log);
    },
    confirmed: () => options.presence.ensure(),
  });
  election.start();
  return {
    isLeader: () => election.isLeader(),
    stop: () => election.stop(),
  };
}
