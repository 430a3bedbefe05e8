/**
 * The hub's MQTT client. The hub always talks to its broker as a client, embedded or external, so one code
 * path serves both. MQTT 3.1.1 (aedes speaks nothing newer); TCP_NODELAY set on every (re)connect.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';

export interface HubClientOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  will?: { topic: string; payload: string; retain: boolean };
  logger: Logger;
}

export function connectHubClient(options: HubClientOptions): Promise<MqttClient> {
  const log = options.logger.child({ component: 'hub.mqtt' });
  const client = mqtt.connect(options.url, {
    protocolVersion: 4,
    clientId: options.clientId,
    clean: true,
    reconnectPeriod: 500,
    connectTimeout: 5_000,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    ...(options.will ? { will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1 as const, retain: options.will.retain } } : {}),
  });
  client.on('connect', () => {
    (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    log.info({ url: options.url }, 'connected to broker');
  });
  client.on('reconnect', () => log.debug('reconnecting to broker'));
  client.on('error', (error) => log.warn({ err: error }, 'broker connection error'));
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      client.end(true);
      reject(error);
    };
    client.once('connect', () => {
      client.off('error', onError);
      resolve(client);
    });
    client.once('error', onError);
  });
}
