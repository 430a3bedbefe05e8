/**
 * Exponential reconnect backoff with jitter for mqtt.js, which only knows a fixed `reconnectPeriod` but reads
 * it afresh before every attempt. A fleet of kiosks that lost their hub at the same moment must not all
 * knock at the same instant when it returns, nor hammer a broker that is down for an hour.
 */
import type { MqttClient } from 'mqtt';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  random?: () => number;
}

export function applyReconnectBackoff(client: MqttClient, options: BackoffOptions): void {
  const random = options.random ?? Math.random;
  let failures = 0;
  const schedule = () => {
    const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(failures, 16));
    // "equal jitter": half the ceiling for sure, the other half at random.
    client.options.reconnectPeriod = Math.max(1, Math.round(ceiling / 2 + random() * (ceiling / 2)));
  };
  client.options.reconnectPeriod = options.initialMs;
  client.on('connect', () => {
    failures = 0;
    client.options.reconnectPeriod = options.initialMs;
  });
  client.on('close', () => {
    failures += 1;
    schedule();
  });
}
