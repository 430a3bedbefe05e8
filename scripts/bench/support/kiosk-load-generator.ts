/**
 * One load-generator process of the fleet benchmarks (forked by load-generators.ts; run with `--import tsx`). It
 * holds many simulated kiosks, each a real protocol client: the kiosk's own outbox code (device/outbox, on an
 * in-memory SQLite database: the seq, epoch, in-flight window and close-on-recorded-result rules are the kiosk's,
 * only the fsync is gone, as each real kiosk pays it on its own disk) and the kiosk's own hub link (device/link:
 * delivery machine, resend, MQTT transport over TLS with the kiosk's enrolled credentials, presence, clock).
 *
 * Protocol with the parent (IPC): `setup` → it connects every kiosk and answers `connected`; `go` → it runs the
 * load and answers `done` with what it measured; `stop` → it closes every link and exits.
 */
import pino from 'pino';
import { createTopics } from '../../../core/wire/topics.ts';
import { createHubLink } from '../../../device/link/hub-link.ts';
import { openOutbox } from '../../../device/outbox/sqlite-outbox.ts';
import { createSimulatedKiosk, type SimulatedKiosk } from './simulated-kiosk.ts';
import type { GeneratorDone, GeneratorRequest, GeneratorSetup, LoadPlan } from './load-plan.ts';
import { schedulePaced } from './load-plan.ts';

const topics = createTopics();
const logger = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let kiosks: SimulatedKiosk[] = [];

function send(message: unknown): void {
  process.send!(message);
}

async function setup(request: GeneratorSetup): Promise<void> {
  const started = performance.now();
  const made: SimulatedKiosk[] = [];
  // In groups: thousands of TLS handshakes at once would time out on a 2-core machine.
  for (let i = 0; i < request.kiosks.length; i += request.connectGroup) {
    made.push(
      ...(await Promise.all(
        request.kiosks.slice(i, i + request.connectGroup).map(async (login) => {
          const outbox = openOutbox({ path: ':memory:', deviceId: login.deviceId, storeId: login.storeId, logger, bundleVersion: () => 0 });
          const link = createHubLink({
            url: request.url,
            deviceId: login.deviceId,
            outbox,
            topics,
            logger,
            window: request.window,
            startTimeoutMs: 30_000,
            clientOptions: { username: login.username, password: login.password, ca: request.caPem, connectTimeout: 30_000 },
          });
          await link.start();
          if (!link.isConnected()) throw new Error(`${login.deviceId} did not connect: ${JSON.stringify(link.lastFailure())}`);
          return createSimulatedKiosk({ deviceId: login.deviceId, outbox, link, cards: request.cards, window: request.window });
        }),
      )),
    );
  }
  kiosks = made;
  send({ type: 'connected', count: kiosks.length, ms: performance.now() - started });
}

async function run(plan: LoadPlan, startAt: number): Promise<void> {
  const endAt = startAt + plan.seconds * 1_000;
  let warmupSamples: number[] = [];
  if (plan.kind === 'paced' && (plan.warmupSeconds ?? 0) > 0) {
    const warmupSeconds = plan.warmupSeconds ?? 0;
    for (const { at, kiosk } of schedulePaced(kiosks.length, { ...plan, seconds: warmupSeconds }, startAt - warmupSeconds * 1_000)) {
      const wait = at - Date.now();
      if (wait > 1) await sleep(wait);
      kiosks[kiosk]!.sell();
    }
    await sleep(Math.max(0, startAt - Date.now()));
    // What the warm-up's sales measured so far is kept apart; its sales still open are not timed.
    warmupSamples = kiosks.flatMap((k) => k.forgetSamples());
  }
  await sleep(Math.max(0, startAt - Date.now()));
  const upAtStart = kiosks.filter((k) => k.isUp()).length;
  if (plan.kind === 'paced') {
    for (const { at, kiosk } of schedulePaced(kiosks.length, plan, startAt)) {
      const wait = at - Date.now();
      if (wait > 1) await sleep(wait);
      kiosks[kiosk]!.sell();
    }
  } else {
    // Closed loop: each kiosk keeps `outstanding` sales waiting for their results until the end.
    for (const kiosk of kiosks) kiosk.keepOutstanding(plan.outstanding, () => Date.now() < endAt);
    await sleep(Math.max(0, endAt - Date.now()));
  }
  const upAtEnd = kiosks.filter((k) => k.isUp()).length;
  const stoppedAt = Math.max(endAt, Date.now());
  while (kiosks.some((k) => k.depth() > 0) && Date.now() - stoppedAt < plan.drainWaitMs) await sleep(10);
  const drainMs = Date.now() - stoppedAt;
  const samples = kiosks.flatMap((k) => k.samples);
  const within = kiosks.flatMap((k) => k.confirmedAt).filter((at) => at >= startAt && at <= endAt).length;
  const done: GeneratorDone = {
    type: 'done',
    samples,
    warmupSamples,
    confirmedInWindow: within,
    sold: kiosks.reduce((n, k) => n + k.sold, 0),
    applied: kiosks.reduce((n, k) => n + k.applied, 0),
    refusals: kiosks.reduce<Record<string, number>>((all, k) => {
      for (const [code, n] of Object.entries(k.refusals)) all[code] = (all[code] ?? 0) + n;
      return all;
    }, {}),
    maxDepth: Math.max(0, ...kiosks.map((k) => k.maxDepth)),
    overWindow: kiosks.filter((k) => k.maxDepth > plan.window).length,
    stillPending: kiosks.reduce((n, k) => n + k.depth(), 0),
    drainMs,
    upAtStart,
    upAtEnd,
  };
  send(done);
}

process.on('message', (message: GeneratorRequest) => {
  const handled =
    message.type === 'setup'
      ? setup(message)
      : message.type === 'go'
        ? run(message.plan, message.startAt)
        : (async () => {
            await Promise.all(kiosks.map((k) => k.close()));
            process.exit(0);
          })();
  handled.catch((error: unknown) => {
    send({ type: 'failed', message: (error as Error).stack ?? String(error) });
  });
});
