import { EventEmitter } from 'node:events';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { applyReconnectBackoff } from './reconnect-backoff.ts';

/** Only the two things the backoff touches: the options object mqtt.js re-reads, and its events. */
function fakeClient(): MqttClient {
  return Object.assign(new EventEmitter(), { options: { reconnectPeriod: 1000 } }) as unknown as MqttClient;
}

const emit = (client: MqttClient, event: 'close' | 'connect') => (client as unknown as EventEmitter).emit(event);

describe('reconnect backoff (fake mqtt.js client: only options + events)', () => {
  it('doubles the wait after each failed attempt up to the cap, with jitter, and resets on connect', () => {
    const client = fakeClient();
    applyReconnectBackoff(client, { initialMs: 500, maxMs: 8_000, random: () => 1 });
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      emit(client, 'close');
      waits.push(client.options.reconnectPeriod!);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000]);
    emit(client, 'connect');
    expect(client.options.reconnectPeriod).toBe(500);
  });

  it('spreads kiosks between half and all of the ceiling', () => {
    const low = fakeClient();
    applyReconnectBackoff(low, { initialMs: 1_000, maxMs: 30_000, random: () => 0 });
    emit(low, 'close');
    emit(low, 'close');
    expect(low.options.reconnectPeriod).toBe(2_000);
  });
});
