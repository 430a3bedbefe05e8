/**
 * A hub worker's run for the lead (hub/workers/): what the leader alone does for all — the duties listed here,
 * started when this worker is elected and stopped when it steps down — and the hub's presence it keeps while it
 * leads. Apart from hub/main.ts so the composition root reads as steps.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { ConfigSync } from '../config/config-sync.ts';
import type { HubAutomation } from '../automation/hub-automation.ts';
import { HubPresence } from '../workers/hub-presence.ts';
import type { LeaderDuty } from '../workers/leader-duties.ts';
import { startWorkerRole, type WorkerRole } from '../workers/worker-role.ts';
import type { WorkerTopics } from '../workers/worker-topics.ts';
import type { ResolvedHubConfig } from './hub-config.ts';
import type { ScheduledJobs } from './scheduled-jobs.ts';

export interface WorkerLeadershipInputs {
  config: ResolvedHubConfig;
  workerMqtt: WorkerTopics | null;
  /** The hub's availability, which the leader's presence keeps. */
  hubAvailability: string;
  hubClient: MqttClient;
  sync: ConfigSync;
  revocations: { start(): void; stop(): Promise<void> };
  jobs: ScheduledJobs;
  automation: HubAutomation;
  /** What the presence's own connection trusts on the external broker. */
  cas: () => string[];
  logger: Logger;
}

/** The worker's role, running for the lead; null for a hub alone (it does all of this itself from start()). */
export function runForTheLead(inputs: WorkerLeadershipInputs): WorkerRole | null {
  const { config, workerMqtt, hubClient, sync, revocations, jobs, automation: hubAutomation, logger: log } = inputs;
  const worker = config.worker;
  if (!(worker && workerMqtt && config.db.kind === 'postgres' && config.broker.mode === 'external')) return null;
  const registry = workerMqtt.registry;
  // What one worker does for all, started when this one is elected and stopped when it steps down.
  const leaderDuties: LeaderDuty[] = [
    // Not awaited: while the client reconnects a subscribe waits, and it is made again on its reconnect anyway.
    {
      name: 'device registry',
      start: () => void hubClient.subscribeAsync(registry, { qos: 1 }).catch((error: unknown) => log.warn({ err: error }, 'could not subscribe to the device registry’s topics; again on reconnect')),
      stop: () => void hubClient.unsubscribeAsync(registry).catch(() => undefined),
    },
    { name: 'configuration republish', start: () => void sync.republishAll().catch((error: unknown) => log.error({ err: error }, 'could not publish configuration on taking the lead')), stop: () => undefined },
    { name: 'revocation sync', start: () => revocations.start(), stop: () => revocations.stop() },
    {
      name: 'scheduled jobs',
      start: () => {
        jobs.sweepInBackground();
        jobs.startHourly();
      },
      stop: async () => {
        jobs.stopHourly();
        await jobs.settled();
      },
    },
    { name: 'Node-RED', start: () => void hubAutomation.start(), stop: () => hubAutomation.stop() },
  ];
  const broker = config.broker;
  const presence = new HubPresence({
    url: broker.url,
    ...(broker.username ? { username: broker.username } : {}),
    ...(broker.password ? { password: broker.password } : {}),
    ca: inputs.cas(),
    hubAvailability: inputs.hubAvailability,
    workerTopics: workerMqtt,
    workerId: worker.id,
    clientId: `${config.baseTopic}-hub-presence`,
    logger: log,
  });
  return startWorkerRole({ workerId: worker.id, dbUrl: config.db.url, presence, duties: leaderDuties, logger: log });
}
