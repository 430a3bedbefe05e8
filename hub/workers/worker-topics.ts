/**
 * The topics only hub workers use (kiosks never see them; the hub's broker account covers `{base}/#`):
 *
 * - the shared subscriptions for what kiosks send the hub — transactions and look-up requests — so each message
 *   reaches one worker of the group (`$share/{group}/…`, MQTT 5; Mosquitto 2 also takes them from 3.1.1 clients);
 * - the device registry's topics, subscribed plainly by the leader alone: a broker never hands retained messages
 *   to a shared subscription, and the registry is built from the retained state and availability;
 * - each worker's own retained availability (`hub/workers/{id}/availability`, `online`, last will `offline`), which
 *   the leader watches: a worker's death is the moment to tell kiosks to resend what it had not committed.
 */
import type { Topics } from '../../core/wire/topics.ts';

export interface WorkerTopics {
  /** What every worker subscribes to, shared with the other workers. */
  shared: string[];
  /** What the leader alone subscribes to (retained messages reach plain subscriptions only). */
  registry: string[];
  /** This worker's availability. */
  availability: string;
  /** Every worker's availability (the leader's watch). */
  allAvailability: string;
  /** The worker id an availability topic names, or null. */
  workerOf(topic: string): string | null;
}

export function workerTopics(base: string, topics: Topics, group: string, workerId: string): WorkerTopics {
  const workers = `${base}/v1/hub/workers`;
  return {
    shared: [topics.allTx, topics.allRequests].map((filter) => `$share/${group}/${filter}`),
    registry: [topics.allState, topics.allAvailability],
    availability: `${workers}/${workerId}/availability`,
    allAvailability: `${workers}/+/availability`,
    workerOf(topic) {
      if (!topic.startsWith(`${workers}/`) || !topic.endsWith('/availability')) return null;
      const id = topic.slice(workers.length + 1, -'/availability'.length);
      return id.length > 0 && !id.includes('/') ? id : null;
    },
  };
}
