/**
 * The hub's metrics and health on a real hub (embedded aedes, SQLite, both HTTP listeners) with raw kiosk clients
 * sending transactions and look-ups: the counters move by exactly what was sent, the exposition is well-formed
 * Prometheus text with every series labelled by the hub, the TLS listener serves it only with the scrape token, and
 * two hubs in one process count apart.
 */
import { request as httpsRequest } from 'node:https';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { createMessageService } from '../messaging/message-service.ts';
import { createRecordingSmsGatewayFake } from '../messaging/recording-sms-gateway.ts';
import { enrolForTest } from '../testing/enrol-for-test.ts';
import { RawDeviceClient } from '../testing/raw-device-client.ts';
import { startMosquitto, type MosquittoBroker } from '../testing/start-mosquitto.ts';
import { startTestHub, type TestHub } from '../testing/start-test-hub.ts';
import { HubMetrics } from './hub-metrics.ts';
import { parsePrometheusText, sampleSum, type Exposition } from './test-support/parse-prometheus-text.ts';

const TOKEN = 'scrape-token-0123456789abcdef';
const silent = pino({ level: 'silent' });

const purchase = (cents: number, payments: { method: 'cash' | 'stored_value'; amountCents: number }[] = [{ method: 'cash', amountCents: cents }]) => ({
  kind: 'purchase' as const,
  cardUid: DEMO_CARDS.gold,
  lines: [{ lineNo: 1, sku: 'SKU-1', category: 'grocery', qty: 1, unitPriceCents: cents }],
  payments,
});

async function scrapePlain(env: TestHub): Promise<{ contentType: string | null; text: string }> {
  const answer = await fetch(`${env.consoleUrl}/metrics`);
  expect(answer.status).toBe(200);
  return { contentType: answer.headers.get('content-type'), text: await answer.text() };
}

/** GET over TLS trusting only the hub's CA, as a Prometheus given the CA file would. */
function getTls(env: TestHub, path: string, token?: string): Promise<{ status: number; contentType: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, env.httpsUrl!), { method: 'GET', ca: env.caPem, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], text }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('hub metrics and health (real hub, real aedes and SQLite, raw kiosk clients)', () => {
  let env: TestHub;
  let other: TestHub;
  let device: RawDeviceClient;
  let before: Exposition;
  let after: Exposition;
  let afterText: string;
  let contentType: string | null;
  const ledgerCountAtFirstScrape = { value: -1 };

  beforeAll(async () => {
    env = await startTestHub({ http: { host: '127.0.0.1', port: 0 }, metrics: { token: TOKEN, hubId: 'worker-a' } });
    other = await startTestHub({ http: { host: '127.0.0.1', port: 0 }, metrics: { hubId: 'worker-b' } });
    device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-m1', await enrolForTest(env, 'kiosk-m1'));
    await env.hub.store.identity.setDeviceMode('kiosk-m1', 'attended');
    ledgerCountAtFirstScrape.value = await env.hub.store.transactionCount();
    before = parsePrometheusText((await scrapePlain(env)).text);

    // A second kiosk that only says it is online (retained, as a kiosk does on connecting): the registry's online count.
    const second = await enrolForTest(env, 'kiosk-m2');
    const announcer = await mqtt.connectAsync(env.brokerUrl, { protocolVersion: 4, clientId: 'kiosk-m2', username: second.username, password: second.password, reconnectPeriod: 0 });
    await announcer.publishAsync(createTopics().availability('kiosk-m2'), 'online', { qos: 1, retain: true });
    await env.hub.deviceStatus.waitFor((d) => d.deviceId === 'kiosk-m2' && d.online === true);
    await announcer.endAsync();

    // Transactions: 3 applied, 1 the same again (exists), 1 refused and recorded (not enough stored value),
    // 1 unreadable (refused, not recorded), 1 ahead of its seq (refused, not recorded: resend).
    const first = device.make(purchase(1_000));
    expect((await device.send(first)).status).toBe('applied');
    expect((await device.send(device.make(purchase(2_000)))).status).toBe('applied');
    expect((await device.send(first)).status).toBe('exists');
    expect(await device.send(device.make(purchase(100_000_000, [{ method: 'stored_value', amountCents: 100_000_000 }])))).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE', recorded: true });
    expect(await device.send('not json {')).toMatchObject({ status: 'rejected', code: 'TX_MALFORMED', recorded: false });
    const ahead = device.make(purchase(300), { seq: 9 });
    expect(await device.send(ahead)).toMatchObject({ status: 'rejected', code: 'TX_OUT_OF_ORDER' });
    expect((await device.send(device.make(purchase(400), { seq: 4 }))).status).toBe('applied');
    // Look-ups: 2 answered, 1 refused with its code, 1 unreadable.
    expect((await device.lookup({ op: 'member.byCard', cardUid: DEMO_CARDS.gold })).ok).toBe(true);
    expect((await device.lookup({ op: 'member.byCard', cardUid: DEMO_CARDS.silver })).ok).toBe(true);
    expect(await device.lookup({ op: 'member.byCard', cardUid: 'FFFFFFFF' })).toMatchObject({ ok: false, code: 'CARD_UNKNOWN' });
    expect(await device.lookup({ op: 'teleport' } as never)).toMatchObject({ ok: false, code: 'REQUEST_MALFORMED' });

    const scraped = await scrapePlain(env);
    contentType = scraped.contentType;
    afterText = scraped.text;
    after = parsePrometheusText(afterText);
  }, 60_000);

  afterAll(async () => {
    await device?.close();
    await env?.dispose();
    await other?.dispose();
  });

  const moved = (name: string, labels: Record<string, string> = {}) => sampleSum(after, name, labels) - sampleSum(before, name, labels);

  it('serves Prometheus text 0.0.4 that parses line by line, every series labelled with its hub', () => {
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(after.samples.length).toBeGreaterThan(50);
    expect(after.samples.filter((s) => s.labels['hubId'] !== 'worker-a')).toEqual([]);
    for (const [name, type] of [
      ['memberkiosk_tx_results_total', 'counter'],
      ['memberkiosk_ingest_batch_size', 'histogram'],
      ['memberkiosk_ingest_duplicates_dropped_total', 'counter'],
      ['memberkiosk_kiosks_online', 'gauge'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ] as const) {
      expect(after.types.get(name)).toBe(type);
      expect(after.help.get(name)).toBeTruthy();
    }
    expect(sampleSum(after, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  });

  it('counts each transaction by how it was answered, exactly as sent', () => {
    expect(moved('memberkiosk_tx_results_total', { result: 'applied' })).toBe(3);
    expect(moved('memberkiosk_tx_results_total', { result: 'exists' })).toBe(1);
    expect(moved('memberkiosk_tx_results_total', { result: 'rejected_recorded' })).toBe(1);
    expect(moved('memberkiosk_tx_results_total', { result: 'rejected_recorded', code: 'INSUFFICIENT_STORED_VALUE' })).toBe(1);
    expect(moved('memberkiosk_tx_results_total', { result: 'rejected_unrecorded' })).toBe(2);
    expect(moved('memberkiosk_tx_results_total', { result: 'rejected_unrecorded', code: 'TX_MALFORMED' })).toBe(1);
    expect(moved('memberkiosk_tx_results_total', { result: 'rejected_unrecorded', code: 'TX_OUT_OF_ORDER' })).toBe(1);
    expect(moved('memberkiosk_tx_results_total')).toBe(7);
  });

  it('counts batches, their sizes and times, and each transaction’s receive-to-result time', () => {
    // Sent one at a time, each waiting for its result: one batch each.
    expect(moved('memberkiosk_ingest_batches_applied_total')).toBe(7);
    expect(moved('memberkiosk_ingest_batches_failed_total')).toBe(0);
    // Each waited for its result before the next: no copy was ever in hand twice.
    expect(moved('memberkiosk_ingest_duplicates_dropped_total')).toBe(0);
    expect(moved('memberkiosk_ingest_batch_size_count')).toBe(7);
    expect(moved('memberkiosk_ingest_batch_size_sum')).toBe(7);
    expect(moved('memberkiosk_ingest_batch_apply_seconds_count')).toBe(7);
    expect(moved('memberkiosk_ingest_batch_apply_seconds_sum')).toBeGreaterThan(0);
    expect(moved('memberkiosk_tx_receive_to_result_seconds_count')).toBe(7);
    // Every one answered within 10 s: the last finite bucket holds them all.
    expect(moved('memberkiosk_tx_receive_to_result_seconds_bucket', { le: '10' })).toBe(7);
  });

  it('counts look-ups by op and outcome, with the refusal’s code', () => {
    expect(moved('memberkiosk_lookups_total', { op: 'member.byCard', outcome: 'ok' })).toBe(2);
    expect(moved('memberkiosk_lookups_total', { op: 'member.byCard', outcome: 'refused', code: 'CARD_UNKNOWN' })).toBe(1);
    expect(moved('memberkiosk_lookups_total', { op: 'unreadable', outcome: 'refused', code: 'REQUEST_MALFORMED' })).toBe(1);
    expect(moved('memberkiosk_lookups_total')).toBe(4);
    expect(moved('memberkiosk_lookup_seconds_count', { op: 'member.byCard' })).toBe(3);
  });

  it('reads the gauges when scraped: the device registry, the ledger (at most once a minute), Node-RED and the broker', () => {
    // Read at each scrape: none had reported at the first.
    expect(sampleSum(before, 'memberkiosk_kiosks_known')).toBe(0);
    expect(sampleSum(before, 'memberkiosk_kiosks_online')).toBe(0);
    expect(sampleSum(after, 'memberkiosk_kiosks_known')).toBe(2);
    expect(sampleSum(after, 'memberkiosk_kiosks_online')).toBe(1);
    // The count read at the first scrape is served again a moment later, though transactions came since.
    expect(sampleSum(before, 'memberkiosk_ledger_transactions')).toBe(ledgerCountAtFirstScrape.value);
    expect(sampleSum(after, 'memberkiosk_ledger_transactions')).toBe(ledgerCountAtFirstScrape.value);
    expect(sampleSum(after, 'memberkiosk_node_red_state')).toBe(0);
    expect(sampleSum(after, 'memberkiosk_node_red_kills_total')).toBe(0);
    expect(sampleSum(after, 'memberkiosk_broker_connected')).toBe(1);
    expect(sampleSum(after, 'memberkiosk_mqtt_reconnects_total')).toBe(0);
    expect(sampleSum(after, 'memberkiosk_scrape_errors_total')).toBe(0);
  });

  it('serves metrics over TLS only with the scrape token', async () => {
    expect((await getTls(env, '/metrics')).status).toBe(401);
    expect((await getTls(env, '/metrics', 'not-the-token-at-all-0000')).status).toBe(401);
    const refused = await getTls(env, '/metrics', `${TOKEN}x`);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'AUTH_REQUIRED' } });
    expect(refused.text).not.toContain('memberkiosk_');
    const scraped = await getTls(env, '/metrics', TOKEN);
    expect(scraped.status).toBe(200);
    expect(scraped.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sampleSum(parsePrometheusText(scraped.text), 'memberkiosk_tx_results_total', { result: 'applied' })).toBeGreaterThanOrEqual(3);
  });

  it('a hub with no scrape token serves no metrics over TLS, even to a token that would open another hub’s', async () => {
    expect((await getTls(other, '/metrics')).status).toBe(401);
    expect((await getTls(other, '/metrics', TOKEN)).status).toBe(401);
  });

  it('keeps each hub’s counts apart in one process (a registry per hub)', async () => {
    const theirs = parsePrometheusText((await scrapePlain(other)).text);
    expect(theirs.samples.filter((s) => s.labels['hubId'] !== 'worker-b')).toEqual([]);
    expect(sampleSum(theirs, 'memberkiosk_tx_results_total')).toBe(0);
    expect(sampleSum(theirs, 'memberkiosk_lookups_total')).toBe(0);
    expect(sampleSum(theirs, 'memberkiosk_kiosks_known')).toBe(0);
  });

  it('answers health with the broker, the ledger and Node-RED on both listeners', async () => {
    const count = await env.hub.store.transactionCount();
    const plain = await fetch(`${env.consoleUrl}/api/health`);
    expect(plain.status).toBe(200);
    expect(await plain.json()).toEqual({ ok: true, broker: { connected: true }, ledger: { open: true }, nodeRed: { state: 'off' }, transactions: count, brokerUrl: expect.stringMatching(/^mqtt:\/\/127\.0\.0\.1:\d+$/) });
    const tls = await getTls(env, '/api/health');
    expect(tls.status).toBe(200);
    expect(JSON.parse(tls.text)).toMatchObject({ ok: true, broker: { connected: true }, ledger: { open: true } });
  });

  it('counts what became of the messages the flows send (the message service’s outcomes, recording SMS gateway FAKE)', async () => {
    const metrics = new HubMetrics({ hubId: 'messages', logger: silent, sources: { devices: async () => [], transactionCount: async () => 0, nodeRed: () => null, brokerConnected: () => true } });
    const messages = createMessageService({
      store: env.hub.store.messaging,
      sms: createRecordingSmsGatewayFake(),
      staffWebhook: null,
      storeName: async (id) => (id === DEMO_STORE_ID ? 'demo' : null),
      logger: silent,
      onOutcome: (status, channel) => metrics.messageOutcome(status, channel),
    });
    const member = (await env.hub.store.memberViewByCard(DEMO_CARDS.gold))!.memberId;
    await messages.send({ to: { memberId: member }, purpose: 'service', text: 'hello', idempotencyKey: 'm-1' });
    await messages.send({ to: { memberId: member }, purpose: 'service', text: 'hello', idempotencyKey: 'm-1' });
    await messages.send({ to: { storeManagers: DEMO_STORE_ID }, purpose: 'service', text: 'stock low', idempotencyKey: 'm-2' });
    await expect(messages.send({ to: { memberId: member }, purpose: 'service', text: '', idempotencyKey: 'm-3' })).rejects.toMatchObject({ code: 'MESSAGE_INVALID' });
    const counted = parsePrometheusText(await metrics.text());
    expect(sampleSum(counted, 'memberkiosk_messages_total', { channel: 'sms', status: 'sent' })).toBe(1);
    expect(sampleSum(counted, 'memberkiosk_messages_total', { channel: 'sms', status: 'already-sent' })).toBe(1);
    expect(sampleSum(counted, 'memberkiosk_messages_total', { channel: 'webhook', status: 'skipped-no-contact' })).toBe(1);
    expect(sampleSum(counted, 'memberkiosk_messages_total', { channel: 'sms', status: 'refused' })).toBe(1);
    expect(sampleSum(counted, 'memberkiosk_messages_total')).toBe(4);
  });

  it('still answers a scrape when a gauge’s source fails (a closed-ledger FAKE source), counting the failure', async () => {
    let count = 5;
    const metrics = new HubMetrics({
      hubId: 'failing',
      logger: silent,
      ledgerCountMaxAgeMs: 0,
      sources: {
        devices: () => Promise.reject(new Error('the registry is closed')),
        transactionCount: async () => {
          if (count < 0) throw new Error('the ledger is closed');
          return count;
        },
        nodeRed: () => null,
        brokerConnected: () => false,
      },
    });
    expect(sampleSum(parsePrometheusText(await metrics.text()), 'memberkiosk_ledger_transactions')).toBe(5);
    count = -1;
    const scraped = parsePrometheusText(await metrics.text());
    // The last good value stays; each failed read is counted by its source.
    expect(sampleSum(scraped, 'memberkiosk_ledger_transactions')).toBe(5);
    expect(sampleSum(scraped, 'memberkiosk_scrape_errors_total', { source: 'ledger' })).toBe(1);
    expect(sampleSum(scraped, 'memberkiosk_scrape_errors_total', { source: 'devices' })).toBe(2);
    expect(sampleSum(scraped, 'memberkiosk_kiosks_online')).toBe(0);
    expect(sampleSum(scraped, 'memberkiosk_broker_connected')).toBe(0);
  });
});

describe('hub metrics and health across a broker restart (real Mosquitto)', () => {
  let broker: MosquittoBroker | null = null;
  let env: TestHub | null = null;
  afterAll(async () => {
    await env?.dispose();
    await broker?.stop();
  });

  /** Polls GET /api/health until its status is `status`. */
  async function healthUntil(target: TestHub, status: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const answer = await fetch(`${target.consoleUrl}/api/health`);
      if (answer.status === status) return (await answer.json()) as Record<string, unknown>;
      if (Date.now() > deadline) throw new Error(`health did not answer ${status} within 20 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('answers 503 while the broker is away, and counts the reconnect once it is back', async () => {
    broker = await startMosquitto({ hub: 'hub-pa55' });
    const port = broker.port;
    env = await startTestHub({ broker: { mode: 'external', url: broker.url('hub', 'hub-pa55') }, http: { host: '127.0.0.1', port: 0 }, metrics: { hubId: 'worker-c' } });
    const scrape = async () => parsePrometheusText((await scrapePlain(env!)).text);
    expect(sampleSum(await scrape(), 'memberkiosk_mqtt_reconnects_total')).toBe(0);

    await broker.stop();
    broker = null;
    expect(await healthUntil(env, 503)).toMatchObject({ ok: false, broker: { connected: false }, ledger: { open: true } });
    expect(sampleSum(await scrape(), 'memberkiosk_broker_connected')).toBe(0);

    broker = await startMosquitto({ hub: 'hub-pa55' }, { port });
    expect(await healthUntil(env, 200)).toMatchObject({ ok: true, broker: { connected: true } });
    const back = await scrape();
    expect(sampleSum(back, 'memberkiosk_mqtt_reconnects_total')).toBe(1);
    expect(sampleSum(back, 'memberkiosk_broker_connected')).toBe(1);
  }, 60_000);
});
