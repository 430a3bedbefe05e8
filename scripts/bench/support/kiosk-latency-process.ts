/**
 * The kiosk side of the end-to-end benchmark's one-at-a-time confirmation, in a process of its own (forked by
 * end-to-end.ts; run with `--import tsx`), as a kiosk runs in a shop: its outbox (SQLite with its fsync), its hub link
 * and its event loop and heap are its own, while the hub and its broker stay in the benchmark's process. The raw echo
 * it is compared with is laid out the same way: the sender here, the echoing client in the hub's process.
 *
 * Protocol with the parent (IPC): `run` → it warms up, sells `count` purchases one at a time and answers `confirmed`
 * with their times; `echo` → it sends `count` raw round trips to the echoing client and answers `echoed` with theirs;
 * `stop` → it closes and exits.
 */
import pino from 'pino';
import { createTopics } from '../../../core/wire/topics.ts';
import { createHubLink } from '../../../device/link/hub-link.ts';
import { openOutbox } from '../../../device/outbox/sqlite-outbox.ts';
import { benchPurchase } from './bench-purchase.ts';
import { connectRawClient } from './raw-mqtt-client.ts';

export interface KioskLatencyRun {
  type: 'run';
  brokerUrl: string;
  deviceId: string;
  username: string;
  password: string;
  outboxPath: string;
  /** Sold first and not timed: the hub's code is warm from the throughput run, this process's is not. */
  warmUp: number;
  count: number;
}

export interface KioskEchoRun {
  type: 'echo';
  brokerUrl: string;
  clientId: string;
  username: string;
  password: string;
  warmUp: number;
  count: number;
}

export type KioskLatencyRequest = KioskLatencyRun | KioskEchoRun | { type: 'stop' };
export type KioskLatencyAnswer = { type: 'confirmed'; samples: number[] } | { type: 'echoed'; samples: number[] } | { type: 'failed'; message: string };

const topics = createTopics();
const logger = pino({ level: 'silent' });

function answer(message: KioskLatencyAnswer): void {
  process.send!(message);
}

async function confirmations(request: KioskLatencyRun): Promise<number[]> {
  const outbox = openOutbox({ path: request.outboxPath, deviceId: request.deviceId, storeId: 'store-001', logger, bundleVersion: () => 1 });
  const link = createHubLink({ url: request.brokerUrl, deviceId: request.deviceId, outbox, topics, logger, window: 100, clientOptions: { username: request.username, password: request.password } });
  await link.start();
  const samples: number[] = [];
  try {
    for (let i = 0; i < request.warmUp + request.count; i++) {
      const started = performance.now();
      const tx = outbox.append(benchPurchase(i));
      link.kick();
      const result = await link.waitForResult(tx.id, 5_000);
      if (!result || result.status !== 'applied') throw new Error(`latency transaction not applied: ${JSON.stringify(result)}`);
      if (i >= request.warmUp) samples.push(performance.now() - started);
    }
  } finally {
    await link.stop();
    outbox.close();
  }
  return samples;
}

async function echoes(request: KioskEchoRun): Promise<number[]> {
  const sender = await connectRawClient(request.brokerUrl, request.clientId, { username: request.username, password: request.password });
  await sender.subscribeAsync(topics.txResult(request.clientId), { qos: 1 });
  const samples: number[] = [];
  for (let i = 0; i < request.warmUp + request.count; i++) {
    const started = performance.now();
    const back = new Promise<void>((resolve) => sender.once('message', () => resolve()));
    sender.publish(topics.tx(request.clientId), '{"ping":true}', { qos: 1 });
    await back;
    if (i >= request.warmUp) samples.push(performance.now() - started);
  }
  await sender.endAsync();
  return samples;
}

process.on('message', (request: KioskLatencyRequest) => {
  if (request.type === 'stop') {
    process.disconnect();
    return;
  }
  const work = request.type === 'run' ? confirmations(request).then((samples) => answer({ type: 'confirmed', samples })) : echoes(request).then((samples) => answer({ type: 'echoed', samples }));
  work.catch((error: unknown) => answer({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
});
