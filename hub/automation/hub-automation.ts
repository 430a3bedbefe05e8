/**
 * The hub's automations put together: the messaging service (SMS to members, the staff webhook), the flows' acting
 * account, the calls and events the hub's Node-RED gets, and the supervised Node-RED itself. Built once the hub's
 * MQTT client is up; the ingest is given `ingestResults` so applied transactions reach the flows. With Node-RED off
 * the events go nowhere and the messaging service still serves the console's routes.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { TxResult } from '../../core/wire/result.ts';
import type { Topics } from '../../core/wire/topics.ts';
import type { NodeRedConfig } from '../../flows/runtime/node-red-config.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { ReceivedTransaction } from '../ledger/ledger-store.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { createMessageService, type MessageServiceDeps } from '../messaging/message-service.ts';
import { sendersFromConfig, type MessagingConfig } from '../messaging/messaging-config.ts';
import type { DeviceStatusRecorder } from '../registry/device-status-recorder.ts';
import { createDeviceCommandSender } from './device-commands.ts';
import { createFlowActor } from './flow-actor.ts';
import { createHubFlowCalls } from './hub-flow-calls.ts';
import { createHubFlowEvents } from './hub-flow-events.ts';
import { startHubFlows, type HubFlows } from './hub-flows.ts';
import { createMemberReads } from './member-reads.ts';

export interface HubAutomationOptions {
  nodeRed: NodeRedConfig & { actAs?: string | undefined };
  messaging: MessagingConfig;
  dataDir: string;
  store: Ledger;
  fleet: FleetRegistry;
  identity: IdentityService;
  client: MqttClient;
  topics: Topics;
  deviceStatus: DeviceStatusRecorder;
  timezone: () => Promise<string>;
  logger: Logger;
  /** Told what became of each message the flows send (the hub's metrics). */
  onMessageOutcome?: MessageServiceDeps['onOutcome'];
}

export interface HubAutomation {
  /** For TxIngest's `onResults`. */
  ingestResults(batch: readonly ReceivedTransaction[], results: readonly TxResult[]): void;
  /** Starts Node-RED when it is switched on (not awaited by the hub's start: members are served either way). */
  start(): HubFlows | null;
  stop(): Promise<void>;
  flows(): HubFlows | null;
  readonly senders: ReturnType<typeof sendersFromConfig>;
}

export function createHubAutomation(options: HubAutomationOptions): HubAutomation {
  const { store, fleet, logger } = options;
  let flows: HubFlows | null = null;
  const senders = sendersFromConfig(options.messaging);
  const messages = createMessageService({ store: store.messaging, ...senders, storeName: async (id) => (await fleet.store(id))?.name ?? null, logger, ...(options.onMessageOutcome ? { onOutcome: options.onMessageOutcome } : {}) });
  const events = createHubFlowEvents({ emit: (topic, payload) => flows?.runtime.emit(topic, payload), logger, storeOf: async (id) => (await fleet.device(id))?.storeId ?? null });
  let unwatchDevices: (() => void) | null = null;
  return {
    senders,
    ingestResults: (batch, results) => events.ingestResults(batch, results),
    flows: () => flows,
    start() {
      if (!options.nodeRed.enabled) return null;
      const actAs = options.nodeRed.actAs;
      const actor = createFlowActor({ actAs: actAs ?? '', identity: options.identity, staff: store.identity, logger });
      // A wrong account is logged, not fatal: the grant calls check it again, so fixing it needs no restart.
      if (!actAs) logger.error({ code: 'FLOW_ACTOR_INVALID' }, 'Node-RED runs without an account to act as (nodeRed.actAs): points grants are refused');
      else actor.start().catch((error: unknown) => logger.error({ err: error }, 'the flows\u2019 acting account cannot act: points grants are refused until it is fixed'));
      const calls = createHubFlowCalls({
        ledger: store,
        reads: createMemberReads({ reads: store.automation, timezone: options.timezone }),
        actor,
        messages,
        sendDeviceCommand: createDeviceCommandSender(options.client, options.topics),
        device: (id) => fleet.device(id),
        onLedgerResult: (body, result) => events.hqResult(body, result),
        logger,
      });
      flows = startHubFlows({
        config: options.nodeRed,
        dataDir: options.dataDir,
        identity: options.identity,
        identityStore: store.identity,
        calls,
        watchEvents: () => {
          unwatchDevices = options.deviceStatus.onRecorded((status, change) => events.deviceRecorded(status, change));
          return () => unwatchDevices?.();
        },
        logger,
      });
      return flows;
    },
    async stop() {
      const running = flows;
      flows = null;
      await running?.stop();
      await events.settled();
    },
  };
}
