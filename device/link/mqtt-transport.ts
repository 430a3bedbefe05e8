/**
 * The kiosk's MQTT connection to the hub's broker, and nothing else: connect (clean session, last will
 * `offline` on the kiosk's availability topic), TCP_NODELAY, subscribe to results, look-up responses and the
 * hub's availability, reconnect with exponential backoff and jitter, and tell the link what arrives. It knows
 * no delivery rule: the delivery machine decides what to send and when.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Topics } from '../../core/wire/topics.ts';
import { LINK_LOG_CODES } from './link-log-codes.ts';
import { applyReconnectBackoff } from './reconnect-backoff.ts';

export interface MqttTransportEvents {
  /** Connected and every subscription granted: results and responses can reach us. */
  ready: [];
  /** The connection closed (whether or not it was ready). */
  close: [];
  /** A message on our tx/result topic. */
  result: [Buffer];
  /** A message on one of our look-up response topics. */
  response: [requestId: string, payload: Buffer];
  /** A message on the hub's availability topic; `retained` is the broker's stored copy every subscribe gets. */
  hubAvailability: [online: boolean, retained: boolean];
  /** A message on one of the optional subscriptions (`optionalTopics`); `retained`: the broker's stored copy. */
  optional: [topic: string, payload: Buffer, retained: boolean];
  /** The broker connection failed (refused, unreachable, dropped with an error); mqtt.js retries by itself. */
  failure: [Error];
}

export interface MqttTransportOptions {
  url: string;
  deviceId: string;
  topics: Topics;
  logger: Logger;
  clientOptions?: Partial<IClientOptions>;
  /** Longest wait between reconnect attempts (exponential backoff from clientOptions.reconnectPeriod); default 30 s. */
  maxReconnectMs?: number;
  /**
   * Topics subscribed to after the link is ready (the retained configuration set). Optional: a broker that
   * refuses one is logged, never reconnected over, so transactions keep flowing whatever the broker grants.
   */
  optionalTopics?: readonly string[];
}

export interface MqttTransport extends EventEmitter<MqttTransportEvents> {
  readonly client: MqttClient;
  /** Publishes one transaction payload, QoS 1. */
  publishTx(payload: string): void;
  publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }): void;
  publishAsync(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }): Promise<unknown>;
  /** Resolves on the first sign either way (ready, offline, error) or after `timeoutMs`. */
  firstSign(timeoutMs: number): Promise<void>;
  end(force: boolean): Promise<void>;
}

export function connectMqttTransport(opts: MqttTransportOptions): MqttTransport {
  const { deviceId, topics, logger: log } = opts;
  const txTopic = topics.tx(deviceId);
  const resultTopic = topics.txResult(deviceId);
  const responsePrefix = topics.response(deviceId, '');
  const emitter = new EventEmitter<MqttTransportEvents>();
  let ending = false;

  const client = mqtt.connect(opts.url, {
    protocolVersion: 4,
    clean: true,
    clientId: deviceId,
    reconnectPeriod: 1000,
    connectTimeout: 5000,
    keepalive: 30,
    resubscribe: false,
    will: { topic: topics.availability(deviceId), payload: Buffer.from('offline'), qos: 1, retain: true },
    // mqtt.js logs through the debug package, which builds an argument array per call even when disabled:
    // a no-op logger keeps that garbage (the largest allocation per transaction) off the confirmation path.
    log: ignoreMqttDebugLog,
    // mqtt-packet's cache of every 16-bit number as a Buffer (65,536 of them, 6 MB of the kiosk's heap) saves a
    // 2-byte allocation per packet; a kiosk sends a handful per tap (npm run bench kiosk-footprint).
    writeCache: false,
    ...opts.clientOptions,
  });
  applyReconnectBackoff(client, { initialMs: client.options.reconnectPeriod ?? 1000, maxMs: opts.maxReconnectMs ?? 30_000 });

  client.on('connect', () => {
    // mqtt.js has no option for it: without TCP_NODELAY every request/answer pair waits ~40 ms for Nagle.
    (client.stream as unknown as Partial<Socket>).setNoDelay?.(true);
    client.subscribe({ [resultTopic]: { qos: 1 }, [topics.response(deviceId, '+')]: { qos: 1 }, [topics.hubAvailability]: { qos: 1 } }, (error, grants) => {
      if (error || !grants || grants.some((g) => g.qos === 128)) {
        log.error({ code: LINK_LOG_CODES.linkError, err: error?.message }, 'subscription refused; reconnecting');
        client.reconnect();
        return;
      }
      if (ending) return;
      emitter.emit('ready');
      subscribeOptional();
    });
  });

  function subscribeOptional(): void {
    const optional = opts.optionalTopics ?? [];
    if (optional.length === 0) return;
    client.subscribe(Object.fromEntries(optional.map((topic) => [topic, { qos: 1 as const }])), (error, grants) => {
      const refused = (grants ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (error || refused.length > 0) log.warn({ code: LINK_LOG_CODES.linkError, err: error?.message, refused }, 'an optional subscription was refused; carrying on without it');
    });
  }
  client.on('close', () => emitter.emit('close'));
  client.on('error', (error) => {
    log.warn({ code: LINK_LOG_CODES.linkError, err: error.message }, 'broker connection error');
    emitter.emit('failure', error);
  });
  client.on('message', (topic, payload, packet) => {
    if (topic === resultTopic) emitter.emit('result', payload);
    else if (topic === topics.hubAvailability) emitter.emit('hubAvailability', payload.toString() === 'online', packet.retain);
    else if (topic.startsWith(responsePrefix)) emitter.emit('response', topic.slice(responsePrefix.length), payload);
    else if (opts.optionalTopics?.includes(topic)) emitter.emit('optional', topic, payload, packet.retain);
  });

  const onPublished = (error?: Error) => {
    if (error) log.debug({ err: error.message }, 'publish not confirmed; it will be resent');
  };

  return Object.assign(emitter, {
    client,
    publishTx(payload: string): void {
      client.publish(txTopic, payload, { qos: 1 }, onPublished);
    },
    publish(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }): void {
      client.publish(topic, payload, options);
    },
    publishAsync(topic: string, payload: string, options: { qos: 0 | 1; retain?: boolean }): Promise<unknown> {
      return client.publishAsync(topic, payload, options);
    },
    firstSign(timeoutMs: number): Promise<void> {
      // A kiosk that starts offline must still start: resolve on the first sign either way.
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        function done(): void {
          clearTimeout(timer);
          emitter.off('ready', done);
          client.off('offline', done);
          client.off('error', done);
          resolve();
        }
        emitter.once('ready', done);
        client.once('offline', done);
        client.once('error', done);
      });
    },
    async end(force: boolean): Promise<void> {
      ending = true;
      await client.endAsync(force);
    },
  });
}

function ignoreMqttDebugLog(): void {}
