/**
 * The hub's composition root: builds every part from one validated, frozen config and wires them, and keeps the
 * order they start and stop in (which crash safety rests on). Constructors do no I/O; start() and stop() are
 * idempotent. The steps it takes are beside it in compose/: the config, the broker, the scheduled jobs, the demo's
 * seeding, the kiosks' MQTT traffic, what the HTTP listeners serve, and a worker's run for the lead.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { MqttClient } from 'mqtt';
import pino, { type Logger } from 'pino';
import { censorLogValue, REDACTED_LOG_PATHS } from '../core/privacy/mask.ts';
import { DEFAULT_TIMEZONE } from '../core/rules/compile.ts';
import { DEFAULT_RULES_BUNDLE } from '../core/rules/default-bundle.ts';
import { createTopics } from '../core/wire/topics.ts';
import { createHubAutomation, type HubAutomation } from './automation/hub-automation.ts';
import type { HubFlows } from './automation/hub-flows.ts';
import type { MosquittoDynsecAccounts } from './broker/mosquitto-dynsec-accounts.ts';
import { connectHubToBroker, createBrokerAccounts, createEmbeddedBroker, externalBrokerCas, revocationSyncSwitch } from './compose/hub-broker.ts';
import { publishDemoConfig, seedDemoLedgerAndFleet } from './compose/demo-seeding.ts';
import { requirePlainListenersOnLoopback, resolveHubConfig, type HubConfig } from './compose/hub-config.ts';
import { buildEnrollingHttpsApp, sharedAppDeps } from './compose/http-apps.ts';
import { routeKioskTraffic } from './compose/kiosk-traffic.ts';
import { scheduledJobs } from './compose/scheduled-jobs.ts';
import { runForTheLead } from './compose/worker-leadership.ts';
import { ConfigSync } from './config/config-sync.ts';
import { publishConfig, type PublishRequest } from './config/publish-config.ts';
import { SigningKeyLoader } from './config/signing-key.ts';
import { describeHubDb } from './db/hub-db.ts';
import { hubReportReads } from './db/hub-report-reads.ts';
import { createHubStores } from './db/open-hub-stores.ts';
import type { EnrolledDevice, FleetRegistry } from './fleet/fleet-registry.ts';
import { syncKioskModes } from './fleet/record-kiosk-mode.ts';
import { buildApp } from './http/build-app.ts';
import { createIdentityService } from './identity/identity-service.ts';
import { createMemberPinService } from './identity/member-pin-service.ts';
import { HeldBackRetry } from './ingest/held-back-retry.ts';
import { LookupResponder } from './ingest/lookup-responder.ts';
import { TxIngest } from './ingest/tx-ingest.ts';
import type { Ledger } from './ledger/ledger.ts';
import { createLedger } from './ledger/open-ledger.ts';
import { readHubHealth } from './metrics/hub-health.ts';
import { HubMetrics } from './metrics/hub-metrics.ts';
import { metricsSettings } from './metrics/metrics-config.ts';
import { redactBrokerUrl } from './mqtt/redact-broker-url.ts';
import { ensureHubTls, type HubTls } from './pki/hub-tls.ts';
import { DeviceStatusRecorder } from './registry/device-status-recorder.ts';
import type { WorkerRole } from './workers/worker-role.ts';
import { workerTopics } from './workers/worker-topics.ts';

export { hubConfigSchema, type HubConfig } from './compose/hub-config.ts';

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

export function createHub(input: HubConfig, logger?: Logger): Hub {
  const config = resolveHubConfig(input);
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
  requirePlainListenersOnLoopback(config);
  const fleet = hubStores.fleet;
  // On SQLite the console's reports read the ledger file on read-only connections of their own (hub/reports/), their
  // queries on a thread of their own and their exports' rows on threads of their own, so a long one never holds up
  // the kiosks' transactions; on PostgreSQL, snapshots on a pool of their own (hub/db/hub-report-reads.ts).
  const reportReads = hubReportReads(config.db, config.dataDir);
  const deviceStatusStore = hubStores.deviceStatus;
  const deviceStatus = new DeviceStatusRecorder({ store: deviceStatusStore, logger: log });
  /** The hub's certificate, read (or made) at start; the broker's TLS listener takes it from here. */
  let tls: HubTls | null = null;
  const broker = createEmbeddedBroker(config, { hubSecret, fleet, tls: () => tls, logger: log });
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
  /** What the hub trusts on an external broker (compose/hub-broker.ts), read when asked: the hub's CA is made at start. */
  const cas = () => externalBrokerCas(config, tls);
  const brokerAccounts = createBrokerAccounts(config, log, cas);
  /** Run by the hub alone from start(), by a worker while it leads. */
  const revocations = revocationSyncSwitch(fleet, brokerAccounts, log);
  let client: MqttClient | null = null;
  let app: FastifyInstance | null = null;
  let addresses: HubAddresses | null = null;
  let starting: Promise<HubAddresses> | null = null;
  /** Lets stop() end a start() that is still waiting for its broker. */
  let brokerWait: AbortController | null = null;
  let ingest: TxIngest | null = null;
  let automation: HubAutomation | null = null;
  /** The chain's time zone: the newest rules bundle's (retention months, the audit log's days). */
  const chainTimezone = async () => (await store.latestRulesBundle())?.timezone ?? DEFAULT_TIMEZONE;
  const jobs = scheduledJobs({ store, timezone: chainTimezone, workerId: worker?.id ?? null, logger: log });

  /** Revoked in the fleet, disconnected from the embedded broker at once, and disabled on an external one. */
  async function revokeDevice(deviceId: string): Promise<EnrolledDevice | null> {
    const revoked = await fleet.revokeDevice(deviceId, new Date().toISOString());
    if (revoked) broker?.disconnectDevice(deviceId);
    if (revoked) await brokerAccounts?.disableDevice(deviceId);
    return revoked;
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
    const demoAutomation = await seedDemoLedgerAndFleet(config, { store, fleet, logger: log });
    await configStore.open();
    storeRegions = new Map((await fleet.listStores()).map((s) => [s.storeId, s.regionId] as const));
    // A worker leaves the revocation sync and the scheduled jobs to the leader (compose/worker-leadership.ts).
    if (!worker) revocations.start();
    // Staff, sessions and the audit log live on the ledger's database: available once it is open.
    const identity = createIdentityService({ store: store.identity, logger: log });
    await syncKioskModes(fleet, store.identity);
    if (!worker) {
      await jobs.sweep();
      jobs.startHourly();
    }
    const brokerAddress = broker ? await broker.start() : null;
    const brokerUrl = brokerAddress ? brokerAddress.url : (config.broker as { url: string }).url;
    brokerWait = new AbortController();
    client = await connectHubToBroker(config, { url: brokerUrl, embedded: broker !== null, hubSecret, availability: ownAvailability, signal: brokerWait.signal, cas, logger: log });
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
    /** A configuration checked, signed, stored and sent at once: the console's publish, its Rules page's, the demo's. */
    const publish = async (request: PublishRequest) => {
      const published = await publishConfig({ store: configStore, fleet, signingKey: signingKeys.require() }, request);
      await sync.kick();
      return published;
    };
    // A kiosk's store profile (device.profile): read from the fleet at each ask, so HQ's change reaches the kiosk at its next one.
    const storeProfile = async (storeId: string) => {
      const found = await fleet.store(storeId);
      return found ? { storeId: found.storeId, name: found.name, address: found.address, phone: found.phone, timezone: found.timezone } : null;
    };
    const lookups = new LookupResponder({ client, store, identity, identityStore: store.identity, memberPins, topics, logger: log, config: sync, regionOf: (storeId) => storeRegions.get(storeId), storeProfile, codesAndDraws: { codes: store.codes, draws: store.draws }, giftStock: store.giftStock, observer: metrics });
    // Every kiosk's signed configuration set retained before kiosks are heard (config-sync.ts), and again after a reconnect.
    await sync.start();
    await publishDemoConfig(config, { configStore, publish, logger: log });
    // Kiosk messages routed, subscriptions made (again after every reconnect), the hub announced online.
    await routeKioskTraffic({ client: hubClient, current: () => client, topics, workerMqtt, leads, ownAvailability, metrics, sync, deviceStatus, txIngest, lookups, logger: log });
    // What both listeners serve; the console and GET /api/health show where the broker is, never its password.
    const shared = sharedAppDeps({ config, store, identity, fleet, configStore, signingKeys, deviceStatus, reportReads, brokerUrl, caSha256: tls.caSha256, revokeDevice, publish, chainTimezone, nodeRedOrigin: () => automation?.flows()?.runtime.origin() ?? null, logger: log });
    let consoleUrl: string | null = null;
    // /metrics open on the loopback listener, behind the scrape token on the TLS one (hub/http/metrics-routes.ts).
    const health = () => readHubHealth(observed);
    if (config.http) {
      app = buildApp({ ...shared, health, metrics: { metrics, access: { open: true } }, logger: log.child({ component: 'hub.http' }) });
      consoleUrl = await app.listen({ host: config.http.host, port: config.http.port });
    }
    let httpsUrl: string | null = null;
    if (config.https) {
      httpsApp = buildEnrollingHttpsApp({ config, shared, health, metrics, metricsToken, tls, store, fleet, brokerAccounts, mqttTlsPort: () => brokerAddress?.tlsPort ?? null, logger: log });
      httpsUrl = await httpsApp.listen({ host: config.https.host, port: config.https.port });
    }
    // Not awaited: kiosks are served whether or not the flows are up (tests and the demo wait on nodeRed().ready).
    // A worker runs them only while it leads (its leader duties, compose/worker-leadership.ts).
    if (!worker) hubAutomation.start();
    workerRole = runForTheLead({ config, workerMqtt, hubAvailability: topics.hubAvailability, hubClient, sync, revocations, jobs, automation: hubAutomation, cas, logger: log });
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
      jobs.stopHourly();
      await revocations.stop();
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
      await jobs.settled();
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
