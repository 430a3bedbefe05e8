/**
 * The benchmarks' raw mqtt.js client, the baseline the spine is measured against: MQTT 3.1.1, a clean session, no
 * reconnects, and Nagle off (as the kiosk's and the hub's own clients), so a round trip is not held back by TCP.
 */
import mqtt, { type MqttClient } from 'mqtt';

export async function connectRawClient(url: string, clientId: string, credentials: { username?: string; password?: string } | null = null): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId, clean: true, reconnectPeriod: 0, ...(credentials ? { username: credentials.username, password: credentials.password } : {}) });
  (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  return client;
}
