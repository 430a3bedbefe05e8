/**
 * The hub's composition root: builds every part from one validated, frozen config and wires them.
 * Constructors do no I/O; start() and stop() are idempotent.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { censorLogValue, REDACTED_LOG_PATHS } from '../core/privacy/mask.ts';
import { DEFAULT_RULES_BUNDLE } from '../core/rules/default-bundle.ts';
import { HQ_DEVICE_ID } from '../core/wire/hq-device.ts';
import { parseTransaction } from '../core/wire/parse-transaction.ts';
import type { TxResultAnswer } from '../core/wire/result.ts';
import { createTopics, DEFAULT_BASE_TOPIC } from '../core/wire/topics.ts';
import { EmbeddedBroker } from './broker/embedded-broker.ts';
import { seedDemoData } from './demo/seed-demo-data.ts';
import { buildApp } from './http/build-app.ts';
import { createIdentityService } from './identity/identity-service.ts';
import { createMemberPinService } from './identity/member-pin-service.ts';
import { LookupResponder } from './ingest/lookup-responder.ts';
import { TxIngest } from './ingest/tx-ingest.ts';
import { expirePoints } from './hq/expire-points.ts';
import { reviewTiers } from './hq/review-tiers.ts';
import type { Ledger } from './ledger/ledger.ts';
import { createLedger } from './ledger/open-ledger.ts';
import { connectHubClient } from './mqtt/connect-hub-client.ts';
import { redactBrokerUrl } from './mqtt/redact-broker-url.ts';
import type { FastifyInstance } from 'fastify';

export const hubConfigSchema = z.object({
  dataDir: z.string().min(1),
  /** Embedded aedes on this host/port, or an external broker URL. */
  broker: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('embedded'), host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(1883) }),
    z.object({ mode: z.literal('external'), url: z.string().url(), username: z.string().optional(), password: z.string().optional() }),
  ]),
  http: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8800) }).nullable().default(null),
  baseTopic: z.string().regex(/^[A-Za-z0-9_-]+$/).default(DEFAULT_BASE_TOPIC),
  seedDemoData: z.boolean().default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});
export type HubConfig = z.input<typeof hubConfigSchema>;

export interface HubAddresses {
  brokerUrl: string;
  consoleUrl: string | null;
}

export interface Hub {
  start(): Promise<HubAddresses>;
  stop(): Promise<void>;
  /** The ledger back end with all its ports (open between start() and stop()). */
  readonly store: Ledger;
  readonly logger: Logger;
  /** Credentials with the hub's rights on the embedded broker, for in-process tools (benchmarks, tests). */
  readonly embeddedBrokerCredentials: { username: string; password: string } | null;
}

/** The answer to anything published as HQ over MQTT: refused, recorded nowhere, but named when it can be read. */
function refuseImpostor(payload: Buffer): TxResultAnswer {
  const parsed = parseTransaction(payload);
  const slot = parsed.ok ? parsed.tx : parsed.stage === 'body' ? parsed.header : null;
  return {
    id: slot?.id ?? (parsed.ok ? null : parsed.stage === 'envelope' ? parsed.id : null),
    seq: slot?.seq ?? null,
    status: 'rejected',
    code: 'TX_NOT_ALLOWED_FROM_DEVICE',
    message: 'HQ transactions are not accepted over MQTT',
    recorded: false,
  };
}

export function createHub(input: HubConfig, logger?: Logger): Hub {
  const config = Object.freeze(hubConfigSchema.parse(input));
  const log = (logger ?? pino({ level: config.logLevel, redact: { paths: REDACTED_LOG_PATHS, censor: censorLogValue } })).child({ process: 'hub' });
  const topics = createTopics(config.baseTopic);
  const hubSecret = randomBytes(24).toString('base64url');
  const store = createLedger({ kind: 'sqlite', path: join(config.dataDir, 'ledger.sqlite'), logger: log, fallbackBundle: DEFAULT_RULES_BUNDLE });
  const broker = config.broker.mode === 'embedded' ? new EmbeddedBroker({ host: config.broker.host, port: config.broker.port, baseTopic: config.baseTopic, hubSecret, logger: log }) : null;
  let client: MqttClient | null = null;
  let app: FastifyInstance | null = null;
  let addresses: HubAddresses | null = null;
  let starting: Promise<HubAddresses> | null = null;
  /** Lets stop() end a start() that is still waiting for its broker. */
  let brokerWait: AbortController | null = null;
  let expiryTimer: NodeJS.Timeout | null = null;
  let ingest: TxIngest | null = null;
  /** The sweep under way, if any: a timer tick never starts a second one, and stop() waits for it. */
  let sweeping: Promise<void> | null = null;
  const sweep = async () => {
    const now = new Date().toISOString();
    const swept = await expirePoints(store, now);
    if (swept.points > 0) log.info(swept, 'expired points swept');
    const review = await reviewTiers(store, now);
    if (review.status === 'reviewed' || review.status === 'skipped_not_fully_tracked') log.info(review, 'tier review');
  };
  const sweepInBackground = () => {
    sweeping ??= sweep()
      .catch((error: unknown) => log.error({ err: error }, 'points expiry or tier review failed; trying again at the next sweep'))
      .finally(() => (sweeping = null));
  };

  async function start(): Promise<HubAddresses> {
    mkdirSync(config.dataDir, { recursive: true });
    await store.open();
    if (config.seedDemoData && (await seedDemoData(store, log))) log.info('demo members, cards, staff and gifts created');
    // Staff, sessions and the audit log live on the ledger's database: available once it is open.
    const identity = createIdentityService({ store: store.identity, logger: log });
    await sweep();
    // Hourly is plenty: an expired lot is already unspendable, and a closed tier period waits an hour at most.
    expiryTimer = setInterval(sweepInBackground, 3_600_000);
    expiryTimer.unref();
    const brokerUrl = broker ? (await broker.start()).url : (config.broker as { url: string }).url;
    const credentials = broker ? { username: 'hub', password: hubSecret } : config.broker.mode === 'external' ? { username: config.broker.username, password: config.broker.password } : {};
    brokerWait = new AbortController();
    client = await connectHubClient({
      url: brokerUrl,
      clientId: `memberkiosk-hub-${randomBytes(4).toString('hex')}`,
      ...(credentials.username ? { username: credentials.username } : {}),
      ...(credentials.password ? { password: credentials.password } : {}),
      will: { topic: topics.hubAvailability, payload: 'offline', retain: true },
      logger: log,
      signal: brokerWait.signal,
    });
    brokerWait = null;
    ingest = new TxIngest({ client, store, topics, logger: log });
    const txIngest = ingest;
    const memberPins = createMemberPinService({ store: store.identity, logger: log });
    const lookups = new LookupResponder({ client, store, identity, identityStore: store.identity, memberPins, topics, logger: log });
    client.on('message', (topic, payload) => {
      const route = topics.parse(topic);
      // HQ transactions are made inside the hub, never received: whatever claims to be "hq" on the wire is
      // an impostor (manual bonuses are accepted from "hq" only) and is answered without touching the ledger.
      if (route?.deviceId === HQ_DEVICE_ID) {
        if (route.channel === 'tx') {
          log.warn({ topic }, 'refused a transaction published under the HQ device id');
          client?.publish(topics.txResult(HQ_DEVICE_ID), JSON.stringify(refuseImpostor(payload)), { qos: 1 });
        }
        return;
      }
      if (route?.channel === 'tx') txIngest.receive(route.deviceId, payload);
      else if (route?.channel === 'request' && route.requestId) lookups.receive(route.deviceId, route.requestId, payload);
    });
    await client.subscribeAsync([topics.allTx, topics.allRequests], { qos: 1 });
    // After every reconnect: subscriptions of a clean session are gone, and devices should resend what they hold.
    client.on('connect', () => {
      void client?.subscribeAsync([topics.allTx, topics.allRequests], { qos: 1 }).then(() => client?.publish(topics.hubAvailability, 'online', { qos: 1, retain: true }));
    });
    await client.publishAsync(topics.hubAvailability, 'online', { qos: 1, retain: true });
    let consoleUrl: string | null = null;
    if (config.http) {
      // The console and GET /api/health show where the broker is, never its password.
      app = buildApp({
        store,
        identity,
        identityStore: store.identity,
        brokerUrl: redactBrokerUrl(brokerUrl),
        memberIds: () => store.listMemberIds(200),
        logger: log.child({ component: 'hub.http' }),
      });
      consoleUrl = await app.listen({ host: config.http.host, port: config.http.port });
    }
    log.info({ brokerUrl: redactBrokerUrl(brokerUrl), consoleUrl }, 'hub started');
    addresses = { brokerUrl, consoleUrl };
    return addresses;
  }

  return {
    store,
    logger: log,
    embeddedBrokerCredentials: broker ? { username: 'hub', password: hubSecret } : null,
    start() {
      if (addresses) return Promise.resolve(addresses);
      starting ??= start().finally(() => (starting = null));
      return starting;
    },
    async stop() {
      // A start() waiting for an external broker that is not up would otherwise keep stop() waiting forever.
      brokerWait?.abort(new Error('the hub was stopped while waiting for its MQTT broker'));
      brokerWait = null;
      if (starting) await starting.catch(() => undefined);
      if (expiryTimer) clearInterval(expiryTimer);
      expiryTimer = null;
      const current = client;
      client = null;
      if (current) {
        await current.publishAsync(topics.hubAvailability, 'offline', { qos: 1, retain: true }).catch(() => undefined);
        await current.endAsync();
      }
      await app?.close();
      app = null;
      await broker?.stop();
      // No batch or sweep may be half-way through the ledger when it closes.
      await ingest?.idle();
      ingest = null;
      await sweeping;
      await store.close();
      addresses = null;
    },
  };
}
