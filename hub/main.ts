/**
 * The hub's composition root: builds every part from one validated, frozen config and wires them.
 * Constructors do no I/O; start() and stop() are idempotent.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
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
import { CodedError } from '../core/errors/coded-error.ts';
import { EmbeddedBroker } from './broker/embedded-broker.ts';
import { MosquittoDynsecAccounts } from './broker/mosquitto-dynsec-accounts.ts';
import { syncRevocations } from './broker/revocation-sync.ts';
import { seedDemoAutomation, seedDemoData } from './demo/seed-demo-data.ts';
import { seedDemoFleet } from './demo/seed-demo-fleet.ts';
import { seedDemoConfig } from './demo/seed-demo-config.ts';
import { ensureDemoConfigKeys } from './demo/demo-config-keys.ts';
import { describeConfig } from './config/config-overview.ts';
import { ConfigSync } from './config/config-sync.ts';
import { publishConfig } from './config/publish-config.ts';
import { SigningKeyLoader } from './config/signing-key.ts';
import { enrolKiosk } from './fleet/enrol-kiosk.ts';
import { recordKioskMode, syncKioskModes } from './fleet/record-kiosk-mode.ts';
import type { EnrolledDevice, FleetRegistry } from './fleet/fleet-registry.ts';
import { readHqRootPublicKey } from './fleet/hq-root-key.ts';
import { ensureHubTls, type HubTls } from './pki/hub-tls.ts';
import { buildApp } from './http/build-app.ts';
import { createMemberImportService } from './members-import/member-import-service.ts';
import { createIdentityService } from './identity/identity-service.ts';
import { createMemberPinService } from './identity/member-pin-service.ts';
import { LookupResponder } from './ingest/lookup-responder.ts';
import { TxIngest } from './ingest/tx-ingest.ts';
import { expirePoints } from './hq/expire-points.ts';
import { reviewTiers } from './hq/review-tiers.ts';
import { chargeAnnualFees } from './hq/charge-annual-fees.ts';
import { sweepRetention } from './hq/apply-retention.ts';
import { DEFAULT_TIMEZONE } from '../core/rules/compile.ts';
import type { FeeReportQuery } from './ledger/card-fee-store.ts';
import { chargeCredit } from './hq/charge-credit.ts';
import type { Ledger } from './ledger/ledger.ts';
import { createLedger } from './ledger/open-ledger.ts';
import { connectHubClient } from './mqtt/connect-hub-client.ts';
import { redactBrokerUrl } from './mqtt/redact-broker-url.ts';
import { DeviceStatusRecorder } from './registry/device-status-recorder.ts';
import type { FastifyInstance } from 'fastify';
import { createReports } from './reports/reports.ts';
import { describeHubDb, hubDbSchema } from './db/hub-db.ts';
import { createHubStores } from './db/open-hub-stores.ts';
import { hubReportReads } from './db/hub-report-reads.ts';
import { messagingConfigSchema } from './messaging/messaging-config.ts';
import { nodeRedConfigSchema } from '../flows/runtime/node-red-config.ts';
import { createHubAutomation, type HubAutomation } from './automation/hub-automation.ts';
import type { HubFlows } from './automation/hub-flows.ts';
import { HubMetrics } from './metrics/hub-metrics.ts';
import { readHubHealth } from './metrics/hub-health.ts';
import { metricsConfigFromEnvironment, metricsConfigSchema, metricsSettings } from './metrics/metrics-config.ts';
import { HeldBackRetry } from './ingest/held-back-retry.ts';
import { requireWorkerBackends, workerClientId, workerConfigSchema } from './workers/worker-config.ts';
import { workerTopics } from './workers/worker-topics.ts';
import { HubPresence } from './workers/hub-presence.ts';
import type { LeaderDuty } from './workers/leader-duties.ts';
import { startWorkerRole, type WorkerRole } from './workers/worker-role.ts';

export const hubConfigSchema = z.object({
  dataDir: z.string().min(1),
  /** The hub's database: SQLite in DATA/ledger.sqlite and DATA/fleet.sqlite (default), or PostgreSQL for the ledger and the fleet alike (hub/db/hub-db.ts). */
  db: hubDbSchema,
  /** Embedded aedes on this host/port, or an external broker URL. */
  broker: z.discriminatedUnion('mode', [
    z.object({
      mode: z.literal('embedded'),
      /** The plain listener: loopback only (the hub's own client, the demo, tests). */
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(1883),
      /** MQTT over TLS for kiosks; null: none. */
      tlsHost: z.string().default('127.0.0.1'),
      tlsPort: z.number().int().min(0).max(65535).nullable().default(null),
    }),
    /** `kioskUrl`: the broker as enrolled kiosks reach it (mqtts://…), told to them at enrolment. */
    /** `dynsecAdminUrl`: a Mosquitto dynamic-security admin login; kiosk accounts are then kept in step on enrol and revoke. */
    z.object({
      mode: z.literal('external'),
      url: z.string().url(),
      username: z.string().optional(),
      password: z.string().optional(),
      kioskUrl: z.string().url().optional(),
      dynsecAdminUrl: z.string().url().optional(),
      /** A PEM file of the CA that signed the broker's certificate, when it is neither the hub's own CA nor a public one. */
      caFile: z.string().optional(),
    }),
  ]),
  /** The plain console and API: loopback only. */
  http: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8800) }).nullable().default(null),
  /** Console, API and kiosk enrolment (POST /api/enrol) over TLS; null: none. */
  https: z.object({ host: z.string().default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(8443) }).nullable().default(null),
  /** The hub's certificate: its own CA's (DATA/tls/) for loopback and these names, or a chain's own files. */
  tls: z
    .object({
      hostNames: z.array(z.string().min(1)).default([]),
      own: z.object({ certFile: z.string(), keyFile: z.string(), caFile: z.string() }).nullable().default(null),
    })
    .default({ hostNames: [], own: null }),
  baseTopic: z.string().regex(/^[A-Za-z0-9_-]+$/).default(DEFAULT_BASE_TOPIC),
  seedDemoData: z.boolean().default(false),
  /** With seedDemoData: publish the demo store's shop and receipt texts (hub/demo/seed-demo-config.ts) if it has none. `memberkiosk demo` does. */
  seedDemoConfig: z.boolean().default(false),
  /** With seedDemoData: the flows' demo — a member with a birthday today, the account flows act as, a technician login (hub/demo/seed-demo-data.ts). `memberkiosk demo` does. */
  seedDemoAutomation: z.boolean().default(false),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** SMS to members and the staff webhook for the hub's flows (hub/messaging/messaging-config.ts); all off by default. */
  messaging: messagingConfigSchema,
  /**
   * Node-RED (flows/): off unless switched on; the editor behind the console at /node-red/ for HQ admins and
   * technicians; `actAs`: the staff account (region manager or HQ admin, all stores) the flows' points grants are made by.
   */
  nodeRed: nodeRedConfigSchema
    .extend({ port: nodeRedConfigSchema.shape.port.unwrap().default(1881), actAs: z.string().min(1).max(64).optional() })
    .default({ enabled: false, host: '127.0.0.1', port: 1881, flows: [], heartbeatMs: 1_000, unresponsiveMs: 5_000, maxOldSpaceMb: 128, sessionHours: 8 }),
  /**
   * GET /metrics (hub/metrics/metrics-config.ts): `token` opens it on the TLS listener (MEMBERKIOSK_METRICS_TOKEN when
   * unset; the loopback listener needs none); `hubId` labels every series (MEMBERKIOSK_HUB_ID, else the host name).
   */
  metrics: metricsConfigSchema,
  /** One of several hub workers on one PostgreSQL and one external broker (hub/workers/worker-config.ts); null: the hub alone. */
  worker: workerConfigSchema,
});
export type HubConfig = z.input<typeof hubConfigSchema>;

export interface HubAddresses {
  brokerUrl: string;
  consoleUrl: string | null;
  /** The embedded broker's MQTT-over-TLS listener, when it has one. */
  brokerTlsUrl: string | null;
  /** Console, API and enrolment over TLS, when configured. */
  httpsUrl: string | null;
  /** SHA-256 hex of the hub's CA certificate: what enrolment codes carry. */
  caSha256: string;
  caPem: string;
}

export interface Hub {
  start(): Promise<HubAddresses>;
  stop(): Promise<void>;
  /** The ledger back end with all its ports (open between start() and stop()). */
  readonly store: Ledger;
  readonly logger: Logger;
  /** Credentials with the hub's rights on the embedded broker, for in-process tools (benchmarks, tests). */
  readonly embeddedBrokerCredentials: { username: string; password: string } | null;
  /** Regions, stores, enrolment codes and enrolled kiosks (open between start() and stop()). */
  readonly fleet: FleetRegistry;
  /** The device registry: what each kiosk last reported on its retained state and availability (open between start() and stop()). */
  readonly deviceStatus: DeviceStatusRecorder;
  /** Revokes a kiosk and disconnects it at once if it is connected to the embedded broker. */
  revokeDevice(deviceId: string): Promise<EnrolledDevice | null>;
  /** Kiosk accounts on an external broker that keeps its own (Mosquitto dynsec); null with the embedded one. */
  readonly brokerAccounts: MosquittoDynsecAccounts | null;
  /** The hub's automations while started: Node-RED (null when off) and the message senders (a recording fake in tests). */
  automation(): HubAutomation | null;
  nodeRed(): HubFlows | null;
}

/** Plain listeners carry secrets in clear: they may only listen where nothing but this machine reaches them. */
function requireLoopback(what: string, host: string): void {
  if (host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return;
  throw new CodedError('PLAIN_LISTENER_NOT_LOOPBACK', `the plain ${what} listener may only bind to loopback, not ${host}; kiosks and browsers on the network use the TLS listener`);
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
  const metricsInput = input.worker && !input.metrics?.hubId ? { ...input.metrics, hubId: input.worker.id } : input.metrics;
  const config = Object.freeze(hubConfigSchema.parse({ ...input, metrics: metricsConfigFromEnvironment(metricsInput) }));
  if (config.worker) requireWorkerBackends(config);
  const worker = config.worker;
  const log = (logger ?? pino({ level: config.logLevel, redact: { paths: REDACTED_LOG_PATHS, censor: censorLogValue } })).child({ process: 'hub' });
  const topics = createTopics(config.baseTopic);
  // As one of several workers (hub/workers/): kiosk messages through shared subscriptions, its own availability,
  // and the leader alone doing what must be done once (`leads`). Alone, the hub does everything.
  const workerMqtt = worker ? workerTopics(config.baseTopic, topics, worker.group, worker.id) : null;
  const ownAvailability = workerMqtt?.availability ?? topics.hubAvailability;
  let workerRole: WorkerRole | null = null;
  const leads = () => !worker || (workerRole?.isLeader() ?? false);
  /** Worker mode: ordering gaps (another worker still applying the seq before) are applied again before answering. */
  const heldBack = worker ? new HeldBackRetry({ requeue: (item) => ingest?.requeue(item) }) : null;
  const hubSecret = randomBytes(24).toString('base64url');
  /** Each store's region in the fleet (kept by the configuration sync): region-scoped rules apply at the hub too. */
  let storeRegions: ReadonlyMap<string, string> = new Map();
  const ledgerOptions = { logger: log, fallbackBundle: DEFAULT_RULES_BUNDLE, regionOf: (storeId: string) => storeRegions.get(storeId), snapshotRules: (deviceId: string, version: number | 'newest') => configStore.snapshotRulesVersion(deviceId, version) };
  const store = createLedger(config.db.kind === 'postgres' ? { kind: 'postgres', url: config.db.url, ...ledgerOptions } : { kind: 'sqlite', path: join(config.dataDir, 'ledger.sqlite'), writerThread: true, ...ledgerOptions });
  // The fleet, its signed configuration (hub/config/) and the device registry: on the ledger's PostgreSQL database,
  // else in DATA/fleet.sqlite (hub/db/open-hub-stores.ts). The signing key is read from DATA either way.
  const hubStores = createHubStores(config.db, config.dataDir, { logger: log });
  const configStore = hubStores.config;
  const signingKeys = new SigningKeyLoader(config.dataDir);
  let configSync: ConfigSync | null = null;
  if (config.broker.mode === 'embedded') requireLoopback('MQTT', config.broker.host);
  if (config.http) requireLoopback('HTTP', config.http.host);
  const fleet = hubStores.fleet;
  // On SQLite the console's reports read the ledger file on read-only connections of their own (hub/reports/), their
  // queries on a thread of their own and their exports' rows on threads of their own, so a long one never holds up
  // the kiosks' transactions; on PostgreSQL, snapshots on a pool of their own (hub/db/hub-report-reads.ts).
  const reportReads = hubReportReads(config.db, config.dataDir);
  const deviceStatusStore = hubStores.deviceStatus;
  const deviceStatus = new DeviceStatusRecorder({ store: deviceStatusStore, logger: log });
  /** The hub's certificate, read (or made) at start; the broker's TLS listener takes it from here. */
  let tls: HubTls | null = null;
  const broker =
    config.broker.mode === 'embedded'
      ? new EmbeddedBroker({
          host: config.broker.host,
          port: config.broker.port,
          baseTopic: config.baseTopic,
          hubSecret,
          fleet,
          tls:
            config.broker.tlsPort === null
              ? undefined
              : {
                  host: config.broker.tlsHost,
                  port: config.broker.tlsPort,
                  // Read at start(), once the certificate is made or loaded.
                  credentials: () => ({ key: tls?.keyPem ?? '', cert: tls?.certChainPem ?? '' }),
                },
          logger: log,
        })
      : null;
  let httpsApp: FastifyInstance | null = null;
  /** What /metrics and /api/health read of the hub while it runs (before start and after stop: down, no Node-RED). */
  const observed = {
    brokerConnected: () => client?.connected ?? false,
    transactionCount: () => store.transactionCount(),
    nodeRed: () => automation?.flows()?.runtime.status() ?? null,
    devices: () => deviceStatus.list(),
    ...(worker ? { leader: () => leads(), worker: () => ({ id: worker.id, leader: leads() }) } : {}),
  };
  const { hubId, token: metricsToken } = metricsSettings(config.metrics);
  const metrics = new HubMetrics({ hubId, sources: observed, logger: log });
  const brokerAccounts =
    config.broker.mode === 'external' && config.broker.dynsecAdminUrl ? new MosquittoDynsecAccounts({ url: config.broker.dynsecAdminUrl, baseTopic: config.baseTopic, logger: log, ca: () => externalBrokerCas() }) : null;
  let revocations: { stop(): Promise<void> } | null = null;
  let client: MqttClient | null = null;
  let app: FastifyInstance | null = null;
  let addresses: HubAddresses | null = null;
  let starting: Promise<HubAddresses> | null = null;
  /** Lets stop() end a start() that is still waiting for its broker. */
  let brokerWait: AbortController | null = null;
  let expiryTimer: NodeJS.Timeout | null = null;
  let ingest: TxIngest | null = null;
  let automation: HubAutomation | null = null;
  /** The sweep under way, if any: a timer tick never starts a second one, and stop() waits for it. */
  let sweeping: Promise<void> | null = null;
  /** The chain's time zone: the newest rules bundle's (retention months, the audit log's days). */
  const chainTimezone = async () => (await store.latestRulesBundle())?.timezone ?? DEFAULT_TIMEZONE;
  const sweep = async () => {
    const now = new Date().toISOString();
    const swept = await expirePoints(store, now);
    if (swept.points > 0) log.info(swept, 'expired points swept');
    const review = await reviewTiers(store, now);
    if (review.status === 'reviewed' || review.status === 'skipped_not_fully_tracked') log.info(review, 'tier review');
    const credit = await chargeCredit(store, now);
    if (credit.statements > 0 || credit.refused > 0) log.info(credit, 'credit late fees and interest charged');
    // 年费 in each card's issue month; a rerun finds the year charged (hub/hq/charge-annual-fees.ts).
    const fees = await chargeAnnualFees(store, now);
    if (fees.cards > 0 || fees.refused > 0) log.info(fees, 'annual fees charged');
    // PIPL retention once a day (hub/hq/apply-retention.ts): off until HQ sets it, bounded per run.
    const retention = await sweepRetention(store.retention, now, await chainTimezone());
    if (retention?.ran) log.info(retention, 'retention rules applied');
    if (worker) log.info({ workerId: worker.id }, 'scheduled jobs run (expiry, tier review, credit, annual fees, retention)');
  };
  const sweepInBackground = () => {
    sweeping ??= sweep()
      .catch((error: unknown) => log.error({ err: error }, 'points expiry or tier review failed; trying again at the next sweep'))
      .finally(() => (sweeping = null));
  };

  /** Revoked in the fleet, disconnected from the embedded broker at once, and disabled on an external one. */
  async function revokeDevice(deviceId: string): Promise<EnrolledDevice | null> {
    const revoked = await fleet.revokeDevice(deviceId, new Date().toISOString());
    if (revoked) broker?.disconnectDevice(deviceId);
    if (revoked) await brokerAccounts?.disableDevice(deviceId);
    return revoked;
  }

  /**
   * What the hub trusts on an external mqtts:// broker: the public roots (a broker with a bought certificate), its
   * own CA (the documented Mosquitto set-up serves a certificate the hub issued) and the chain's CA file if given.
   * mqtt.js's `ca` replaces Node's roots rather than adding to them, hence the public roots here too.
   */
  function externalBrokerCas(): string[] {
    const own = tls ? [tls.caPem] : [];
    const chain = config.broker.mode === 'external' && config.broker.caFile ? [readFileSync(config.broker.caFile, 'utf8')] : [];
    return [...rootCertificates, ...own, ...chain];
  }

  async function start(): Promise<HubAddresses> {
    mkdirSync(config.dataDir, { recursive: true });
    await store.open();
    await fleet.open();
    await deviceStatusStore.open();
    // The embedded broker starts now: no kiosk can be connected to it yet, whatever was recorded before.
    if (broker) await deviceStatusStore.markAllOffline(new Date().toISOString());
    deviceStatus.start();
    tls = await ensureHubTls(config.dataDir, config.tls.hostNames, config.tls.own ?? undefined);
    if (config.seedDemoData && (await seedDemoData(store, log))) log.info('demo members, cards, staff and gifts created');
    if (config.seedDemoData && (await seedDemoFleet(fleet))) log.info('demo region and store added to the fleet');
    // The demo's birthday member and the account its flows act as (hub/demo/seed-demo-data.ts).
    const demoAutomation = config.seedDemoData && config.seedDemoAutomation ? await seedDemoAutomation(store, { logger: log }) : null;
    // Before anything can enrol: kiosks pin the HQ root at enrolment, and the demo's root is made here.
    if (config.seedDemoData) ensureDemoConfigKeys(config.dataDir, log);
    await configStore.open();
    storeRegions = new Map((await fleet.listStores()).map((s) => [s.storeId, s.regionId] as const));
    // A worker leaves the revocation sync and the scheduled jobs to the leader (leaderDuties below).
    if (brokerAccounts && !worker) revocations = syncRevocations(fleet, brokerAccounts, log);
    // Staff, sessions and the audit log live on the ledger's database: available once it is open.
    const identity = createIdentityService({ store: store.identity, logger: log });
    await syncKioskModes(fleet, store.identity);
    if (!worker) {
      await sweep();
      // Hourly is plenty: an expired lot is already unspendable, and a closed tier period waits an hour at most.
      expiryTimer = setInterval(sweepInBackground, 3_600_000);
      expiryTimer.unref();
    }
    const brokerAddress = broker ? await broker.start() : null;
    const brokerUrl = brokerAddress ? brokerAddress.url : (config.broker as { url: string }).url;
    const credentials = broker ? { username: 'hub', password: hubSecret } : config.broker.mode === 'external' ? { username: config.broker.username, password: config.broker.password } : {};
    brokerWait = new AbortController();
    client = await connectHubClient({
      url: brokerUrl,
      clientId: worker ? workerClientId(worker) : `memberkiosk-hub-${randomBytes(4).toString('hex')}`,
      ...(credentials.username ? { username: credentials.username } : {}),
      ...(credentials.password ? { password: credentials.password } : {}),
      will: { topic: ownAvailability, payload: 'offline', retain: true },
      ...(worker ? { protocolVersion: 5 as const } : {}),
      logger: log,
      signal: brokerWait.signal,
      ...(config.broker.mode === 'external' ? { ca: externalBrokerCas() } : {}),
    });
    brokerWait = null;
    automation = createHubAutomation({
      nodeRed: { ...config.nodeRed, actAs: config.nodeRed.actAs ?? demoAutomation?.flowStaffId },
      messaging: config.messaging,
      dataDir: config.dataDir,
      store,
      fleet,
      identity,
      client,
      topics,
      deviceStatus,
      timezone: chainTimezone,
      logger: log,
      onMessageOutcome: (status, channel) => metrics.messageOutcome(status, channel),
    });
    const hubAutomation = automation;
    ingest = new TxIngest({ client, store, topics, logger: log, onResults: (batch, results) => hubAutomation.ingestResults(batch, results), observer: metrics, ...(heldBack ? { holdBack: heldBack } : {}) });
    const txIngest = ingest;
    const memberPins = createMemberPinService({ store: store.identity, logger: log });
    const hubClient = client;
    const sync = new ConfigSync({
      store: configStore,
      fleet,
      rules: store,
      keys: signingKeys,
      topics,
      publish: (topic, payload) => hubClient.publish(topic, payload, { qos: 1, retain: true }, (error) => error && log.warn({ err: error, topic }, 'could not publish configuration; it is sent again on reconnect')),
      logger: log,
      onRegions: (regions) => (storeRegions = regions),
    });
    configSync = sync;
    // A kiosk's store profile (device.profile): read from the fleet at each ask, so HQ's change reaches the kiosk at its next one.
    const storeProfile = async (storeId: string) => {
      const found = await fleet.store(storeId);
      return found ? { storeId: found.storeId, name: found.name, address: found.address, phone: found.phone, timezone: found.timezone } : null;
    };
    const lookups = new LookupResponder({ client, store, identity, identityStore: store.identity, memberPins, topics, logger: log, config: sync, regionOf: (storeId) => storeRegions.get(storeId), storeProfile, codesAndDraws: { codes: store.codes, draws: store.draws }, giftStock: store.giftStock, observer: metrics });
    // Every kiosk's signed configuration set retained before kiosks are heard (config-sync.ts), and again after a reconnect.
    await sync.start();
    if (config.seedDemoData && config.seedDemoConfig) {
      const seeded = await seedDemoConfig({
        latestBundle: (scope) => configStore.latestBundle(scope),
        publish: async (request) => {
          await publishConfig({ store: configStore, fleet, signingKey: signingKeys.require() }, request);
          await sync.kick();
        },
      });
      if (seeded) log.info('demo store configuration published (the shop, receipt texts)');
    }
    // Every connect from here on is a reconnect: the first one was awaited above.
    client.on('connect', () => metrics.mqttReconnected());
    client.on('connect', () => {
      if (leads()) void sync.republishAll().catch((error: unknown) => log.error({ err: error }, 'could not publish configuration again after reconnecting'));
    });
    client.on('message', (topic, payload, packet) => {
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
      if (!route) return;
      // Retained state and availability arrive flagged retain when the hub subscribes (now or after a reconnect).
      if (route.channel === 'state') deviceStatus.receiveState(route.deviceId, payload, packet.retain);
      else if (route.channel === 'availability') deviceStatus.receiveAvailability(route.deviceId, payload, packet.retain);
      else {
        deviceStatus.seen(route.deviceId);
        if (route.channel === 'tx') txIngest.receive(route.deviceId, payload);
        else if (route.requestId) lookups.receive(route.deviceId, route.requestId, payload);
      }
    });
    // The device registry's topics too: subscribing delivers every kiosk's retained state and availability (also
    // of kiosks that reported while the hub was away, on an external broker).
    // A worker: transactions and look-ups shared with the other workers; the registry's topics are the leader's.
    const subscriptions = workerMqtt ? workerMqtt.shared : [topics.allTx, topics.allRequests, topics.allState, topics.allAvailability];
    await client.subscribeAsync(subscriptions, { qos: 1 });
    // After every reconnect: subscriptions of a clean session are gone, and devices should resend what they hold
    // (a worker announces only itself: the leader's presence tells the kiosks, hub/workers/hub-presence.ts).
    client.on('connect', () => {
      const again = workerMqtt && leads() ? [...subscriptions, ...workerMqtt.registry] : subscriptions;
      void client?.subscribeAsync(again, { qos: 1 }).then(() => client?.publish(ownAvailability, 'online', { qos: 1, retain: true }));
    });
    await client.publishAsync(ownAvailability, 'online', { qos: 1, retain: true });
    // Regions, stores, codes and devices for HQ admins, on both listeners (revoking disconnects at once).
    const caSha256 = tls.caSha256;
    const fleetRoutes = { fleet, caSha256: () => caSha256, revoke: revokeDevice, deviceStatus };
    // What both listeners serve; the console and GET /api/health show where the broker is, never its password.
    // Signed configuration for HQ admins: publish (signed, stored, then sent at once) and what each kiosk has.
    const configRoutes = {
      publish: async (request: Parameters<typeof publishConfig>[1]) => {
        const published = await publishConfig({ store: configStore, fleet, signingKey: signingKeys.require() }, request);
        await sync.kick();
        return published;
      },
      overview: async () => {
        const reported = new Map((await deviceStatus.list()).map((d) => [d.deviceId, d] as const));
        return describeConfig(configStore, signingKeys.read(), (deviceId) => {
          const d = reported.get(deviceId);
          return d ? { snapshotVersion: d.snapshotVersion, refusal: d.lastRefusal ? { code: d.lastRefusal.code, detail: d.lastRefusal.detail, version: d.lastRefusal.version } : null } : undefined;
        });
      },
    };
    // The console's Rules page publishes through the same path (configRoutes.publish: checked, signed, sent at once).
    const rulesRoutes = { config: configStore, fleet, deviceStatus, publish: configRoutes.publish };
    // Importing members from the chain's old system: HQ admins, checked in full, all rows or none (hub/members-import/).
    const memberImport = {
      service: createMemberImportService({ imports: store.memberImports, profiles: store.memberProfiles, rules: store, stores: () => fleet.listStores(), fallbackBundle: DEFAULT_RULES_BUNDLE, logger: log }),
      profiles: store.memberProfiles,
    };
    // The stores of a region, as the reports filter by one.
    const storesOfRegion = async (regionId: string) => (await fleet.listStores()).filter((s) => s.regionId === regionId).map((s) => s.storeId);
    // The hub's Node-RED editor through the console's listeners (it checks its own logins), when switched on.
    const nodeRedProxy = config.nodeRed.enabled ? { nodeRed: { upstream: () => automation?.flows()?.runtime.origin() ?? null } } : {};
    const appDeps = { ...nodeRedProxy, messaging: { messages: store.messaging, inboundToken: config.messaging.inboundToken }, store, identity, identityStore: store.identity, brokerUrl: redactBrokerUrl(brokerUrl), fleet: fleetRoutes, receipts: { fleet, receipts: store.receipts, logger: log }, config: configRoutes, rules: rulesRoutes, codesAndDraws: { codes: store.codes, draws: store.draws }, memberConsole: store.memberConsole, memberProfiles: { store, profiles: store.memberProfiles }, memberImport, auditLog: { timezone: chainTimezone, onExportError: (err: unknown) => log.error({ err }, 'audit log export failed') }, retention: { retention: store.retention, timezone: chainTimezone }, commission: { reads: store.commission, rules: store, storesOfRegion }, giftStock: { giftStock: store.giftStock, ledger: store, rules: store, stores: async () => (await fleet.listStores()).map((s) => ({ storeId: s.storeId, name: s.name })) }, credit: { credit: store.credit, rules: store }, cardTypes: { store, cardFees: { feeReport: (query: FeeReportQuery) => store.cardFees.feeReport(query) }, rules: store }, reports: createReports({ reads: reportReads, rules: store, storesOfRegion, staffNames: async () => new Map((await store.identity.listStaff()).map((s) => [s.staffId, s.name] as const)) }), memberReports: { reads: reportReads.members, rules: store, regions: async () => ({ storeRegions: new Map((await fleet.listStores()).map((s) => [s.storeId, s.regionId] as const)), regionNames: new Map((await fleet.listRegions()).map((r) => [r.regionId, r.name] as const)) }) } };
    let consoleUrl: string | null = null;
    // /metrics open on the loopback listener, behind the scrape token on the TLS one (hub/http/metrics-routes.ts).
    const health = () => readHubHealth(observed);
    if (config.http) {
      app = buildApp({ ...appDeps, health, metrics: { metrics, access: { open: true } }, logger: log.child({ component: 'hub.http' }) });
      consoleUrl = await app.listen({ host: config.http.host, port: config.http.port });
    }
    let httpsUrl: string | null = null;
    if (config.https) {
      const hubTls = tls;
      const rootKey = readHqRootPublicKey(config.dataDir);
      // The demo has no HQ; anywhere else a kiosk enrolled now will never learn HQ's key without re-enrolment.
      if (!rootKey) log[config.seedDemoData ? 'info' : 'warn']('no HQ root public key installed (memberkiosk keys install-public): kiosks enrolled now pin none');
      const enrol = enrolKiosk({
        fleet,
        caPem: hubTls.caPem,
        hqRootPublicKey: () => readHqRootPublicKey(config.dataDir),
        brokerUrl: config.broker.mode === 'external' ? (config.broker.kioskUrl ?? null) : null,
        mqttTlsPort: () => brokerAddress?.tlsPort ?? null,
        baseTopic: config.baseTopic,
        logger: log,
        ...(brokerAccounts ? { accounts: brokerAccounts } : {}),
      });
      httpsApp = buildApp({
        ...appDeps,
        health,
        metrics: { metrics, access: { token: metricsToken } },
        logger: log.child({ component: 'hub.https' }),
        https: { key: hubTls.keyPem, cert: hubTls.certChainPem },
        // The ledger learns the new kiosk's mode with its enrolment: its cash is refused unless it is attended.
        enrol: async (request) => {
          const answer = await enrol(request);
          await recordKioskMode(store.identity, answer);
          return answer;
        },
      });
      httpsUrl = await httpsApp.listen({ host: config.https.host, port: config.https.port });
    }
    // Not awaited: kiosks are served whether or not the flows are up (tests and the demo wait on nodeRed().ready).
    // A worker runs them only while it leads (leaderDuties).
    if (!worker) hubAutomation.start();
    if (worker && workerMqtt && config.db.kind === 'postgres' && config.broker.mode === 'external') {
      const registry = workerMqtt.registry;
      // What one worker does for all, started when this one is elected and stopped when it steps down.
      const leaderDuties: LeaderDuty[] = [
        // Not awaited: while the client reconnects a subscribe waits, and it is made again on its reconnect anyway.
        {
          name: 'device registry',
          start: () => void hubClient.subscribeAsync(registry, { qos: 1 }).catch((error: unknown) => log.warn({ err: error }, 'could not subscribe to the device registry’s topics; again on reconnect')),
          stop: () => void hubClient.unsubscribeAsync(registry).catch(() => undefined),
        },
        { name: 'configuration republish', start: () => void sync.republishAll().catch((error: unknown) => log.error({ err: error }, 'could not publish configuration on taking the lead')), stop: () => undefined },
        {
          name: 'revocation sync',
          start: () => {
            if (brokerAccounts) revocations = syncRevocations(fleet, brokerAccounts, log);
          },
          stop: async () => {
            await revocations?.stop();
            revocations = null;
          },
        },
        {
          name: 'scheduled jobs',
          start: () => {
            sweepInBackground();
            expiryTimer = setInterval(sweepInBackground, 3_600_000);
            expiryTimer.unref();
          },
          stop: async () => {
            if (expiryTimer) clearInterval(expiryTimer);
            expiryTimer = null;
            await sweeping;
          },
        },
        { name: 'Node-RED', start: () => void hubAutomation.start(), stop: () => hubAutomation.stop() },
      ];
      const broker = config.broker;
      const presence = new HubPresence({
        url: broker.url,
        ...(broker.username ? { username: broker.username } : {}),
        ...(broker.password ? { password: broker.password } : {}),
        ca: externalBrokerCas(),
        hubAvailability: topics.hubAvailability,
        workerTopics: workerMqtt,
        workerId: worker.id,
        clientId: `${config.baseTopic}-hub-presence`,
        logger: log,
      });
      workerRole = startWorkerRole({ workerId: worker.id, dbUrl: config.db.url, presence, duties: leaderDuties, logger: log });
    }
    log.info({ db: describeHubDb(config.db), brokerUrl: redactBrokerUrl(brokerUrl), brokerTlsUrl: brokerAddress?.tlsUrl ?? null, consoleUrl, httpsUrl }, 'hub started');
    addresses = { brokerUrl, consoleUrl, brokerTlsUrl: brokerAddress?.tlsUrl ?? null, httpsUrl, caSha256: tls.caSha256, caPem: tls.caPem };
    return addresses;
  }

  return {
    store,
    logger: log,
    embeddedBrokerCredentials: broker ? { username: 'hub', password: hubSecret } : null,
    fleet,
    deviceStatus,
    brokerAccounts,
    revokeDevice,
    automation: () => automation,
    nodeRed: () => automation?.flows() ?? null,
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
      // A leading worker hands over first: its duties stop, its lock is released for the next worker.
      await workerRole?.stop();
      workerRole = null;
      heldBack?.stop();
      if (expiryTimer) clearInterval(expiryTimer);
      expiryTimer = null;
      await revocations?.stop();
      revocations = null;
      // Flows first: none may call into the hub while it closes.
      await automation?.stop();
      automation = null;
      // No configuration is published once the client is on its way out.
      await configSync?.stop();
      configSync = null;
      const current = client;
      client = null;
      if (current) {
        await current.publishAsync(ownAvailability, 'offline', { qos: 1, retain: true }).catch(() => undefined);
        await current.endAsync();
      }
      await app?.close();
      app = null;
      await httpsApp?.close();
      httpsApp = null;
      await broker?.stop();
      // No batch or sweep may be half-way through the ledger when it closes.
      await ingest?.idle();
      ingest = null;
      await sweeping;
      // The device registry's last batch is written before its file closes.
      await deviceStatus.stop();
      await deviceStatusStore.close();
      await reportReads.close();
      await store.close();
      await configStore.close();
      await fleet.close();
      addresses = null;
    },
  };
}
