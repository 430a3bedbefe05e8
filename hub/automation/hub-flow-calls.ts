/**
 * What the hub's Node-RED child may ask of the hub (flows/runtime/protocol.ts HUB_CALLS), and nothing more: member
 * summaries and segments, audited points grants through the ledger's one write path, messages through the hub's
 * messaging service, and a message on one kiosk's screen. Every call's parameters are checked here (a flow is
 * code someone wrote in an editor: FLOW_PARAMS_INVALID, never a crash), and every call is logged with its method
 * and outcome — never its parameters, which hold member ids, names and message texts.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CodedError, isCodedError } from '../../core/errors/coded-error.ts';
import { parseRequest } from '../../core/errors/parse-request.ts';
import { SHOW_MESSAGE_COMMAND, showMessageArgsSchema } from '../../core/wire/device-command.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { DEVICE_ID_PATTERN } from '../../core/wire/topics.ts';
import { HUB_CALLS, type DeviceCommandValue, type FlowCallHandler, type FlowCalls, type MessageSendParams, type MessageSendValue } from '../../flows/runtime/protocol.ts';
import type { HqTransactionBody, LedgerStore } from '../ledger/ledger-store.ts';
import type { SendDeviceCommand } from './device-commands.ts';
import type { FlowActor } from './flow-actor.ts';
import { createPointsGrant } from './grant-points.ts';
import type { MemberReads } from './member-reads.ts';

const messageSendSchema = z.object({
  // Exactly one addressee: an object naming both is neither.
  to: z.union([z.object({ memberId: z.string().min(1).max(64) }).strict(), z.object({ storeManagers: z.string().min(1).max(64) }).strict()]),
  purpose: z.enum(['service', 'marketing']),
  text: z.string().min(1).max(500),
  idempotencyKey: z.string().min(1).max(128),
}) satisfies z.ZodType<MessageSendParams>;

const deviceCommandSchema = z.object({
  deviceId: z.string().regex(DEVICE_ID_PATTERN, 'a device id is 1–64 of A–Z a–z 0–9 _ -'),
  command: z.literal(SHOW_MESSAGE_COMMAND),
  // The kiosk's own check of the command's args (core/wire/device-command.ts): refused here rather than dropped there.
  args: showMessageArgsSchema,
});

export interface HubFlowCallsDeps {
  ledger: Pick<LedgerStore, 'applyHq' | 'memberViewById'>;
  reads: MemberReads;
  actor: FlowActor;
  /** The hub's messaging service (hub/messaging/). */
  messages: { send(params: MessageSendParams): Promise<MessageSendValue> };
  /** Publishes a command to one kiosk (device-commands.ts). */
  sendDeviceCommand: SendDeviceCommand;
  /** The kiosk as the fleet knows it (FleetRegistry.device), or null: never enrolled. */
  device: (deviceId: string) => Promise<{ revokedAt: string | null } | null>;
  /** Told of each HQ transaction a grant made (hub-flow-events.ts hqResult). */
  onLedgerResult?: (body: HqTransactionBody, result: TxResult) => void;
  logger: Logger;
}

export function createHubFlowCalls(deps: HubFlowCallsDeps): FlowCalls {
  const log = deps.logger.child({ component: 'hub.flow-calls' });
  const grant = createPointsGrant({ ledger: deps.ledger, actor: deps.actor, ...(deps.onLedgerResult ? { onResult: deps.onLedgerResult } : {}) });

  /** The handler, with one log line per call: its method, how it ended, how long it took. */
  const logged = (method: string, handler: FlowCallHandler): FlowCallHandler => async (params) => {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      const value = await handler(params);
      log.info({ method, ms: ms() }, 'flow call answered');
      return value;
    } catch (error) {
      if (isCodedError(error)) log.info({ method, code: error.code, ms: ms() }, 'flow call refused');
      else log.error({ method, err: error, ms: ms() }, 'flow call failed');
      throw error;
    }
  };

  return {
    [HUB_CALLS.memberGet]: logged(HUB_CALLS.memberGet, (params) => deps.reads.get(params)),
    [HUB_CALLS.memberSegment]: logged(HUB_CALLS.memberSegment, (params) => deps.reads.segment(params)),
    [HUB_CALLS.pointsGrant]: logged(HUB_CALLS.pointsGrant, grant),
    [HUB_CALLS.messageSend]: logged(HUB_CALLS.messageSend, (params) => deps.messages.send(parseRequest(messageSendSchema, params, 'FLOW_PARAMS_INVALID'))),
    [HUB_CALLS.deviceCommand]: logged(HUB_CALLS.deviceCommand, async (params): Promise<DeviceCommandValue> => {
      const { deviceId, command, args } = parseRequest(deviceCommandSchema, params, 'FLOW_PARAMS_INVALID');
      const device = await deps.device(deviceId);
      if (!device || device.revokedAt !== null) throw new CodedError('FLOW_DEVICE_UNKNOWN', `no enrolled kiosk ${deviceId} (or it is revoked)`);
      await deps.sendDeviceCommand(deviceId, { command, args });
      return { sent: true };
    }),
  };
}
