/**
 * Why the signed-config e2e once read kiosk-w1's state report as "no snapshot" (snapshotVersion null) though the
 * kiosk had reported its snapshot: its watcher subscribed to both kiosks' retained reports in one SUBSCRIBE just as
 * kiosk-w1's throttled report went out, and the broker sent the new report live *before* the stale retained copy.
 * The watcher kept the last message received: the stale one. On a real aedes broker, with the order forced by
 * event-loop turns between the SUBSCRIBE and the PUBLISH (no timing, no load).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from '../../device/test-support/embedded-broker.ts';
import { latestReports } from './latest-reports.ts';

interface Report {
  config: { snapshotVersion: number | null };
}

const report = (snapshotVersion: number | null): string => JSON.stringify({ config: { snapshotVersion } });
const parse = (payload: Buffer): Report => JSON.parse(payload.toString()) as Report;

/** Resolves after `n` setImmediate turns of the event loop (the broker runs in this process). */
function turns(n: number): Promise<void> {
  return new Promise((resolve) => {
    const step = (left: number): void => {
      if (left <= 0) resolve();
      else setImmediate(() => step(left - 1));
    };
    step(n);
  });
}

describe('reading retained state reports on a real aedes broker', () => {
  let broker: TestBroker | null = null;
  const clients: MqttClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.endAsync(true);
    await broker?.stop();
    broker = null;
  });

  async function connect(clientId: string): Promise<MqttClient> {
    const client = await mqtt.connectAsync(broker!.url, { clientId, reconnectPeriod: 0 });
    clients.push(client);
    return client;
  }

  it('keeps the newer live report when the older retained copy of its topic arrives after it', async () => {
    broker = await startTestBroker();
    const kiosks = await connect('kiosks');
    const outcomes: { turns: number; received: (number | null)[]; read: number | null | undefined }[] = [];
    for (let offset = 0; offset <= 5; offset++) {
      const [e1, w1] = [`devices/e1-${offset}/state`, `devices/w1-${offset}/state`];
      // Both kiosks' first reports (no snapshot yet) are what the broker retains.
      await kiosks.publishAsync(e1, report(null), { qos: 1, retain: true });
      await kiosks.publishAsync(w1, report(null), { qos: 1, retain: true });
      const watcher = await connect(`watcher-${offset}`);
      const received: (number | null)[] = [];
      watcher.on('message', (topic, payload) => {
        if (topic === w1) received.push(parse(payload).config.snapshotVersion);
      });
      const reports = latestReports(watcher, parse);
      // The watcher asks for both topics in one SUBSCRIBE; w1's next report goes out `offset` turns later.
      const subscribed = watcher.subscribeAsync([e1, w1], { qos: 1 });
      await turns(offset);
      await kiosks.publishAsync(w1, report(4), { qos: 1, retain: true });
      await subscribed;
      await new Promise((resolve) => setTimeout(resolve, 50));
      outcomes.push({ turns: offset, received, read: reports.get(w1)?.config.snapshotVersion });
    }
    // The broker did deliver the stale copy last at some offset (else this test shows nothing)…
    expect(outcomes.some((o) => o.received.at(-1) === null), JSON.stringify(outcomes)).toBe(true);
    // …and at every offset the report read is the new one.
    expect(outcomes.map((o) => o.read)).toEqual(outcomes.map(() => 4));
  });
});
