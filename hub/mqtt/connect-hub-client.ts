/**
 * The hub's MQTT client. The hub always talks to its broker as a client, embedded or external, so one code
 * path serves both. MQTT 3.1.1 (aedes speaks nothing newer; hub workers ask for 5); TCP_NODELAY set on every (re)connect.
 *
 * An external broker may come up after the hub (both started by one boot, a broker restart): the returned
 * promise waits, retrying with backoff (broker-retry-delay.ts), and resolves on the first connection. Every
 * failed attempt is logged with a code (classify-broker-failure.ts) and the URL without its password. The
 * wait ends early only through `signal` (the hub stopping), which rejects with the signal's reason. Once
 * connected, mqtt.js keeps reconnecting on the same backoff.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../core/errors/codes.ts';
import { BROKER_RETRY_BACKOFF, brokerRetryDelayMs, type BrokerRetryBackoff } from './broker-retry-delay.ts';
import { classifyBrokerFailure, isConnackRefusal } from '../../core/errors/classify-broker-failure.ts';
import { redactBrokerUrl } from './redact-broker-url.ts';

export interface HubClientOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  will?: { topic: string; payload: string; retain: boolean };
  logger: Logger;
  /** Aborting gives up waiting for the broker: the client is closed and the promise rejects. */
  signal?: AbortSignal;
  backoff?: BrokerRetryBackoff;
  /** CAs to trust for an mqtts:// broker (PEM); absent: Node's default roots. mqtt.js replaces the roots with these. */
  ca?: string[];
  /** 4 (MQTT 3.1.1, what aedes speaks) unless told; hub workers speak 5 to Mosquitto for shared subscriptions. */
  protocolVersion?: 4 | 5;
}

export function connectHubClient(options: HubClientOptions): Promise<MqttClient> {
  const log = options.logger.child({ component: 'hub.mqtt' });
  const url = redactBrokerUrl(options.url);
  const backoff = options.backoff ?? BROKER_RETRY_BACKOFF;
  if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
  const client = mqtt.connect(options.url, {
    protocolVersion: options.protocolVersion ?? 4,
    clientId: options.clientId,
    clean: true,
    reconnectPeriod: backoff.initialMs,
    // mqtt.js stops for good after a refused CONNACK unless told otherwise; the password file may be fixed.
    reconnectOnConnackError: true,
    // mqtt.js logs through the debug package, which allocates an argument array per call even when disabled.
    log: ignoreMqttDebugLog,
    connectTimeout: 5_000,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
    ...(options.will ? { will: { topic: options.will.topic, payload: Buffer.from(options.will.payload), qos: 1 as const, retain: options.will.retain } } : {}),
  });

  let failures = 0;
  // One attempt can end with an error, a close, or both: it is counted and logged once.
  let attemptEnded = false;
  let attemptConnected = false;
  let lastError: Error | undefined;
  const endAttempt = () => {
    // end() closes the connection on purpose (hub stopping): nothing failed.
    if (attemptEnded || client.disconnecting) return;
    attemptEnded = true;
    failures += 1;
    // mqtt.js reads reconnectPeriod afresh each time it schedules the next attempt, right after this.
    const retryInMs = brokerRetryDelayMs(failures, backoff);
    client.options.reconnectPeriod = retryInMs;
    if (attemptConnected) {
      log.warn({ code: 'BROKER_CONNECTION_LOST' satisfies ErrorCode, url, retryInMs, reason: lastError?.message ?? 'connection closed' }, 'lost the connection to the broker; reconnecting');
      return;
    }
    const failure = classifyBrokerFailure(lastError);
    const fields = { code: failure.code, url, attempt: failures, retryInMs, reason: lastError?.message ?? 'connection closed before the broker answered' };
    if (failure.level === 'error') log.error(fields, 'the broker refused the hub; check its user name and password, retrying');
    else log.warn(fields, 'cannot reach the broker yet; retrying');
  };
  client.on('reconnect', () => {
    attemptEnded = false;
    attemptConnected = false;
    lastError = undefined;
  });
  client.on('connect', () => {
    (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    failures = 0;
    attemptConnected = true;
    client.options.reconnectPeriod = backoff.initialMs;
    log.info({ url }, 'connected to broker');
  });
  client.on('error', (error) => {
    lastError = error;
    // A refused CONNACK schedules the next attempt before the socket closes: set its delay now.
    if (isConnackRefusal(error)) endAttempt();
  });
  // Before mqtt.js's own 'close' listener, which schedules the next attempt with the reconnectPeriod set here.
  client.prependListener('close', endAttempt);

  return new Promise((resolve, reject) => {
    const onAbort = () => {
      client.off('connect', onConnect);
      client.end(true);
      log.info({ url }, 'stopped waiting for the broker');
      reject(abortReason(options.signal!));
    };
    const onConnect = () => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve(client);
    };
    client.once('connect', onConnect);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function ignoreMqttDebugLog(): void {}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('stopped while waiting for the broker');
}
