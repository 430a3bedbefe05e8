/**
 * What the hub does with its connected MQTT client: routes each kiosk message to the part that answers it,
 * subscribes (again after every reconnect), publishes configuration again where it leads, and announces itself
 * online. Apart from hub/main.ts so the composition root reads as steps.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import { parseTransaction } from '../../core/wire/parse-transaction.ts';
import type { TxResultAnswer } from '../../core/wire/result.ts';
import type { Topics } from '../../core/wire/topics.ts';
import type { ConfigSync } from '../config/config-sync.ts';
import type { LookupResponder } from '../ingest/lookup-responder.ts';
import type { TxIngest } from '../ingest/tx-ingest.ts';
import type { HubMetrics } from '../metrics/hub-metrics.ts';
import type { DeviceStatusRecorder } from '../registry/device-status-recorder.ts';
import type { WorkerTopics } from '../workers/worker-topics.ts';

export interface KioskTrafficDeps {
  /** The client just connected: its handlers are registered on it. */
  client: MqttClient;
  /** The hub's client while it runs, null once stop() has begun: what the handlers answer and resubscribe through. */
  current: () => MqttClient | null;
  topics: Topics;
  /** Worker mode's topics (shared subscriptions, the registry's, its own availability); null: the hub alone. */
  workerMqtt: WorkerTopics | null;
  /** Whether this hub does what one does for all (alone: always; a worker: while it leads). */
  leads: () => boolean;
  ownAvailability: string;
  metrics: HubMetrics;
  sync: ConfigSync;
  deviceStatus: DeviceStatusRecorder;
  txIngest: TxIngest;
  lookups: LookupResponder;
  logger: Logger;
}

/** Registers the handlers, subscribes and announces the hub online; resolves once the broker has both. */
export async function routeKioskTraffic(deps: KioskTrafficDeps): Promise<void> {
  const { client, current, topics, workerMqtt, leads, ownAvailability, deviceStatus, logger: log } = deps;
  // Every connect from here on is a reconnect: the first one was awaited before.
  client.on('connect', () => deps.metrics.mqttReconnected());
  client.on('connect', () => {
    if (leads()) void deps.sync.republishAll().catch((error: unknown) => log.error({ err: error }, 'could not publish configuration again after reconnecting'));
  });
  client.on('message', (topic, payload, packet) => {
    const route = topics.parse(topic);
    // HQ transactions are made inside the hub, never received: whatever claims to be "hq" on the wire is
    // an impostor (manual bonuses are accepted from "hq" only) and is answered without touching the ledger.
    if (route?.deviceId === HQ_DEVICE_ID) {
      if (route.channel === 'tx') {
        log.warn({ topic }, 'refused a transaction published under the HQ device id');
        current()?.publish(topics.txResult(HQ_DEVICE_ID), JSON.stringify(refuseImpostor(payload)), { qos: 1 });
      }
      return;
    }
    if (!route) return;
    // Retained state and availability arrive flagged retain when the hub subscribes (now or after a reconnect).
    if (route.channel === 'state') deviceStatus.receiveState(route.deviceId, payload, packet.retain);
    else if (route.channel === 'availability') deviceStatus.receiveAvailability(route.deviceId, payload, packet.retain);
    else {
      deviceStatus.seen(route.deviceId);
      if (route.channel === 'tx') deps.txIngest.receive(route.deviceId, payload);
      else if (route.requestId) deps.lookups.receive(route.deviceId, route.requestId, payload);
    }
  });
  // The device registry's topics too: subscribing delivers every kiosk's retained state and availability (also
  // of kiosks that reported while the hub was away, on an external broker).
  // A worker: transactions and look-ups shared with the other workers; the registry's topics are the leader's.
  const subscriptions = workerMqtt ? workerMqtt.shared : [topics.allTx, topics.allRequests, topics.allState, topics.allAvailability];
  await client.subscribeAsync(subscriptions, { qos: 1 });
  // After every reconnect: subscriptions of a clean session are gone, and devices should resend what they hold
  // (a worker announces only itself: the leader's presence tells the kiosks, hub/workers/hub-presence.ts).
  client.on('connect', () => {
    const again = workerMqtt && leads() ? [...subscriptions, ...workerMqtt.registry] : subscriptions;
    void current()?.subscribeAsync(again, { qos: 1 }).then(() => current()?.publish(ownAvailability, 'online', { qos: 1, retain: true }));
  });
  await client.publishAsync(ownAvailability, 'online', { qos: 1, retain: true });
}

/** The answer to anything published as HQ over MQTT: refused, recorded nowhere, but named when it can be read. */
function refuseImpostor(payload: Buffer): TxResultAnswer {
  const parsed = parseTransaction(payload);
  const slot = parsed.ok ? parsed.tx : parsed.stage === 'body' ? parsed.header : null;
  return {
    id: slot?.id ?? (parsed.ok ? null : parsed.stage === 'envelope' ? parsed.id : null),
    seq: slot?.seq ?? null,
    status: 'rejected',
    code: 'TX_NOT_ALLOWED_FROM_DEVICE',
    message: 'HQ transactions are not accepted over MQTT',
    recorded: false,
  };
}
