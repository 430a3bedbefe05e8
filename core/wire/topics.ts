/**
 * MQTT topic layout. Everything a device says lives under `{base}/v1/devices/{id}/`, so the broker can
 * authorise by prefix; configuration lives under `{base}/v1/config/{scope}`.
 */
export const DEFAULT_BASE_TOPIC = 'memberkiosk';
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface Topics {
  tx(deviceId: string): string;
  txResult(deviceId: string): string;
  request(deviceId: string, requestId: string): string;
  response(deviceId: string, requestId: string): string;
  state(deviceId: string): string;
  availability(deviceId: string): string;
  /**
   * Commands HQ's flows send this kiosk (core/wire/device-command.ts): published by the hub alone, QoS 1, never
   * retained; only this kiosk may subscribe.
   */
  command(deviceId: string): string;
  config(scope: string): string;
  /**
   * Retained: this kiosk's complete signed configuration set (signing key, snapshot, scope bundles) as one
   * message, so a kiosk never sees a snapshot without the bundles it names. Under the kiosk's device scope.
   */
  configSet(deviceId: string): string;
  /** Retained `online`/`offline` (last will) of the hub: a device resends what is pending when the hub comes back. */
  hubAvailability: string;
  /** Wildcards the hub subscribes to. */
  allTx: string;
  allRequests: string;
  allAvailability: string;
  allState: string;
  /** What a topic the hub received is about, or null when it is not one of ours. */
  parse(topic: string): { deviceId: string; channel: 'tx' | 'request' | 'state' | 'availability'; requestId?: string } | null;
}

export function createTopics(base = DEFAULT_BASE_TOPIC): Topics {
  const root = `${base}/v1`;
  const devices = `${root}/devices`;
  return {
    tx: (d) => `${devices}/${d}/tx`,
    txResult: (d) => `${devices}/${d}/tx/result`,
    request: (d, r) => `${devices}/${d}/request/${r}`,
    response: (d, r) => `${devices}/${d}/response/${r}`,
    state: (d) => `${devices}/${d}/state`,
    availability: (d) => `${devices}/${d}/availability`,
    command: (d) => `${devices}/${d}/command`,
    config: (scope) => `${root}/config/${scope}`,
    configSet: (d) => `${root}/config/device/${d}/set`,
    hubAvailability: `${root}/hub/availability`,
    allTx: `${devices}/+/tx`,
    allRequests: `${devices}/+/request/+`,
    allAvailability: `${devices}/+/availability`,
    allState: `${devices}/+/state`,
    parse(topic) {
      if (!topic.startsWith(`${devices}/`)) return null;
      const parts = topic.slice(devices.length + 1).split('/');
      const [deviceId, channel, extra] = parts;
      if (!deviceId || !DEVICE_ID_PATTERN.test(deviceId)) return null;
      if (channel === 'tx' && parts.length === 2) return { deviceId, channel: 'tx' };
      if (channel === 'request' && parts.length === 3 && extra) return { deviceId, channel: 'request', requestId: extra };
      if (channel === 'state' && parts.length === 2) return { deviceId, channel: 'state' };
      if (channel === 'availability' && parts.length === 2) return { deviceId, channel: 'availability' };
      return null;
    },
  };
}
