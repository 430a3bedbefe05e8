/**
 * A kiosk-like MQTT client for configuration tests: logs in with an enrolled kiosk's credentials (the broker's ACL
 * applies as to a real kiosk), reads its retained configuration set and asks `config.current`. What it receives is
 * checked with the kiosk's own acceptance (core/config/accept-config-set.ts) by the tests.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { ConfigSet } from '../../../core/config/config-documents.ts';
import type { LookupResponse } from '../../../core/wire/lookup.ts';
import { lookupOverMqtt } from '../../testing/mqtt-lookup.ts';
import { createTopics } from '../../../core/wire/topics.ts';

export class ConfigKiosk {
  /** Every set received on the kiosk's retained set topic, oldest first. */
  readonly sets: ConfigSet[] = [];
  /** Every bundle received on a scope topic the kiosk subscribed to, by topic. */
  readonly scopeMessages = new Map<string, string[]>();
  private readonly topics = createTopics();

  private constructor(private readonly client: MqttClient, readonly deviceId: string) {
    client.on('message', (topic, payload) => {
      if (topic === this.topics.configSet(deviceId)) {
        if (payload.byteLength > 0) this.sets.push(JSON.parse(payload.toString('utf8')) as ConfigSet);
        return;
      }
      if (topic.startsWith(this.topics.config(''))) this.scopeMessages.set(topic, [...(this.scopeMessages.get(topic) ?? []), payload.toString('utf8')]);
    });
  }

  static async connect(url: string, credentials: { username: string; password: string; caPem?: string }, scopeTopics: string[] = []): Promise<ConfigKiosk> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: credentials.username,
      username: credentials.username,
      password: credentials.password,
      clean: true,
      reconnectPeriod: 0,
      ...(credentials.caPem === undefined ? {} : { ca: credentials.caPem }),
    });
    const kiosk = new ConfigKiosk(client, credentials.username);
    const topics = createTopics();
    const granted = await client.subscribeAsync([topics.configSet(credentials.username), topics.response(credentials.username, '+'), ...scopeTopics], { qos: 1 });
    if (granted.some((g) => g.qos === 128)) throw new Error(`the broker refused a subscription: ${JSON.stringify(granted)}`);
    return kiosk;
  }

  /** The newest set received, waiting for one whose snapshot passes `match` (default: any). */
  async nextSet(match: (set: ConfigSet) => boolean = () => true, timeoutMs = 5_000): Promise<ConfigSet> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = [...this.sets].reverse().find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching configuration set within ${timeoutMs} ms (received snapshots ${this.sets.map((s) => s.snapshot.signed.version).join(', ') || 'none'})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  lookup(request: Record<string, unknown>, timeoutMs = 5_000): Promise<LookupResponse> {
    return lookupOverMqtt(this.client, this.topics, this.deviceId, request, timeoutMs);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
