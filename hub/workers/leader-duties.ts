/**
 * What only the leader worker does (hub/compose/worker-leadership.ts lists them): the scheduled jobs, the broker's
 * revocation sync, the device registry's subscription, configuration republishing, the hub's flows. Started in
 * order when this worker is elected, stopped in reverse order when it steps down; one failing is logged and does
 * not keep the others from starting or stopping.
 */
import type { Logger } from 'pino';

export interface LeaderDuty {
  name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export async function startDuties(duties: readonly LeaderDuty[], log: Logger): Promise<void> {
  for (const duty of duties) {
    try {
      await duty.start();
    } catch (error) {
      log.error({ err: error, duty: duty.name }, 'a leader duty did not start');
    }
  }
}

export async function stopDuties(duties: readonly LeaderDuty[], log: Logger): Promise<void> {
  for (const duty of [...duties].reverse()) {
    try {
      await duty.stop();
    } catch (error) {
      log.error({ err: error, duty: duty.name }, 'a leader duty did not stop cleanly');
    }
  }
}
