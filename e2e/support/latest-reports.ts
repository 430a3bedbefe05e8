/**
 * What a test that watches retained topics (the kiosks' state reports) should take as each topic's current message.
 *
 * Not simply the last message received: when one SUBSCRIBE names several topics, aedes reads their retained copies
 * when the subscription starts but sends the second and later ones only after the earlier ones are written, and a
 * message published on such a topic in that window goes out live meanwhile. The subscriber then gets the new message
 * first and the older retained copy after it (latest-reports.test.ts shows it on a real broker). Whatever a retained
 * copy that comes after a live message holds, that live message is the same or newer, so such a copy is dropped.
 */
import type { MqttClient } from 'mqtt';

export function latestReports<T>(client: MqttClient, parse: (payload: Buffer) => T): Map<string, T> {
  const latest = new Map<string, T>();
  /** Topics a live (not retained) message arrived on since the watch began. */
  const live = new Set<string>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain && live.has(topic)) return;
    if (!packet.retain) live.add(topic);
    latest.set(topic, parse(payload));
  });
  return latest;
}
