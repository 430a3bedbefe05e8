/**
 * HQ's commands to one kiosk (the hub's `device command` node → device.command, hub/automation/hub-flow-calls.ts):
 * published on the kiosk's command topic with the hub's own MQTT client, QoS 1 and never retained — a kiosk that is
 * away now does not get it hours later, when it no longer means anything (core/wire/device-command.ts). Only the hub
 * may publish there and only that kiosk may read it (hub/broker/device-acl.ts).
 *
 * Resolves once the broker took the command (PUBACK); that says nothing of whether the kiosk is connected. Checked
 * here too, whoever calls: a command the kiosk would drop is refused as DEVICE_COMMAND_INVALID instead.
 */
import type { MqttClient } from 'mqtt';
import { CodedError } from '../../core/errors/coded-error.ts';
import { deviceCommandSchema, encodeDeviceCommand, MAX_DEVICE_COMMAND_BYTES } from '../../core/wire/device-command.ts';
import { DEVICE_ID_PATTERN, type Topics } from '../../core/wire/topics.ts';

export interface DeviceCommandRequest {
  command: string;
  args: Record<string, unknown>;
}

export type SendDeviceCommand = (deviceId: string, request: DeviceCommandRequest) => Promise<void>;

export function createDeviceCommandSender(client: Pick<MqttClient, 'publishAsync'>, topics: Pick<Topics, 'command'>, now: () => number = Date.now): SendDeviceCommand {
  return async (deviceId, request) => {
    // The id becomes a topic level: never one with a wildcard or a slash in it.
    if (!DEVICE_ID_PATTERN.test(deviceId)) throw new CodedError('DEVICE_ID_INVALID', `not a device id: ${deviceId.slice(0, 70)}`);
    const parsed = deviceCommandSchema.safeParse({ command: request.command, args: request.args, sentAt: new Date(now()).toISOString() });
    if (!parsed.success) throw new CodedError('DEVICE_COMMAND_INVALID', parsed.error.issues.map((i) => `${i.path.join('.') || '(command)'}: ${i.message}`).join('; '));
    const payload = encodeDeviceCommand(parsed.data);
    if (Buffer.byteLength(payload) > MAX_DEVICE_COMMAND_BYTES) throw new CodedError('DEVICE_COMMAND_INVALID', `the command is over ${MAX_DEVICE_COMMAND_BYTES} bytes`);
    await client.publishAsync(topics.command(deviceId), payload, { qos: 1, retain: false });
  };
}
