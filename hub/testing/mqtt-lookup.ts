/** A kiosk's look-up over MQTT for test clients: publish the request, wait for the hub's response on its topic. */
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { lookupResponseSchema, type LookupResponse } from '../../core/wire/lookup.ts';
import type { Topics } from '../../core/wire/topics.ts';

/** The client must already be subscribed to topics.response(deviceId, '+'). */
export async function lookupOverMqtt(client: MqttClient, topics: Topics, deviceId: string, request: unknown, timeoutMs = 5_000, requestId = randomBytes(8).toString('hex')): Promise<LookupResponse> {
  const responseTopic = topics.response(deviceId, requestId);
  const answer = new Promise<LookupResponse>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no look-up response')), timeoutMs);
    const onMessage = (topic: string, payload: Buffer) => {
      if (topic !== responseTopic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(lookupResponseSchema.parse(JSON.parse(payload.toString())));
    };
    client.on('message', onMessage);
  });
  await client.publishAsync(topics.request(deviceId, requestId), JSON.stringify(request), { qos: 1 });
  return answer;
}
