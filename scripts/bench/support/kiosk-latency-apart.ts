/**
 * The end-to-end benchmark's one-at-a-time confirmation and raw echo with the kiosk side in a process of its own
 * (kiosk-latency-process.ts, forked here), the hub and its broker in the caller's: the layout of a shop, where the
 * kiosk's outbox fsync, event loop and garbage collector are not the hub's.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTopics } from '../../../core/wire/topics.ts';
import type { DeviceCredentials } from '../../../hub/testing/enrol-for-test.ts';
import type { TestHub } from '../../../hub/testing/start-test-hub.ts';
import type { KioskLatencyAnswer, KioskLatencyRequest } from './kiosk-latency-process.ts';
import { percentile } from './percentile.ts';
import { connectRawClient } from './raw-mqtt-client.ts';

const KIOSK_PROCESS_ENTRY = fileURLToPath(new URL('./kiosk-latency-process.ts', import.meta.url));

export interface ApartOptions {
  outboxPath: string;
  /** Sales and round trips made first and not timed. */
  warmUp: number;
  count: number;
  /** A device's enrolled login (the caller enrols each benchmark device once per hub). */
  credentials: (deviceId: string) => Promise<DeviceCredentials>;
}

export interface ApartLatency {
  samples: number[];
  echoSamples: number[];
  p50: number;
  p99: number;
  echoP50: number;
  echoP99: number;
}

export async function latencyWithKioskApart(env: TestHub, options: ApartOptions): Promise<ApartLatency> {
  const deviceId = 'bench-latency-process';
  const senderId = 'bench-rtt-process-sender';
  const kiosk = await options.credentials(deviceId);
  const sender = await options.credentials(senderId);
  const topics = createTopics();
  // The echo's other end stays here, beside the broker, as the hub does.
  const echoer = await connectRawClient(env.brokerUrl, 'bench-rtt-process-hub', env.hub.embeddedBrokerCredentials);
  await echoer.subscribeAsync(topics.tx(senderId), { qos: 1 });
  echoer.on('message', (_topic, message) => echoer.publish(topics.txResult(senderId), message, { qos: 1 }));
  const child = fork(KIOSK_PROCESS_ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (request: KioskLatencyRequest): Promise<number[]> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the benchmark's kiosk process exited (${code}) before answering`));
      child.once('exit', onExit);
      child.once('message', (answer: KioskLatencyAnswer) => {
        child.off('exit', onExit);
        if (answer.type === 'failed') reject(new Error(`the benchmark's kiosk process failed: ${answer.message}`));
        else resolve(answer.samples);
      });
      child.send(request);
    });
  try {
    const { warmUp, count } = options;
    const samples = await ask({ type: 'run', brokerUrl: env.brokerUrl, deviceId, username: kiosk.username, password: kiosk.password, outboxPath: options.outboxPath, warmUp, count });
    const echoSamples = await ask({ type: 'echo', brokerUrl: env.brokerUrl, clientId: senderId, username: sender.username, password: sender.password, warmUp, count });
    return { samples, echoSamples, p50: percentile(samples, 50), p99: percentile(samples, 99), echoP50: percentile(echoSamples, 50), echoP99: percentile(echoSamples, 99) };
  } finally {
    const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
    if (child.connected) child.send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    await echoer.endAsync();
  }
}
