import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { openOutbox, type Outbox, type TxBodyInput } from '../outbox/sqlite-outbox.ts';
import { createCaptureLogger, type CapturedLogger } from '../test-support/capture-logger.ts';
import { startTestBroker, type TestBroker } from '../test-support/embedded-broker.ts';
import { startFakeHub, type FakeHub, type FakeHubOptions } from '../test-support/fake-hub.ts';
import { eventually, makeTempDir } from '../test-support/temp-dir.ts';
import { createHubLink, LINK_LOG_CODES, type HubLink } from './hub-link.ts';

const topUp = (cents: number): TxBodyInput => ({ kind: 'top_up', cardUid: '04A1B2C3', amountCents: cents, tender: 'cash', staffCardUid: 'AABBCCDD' });
const topics = createTopics();

describe('hub link', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let log: CapturedLogger;
  let outbox: Outbox;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeEach(() => {
    temp = makeTempDir();
    log = createCaptureLogger();
    outbox = openOutbox({ path: join(temp.dir, 'device.sqlite'), deviceId: 'kiosk-1', storeId: 'store-1', logger: log.logger });
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    outbox.close();
    temp.cleanup();
  });

  async function broker(port = 0): Promise<TestBroker> {
    const b = await startTestBroker(port);
    cleanups.push(() => b.stop());
    return b;
  }
  async function hub(opts: FakeHubOptions): Promise<FakeHub> {
    const h = await startFakeHub(opts);
    cleanups.push(() => h.stop());
    return h;
  }
  function link(url: string, extra: Partial<Parameters<typeof createHubLink>[0]> = {}): HubLink {
    const l = createHubLink({ url, deviceId: 'kiosk-1', outbox, topics, logger: log.logger, clientOptions: { reconnectPeriod: 100 }, ...extra });
    cleanups.push(() => l.stop());
    return l;
  }

  it('drains 500 entries in seq order with a window of 100 and closes every one', async () => {
    const b = await broker();
    const fakeHub = await hub({ url: b.url });
    const txs = outbox.appendMany(Array.from({ length: 500 }, (_, i) => topUp(i + 1)));
    const l = link(b.url, { window: 100, stallResendMs: 60_000 });
    // With the hub holding its answers, the link must stop at exactly 100 unanswered transactions.
    fakeHub.pauseTransactions();
    await l.start();
    expect(l.isConnected()).toBe(true);
    await eventually(() => fakeHub.heldCount() === 100, '100 transactions in flight');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fakeHub.heldCount()).toBe(100);
    fakeHub.resumeTransactions();
    await eventually(() => outbox.depth() === 0, 'outbox drained');
    expect(fakeHub.applied).toEqual(txs.map((t) => t.id));
    expect(fakeHub.received.map((r) => r.seq)).toEqual(txs.map((t) => t.seq));
    expect(outbox.get(txs[499]!.id)?.status).toBe('done');
  });

  it('closes everything exactly once when the broker restarts mid-drain', async () => {
    const first = await broker();
    const port = first.port;
    let restarted = false;
    let second: TestBroker | null = null;
    let receivedSoFar = () => 0;
    const fakeHub = await hub({
      url: first.url,
      // Pull the cable once, right after the 150th transaction arrived.
      drop: () => {
        if (!restarted && receivedSoFar() >= 150) {
          restarted = true;
          void first.stop().then(async () => {
            second = await broker(port);
          });
          return true;
        }
        return false;
      },
    });
    receivedSoFar = () => fakeHub.received.length;
    const txs = outbox.appendMany(Array.from({ length: 500 }, (_, i) => topUp(i + 1)));
    // Transactions the device sends before the hub has re-subscribed on the new broker are lost (the hub's
    // session is clean); the stall timer is what resends them, so keep it short here.
    const l = link(first.url, { window: 100, stallResendMs: 500 });
    const disconnects: number[] = [];
    l.on('disconnected', () => disconnects.push(Date.now()));
    const closedEvents: string[] = [];
    l.on('result', (result) => closedEvents.push(result.id!));
    await l.start();
    await eventually(() => outbox.depth() === 0, 'outbox drained after the broker came back', 20_000);
    expect(restarted).toBe(true);
    expect(second).not.toBeNull();
    expect(disconnects.length).toBeGreaterThanOrEqual(1);
    expect(fakeHub.applied).toEqual(txs.map((t) => t.id));
    expect(new Set(fakeHub.applied).size).toBe(500);
    expect([...closedEvents].sort()).toEqual(txs.map((t) => t.id).sort());
  });

  it('rewinds to the oldest pending entry on TX_OUT_OF_ORDER and resends', async () => {
    const b = await broker();
    let droppedOnce = false;
    // seq 3 is lost on its first trip: the hub then answers 4..30 with TX_OUT_OF_ORDER, spaced out so the
    // answers arrive in separate event-loop passes (each could trigger a rewind of its own).
    const fakeHub = await hub({
      url: b.url,
      resultSpacingMs: 2,
      drop: (tx) => {
        if (tx.seq === 3 && !droppedOnce) return (droppedOnce = true);
        return false;
      },
    });
    const txs = outbox.appendMany(Array.from({ length: 30 }, (_, i) => topUp(i + 1)));
    const l = link(b.url, { window: 100, stallResendMs: 60_000 });
    await l.start();
    await eventually(() => outbox.depth() === 0, 'drained after the rewind');
    expect(fakeHub.results.some((r) => r.code === 'TX_OUT_OF_ORDER')).toBe(true);
    expect(fakeHub.applied).toEqual(txs.map((t) => t.id));
    // One rewind is enough: seq 3 was sent twice, not once per out-of-order answer.
    expect(fakeHub.received.filter((r) => r.seq === 3)).toHaveLength(2);
    const rewinds = log.records.filter((r) => r.reason === 'retryable rejection');
    expect(rewinds).toHaveLength(1);
  });

  it('resends by byte-identical payload so the hub answers exists for a duplicate', async () => {
    const b = await broker();
    const fakeHub = await hub({ url: b.url });
    const tx = outbox.append(topUp(100));
    const l = link(b.url);
    await l.start();
    l.kick();
    expect(await l.waitForResult(tx.id, 5000)).toMatchObject({ id: tx.id, status: 'applied' });
    // Replaying the stored payload (as a resend after a crash would) is recognised by the hub.
    fakeHub.client.publish(topics.tx('kiosk-1'), outbox.get(tx.id)!.payload, { qos: 1 });
    await eventually(() => fakeHub.results.some((r) => r.status === 'exists'), 'exists answer');
    expect(fakeHub.applied).toEqual([tx.id]);
  });

  it('keeps a final business rejection as closed and moves on', async () => {
    const b = await broker();
    await hub({ url: b.url, decide: (tx) => (tx.seq === 2 ? { status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE' } : { status: 'applied' }) });
    const [, second, third] = outbox.appendMany([topUp(1), topUp(2), topUp(3)]);
    const l = link(b.url);
    await l.start();
    expect(await l.waitForResult(third!.id, 5000)).toMatchObject({ status: 'applied' });
    expect(outbox.get(second!.id)).toMatchObject({ status: 'done', result: { status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE' } });
  });

  it('ignores malformed results with a logged code and keeps working', async () => {
    const b = await broker();
    const fakeHub = await hub({ url: b.url });
    const l = link(b.url);
    await l.start();
    for (const junk of ['not json', '{"id": 5}', JSON.stringify({ id: 'X', seq: 1, status: 'maybe' })]) {
      fakeHub.client.publish(topics.txResult('kiosk-1'), junk, { qos: 1 });
    }
    // A well-formed result for an id this kiosk never sent is dropped without a 'result' event.
    const closedEvents: unknown[] = [];
    l.on('result', (r) => closedEvents.push(r));
    fakeHub.client.publish(topics.txResult('kiosk-1'), JSON.stringify({ id: '01HZZZZZZZZZZZZZZZZZZZZZZZ', seq: 1, status: 'applied' }), { qos: 1 });
    await eventually(() => log.withCode(LINK_LOG_CODES.resultMalformed).length === 3, 'three malformed results logged');
    const tx = outbox.append(topUp(5));
    l.kick();
    expect(await l.waitForResult(tx.id, 5000)).toMatchObject({ status: 'applied' });
    expect(closedEvents).toEqual([expect.objectContaining({ id: tx.id })]);
  });

  it('answers look-ups, ignores malformed responses, and times out to null when nobody answers', async () => {
    const b = await broker();
    const fakeHub = await hub({ url: b.url });
    const l = link(b.url);
    await l.start();
    expect(await l.lookup({ op: 'member.byCard', cardUid: 'DEADBEEF' }, 2000)).toEqual({ ok: false, code: 'CARD_UNKNOWN', message: 'no card with this UID' });

    fakeHub.setAnswerLookups(false);
    // A malformed answer to a pending look-up is logged and does not resolve it.
    fakeHub.client.subscribe(topics.request('kiosk-1', '+'));
    fakeHub.client.on('message', (topic) => {
      const where = topics.parse(topic);
      if (where?.channel === 'request') fakeHub.client.publish(topics.response('kiosk-1', where.requestId!), '{"ok":"yes"}', { qos: 1 });
    });
    const started = Date.now();
    expect(await l.lookup({ op: 'member.byCard', cardUid: 'DEADBEEF' }, 300)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(log.withCode(LINK_LOG_CODES.responseMalformed).length).toBeGreaterThanOrEqual(1);
  });

  it('starts without a broker, returns null look-ups offline, and drains once the broker appears', async () => {
    const probe = await startTestBroker();
    const port = probe.port;
    await probe.stop();
    const url = `mqtt://127.0.0.1:${port}`;
    const tx = outbox.append(topUp(9));
    const l = link(url, { startTimeoutMs: 5000 });
    const started = Date.now();
    await l.start();
    expect(Date.now() - started).toBeLessThan(4000);
    expect(l.isConnected()).toBe(false);
    expect(await l.lookup({ op: 'member.byCard', cardUid: 'DEADBEEF' }, 1000)).toBeNull();
    const b = await broker(port);
    const fakeHub = await hub({ url: b.url });
    expect(await l.waitForResult(tx.id, 10_000)).toMatchObject({ status: 'applied' });
    expect(fakeHub.applied).toEqual([tx.id]);
  });

  it('publishes retained availability and state', async () => {
    const b = await broker();
    const fakeHub = await hub({ url: b.url });
    const seen = new Map<string, string>();
    fakeHub.client.on('message', (topic, payload) => seen.set(topic, payload.toString()));
    await fakeHub.client.subscribeAsync([topics.availability('kiosk-1'), topics.state('kiosk-1')], { qos: 1 });
    outbox.append(topUp(1));
    const l = link(b.url, { reportState: () => ({ versions: { bundle: 3 } }) });
    await l.start();
    await eventually(() => seen.get(topics.availability('kiosk-1')) === 'online', 'online published');
    await eventually(() => seen.has(topics.state('kiosk-1')), 'state published');
    expect(JSON.parse(seen.get(topics.state('kiosk-1'))!)).toMatchObject({ deviceId: 'kiosk-1', connected: true, versions: { bundle: 3 } });
    await l.stop();
    await eventually(() => seen.get(topics.availability('kiosk-1')) === 'offline', 'offline published on stop');
  });

  it('keeps an entry the hub refused without recording it, alerts once, and resends with a growing pause instead of spinning', async () => {
    const b = await broker();
    const [held, later] = outbox.appendMany([topUp(1), topUp(2)]);
    const fakeHub = await hub({ url: b.url, refuseUnrecorded: (tx) => (tx.id === held!.id ? { code: 'TX_DEVICE_MISMATCH', message: 'not yours' } : null) });
    const l = link(b.url, { stallResendMs: 60_000 });
    const alerts: [string, Record<string, unknown>][] = [];
    l.on('alert', (code, detail) => alerts.push([code, detail]));
    await l.start();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // Never closed: the hub holds no record of it, so closing it would lose the sale.
    expect(outbox.get(held!.id)).toMatchObject({ status: 'pending', result: { code: 'TX_DEVICE_MISMATCH', recorded: false } });
    expect(outbox.get(later!.id)?.status).toBe('pending');
    expect(alerts).toEqual([['TX_REFUSED_UNRECORDED', expect.objectContaining({ txId: held!.id, code: 'TX_DEVICE_MISMATCH' })]]);
    // Resent after 0, 100, 200, 400, 800 ms pauses: a handful of sends in two seconds, not hundreds.
    const sends = fakeHub.received.filter((r) => r.id === held!.id).length;
    expect(sends).toBeGreaterThanOrEqual(3);
    expect(sends).toBeLessThanOrEqual(8);
  });
});
