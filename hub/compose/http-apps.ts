/**
 * What the hub's two HTTP listeners serve: the console and API both carry (fleet, signed configuration, rules,
 * members, reports…), and the TLS listener's kiosk enrolment on top. Built here, listened on by hub/main.ts (which
 * keeps each app to close it whatever happens next). Apart from hub/main.ts so the composition root reads as steps.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { MosquittoDynsecAccounts } from '../broker/mosquitto-dynsec-accounts.ts';
import { describeConfig } from '../config/config-overview.ts';
import type { ConfigStore } from '../config/config-store.ts';
import type { PublishOutcome, PublishRequest } from '../config/publish-config.ts';
import type { SigningKeyLoader } from '../config/signing-key.ts';
import type { HubReportReads } from '../db/hub-report-reads.ts';
import { enrolKiosk } from '../fleet/enrol-kiosk.ts';
import type { EnrolledDevice, FleetRegistry } from '../fleet/fleet-registry.ts';
import { readHqRootPublicKey } from '../fleet/hq-root-key.ts';
import { recordKioskMode } from '../fleet/record-kiosk-mode.ts';
import { buildApp, type HubAppDeps } from '../http/build-app.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { FeeReportQuery } from '../ledger/card-fee-store.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { createMemberImportService } from '../members-import/member-import-service.ts';
import type { HubMetrics } from '../metrics/hub-metrics.ts';
import { redactBrokerUrl } from '../mqtt/redact-broker-url.ts';
import type { HubTls } from '../pki/hub-tls.ts';
import type { DeviceStatusRecorder } from '../registry/device-status-recorder.ts';
import { createReports } from '../reports/reports.ts';
import type { ResolvedHubConfig } from './hub-config.ts';

/** What both listeners serve alike; each adds its health, metrics access and logger (and the TLS one enrolment). */
export type SharedAppDeps = Omit<HubAppDeps, 'health' | 'metrics' | 'logger' | 'https' | 'enrol'>;

export interface SharedAppInputs {
  config: ResolvedHubConfig;
  store: Ledger;
  identity: IdentityService;
  fleet: FleetRegistry;
  configStore: ConfigStore;
  signingKeys: SigningKeyLoader;
  deviceStatus: DeviceStatusRecorder;
  reportReads: HubReportReads;
  brokerUrl: string;
  caSha256: string;
  revokeDevice: (deviceId: string) => Promise<EnrolledDevice | null>;
  /** A configuration checked, signed, stored and sent at once. */
  publish: (request: PublishRequest) => Promise<PublishOutcome>;
  /** The chain's time zone: the newest rules bundle's. */
  chainTimezone: () => Promise<string>;
  /** Where the hub's Node-RED editor is while it runs, else null. */
  nodeRedOrigin: () => string | null;
  logger: Logger;
}

export function sharedAppDeps(inputs: SharedAppInputs): SharedAppDeps {
  const { config, store, fleet, configStore, signingKeys, deviceStatus, reportReads, chainTimezone, logger: log } = inputs;
  // Regions, stores, codes and devices for HQ admins, on both listeners (revoking disconnects at once).
  const caSha256 = inputs.caSha256;
  const fleetRoutes = { fleet, caSha256: () => caSha256, revoke: inputs.revokeDevice, deviceStatus };
  // The console and GET /api/health show where the broker is, never its password (brokerUrl below, redacted).
  // Signed configuration for HQ admins: publish (signed, stored, then sent at once) and what each kiosk has.
  const configRoutes = {
    publish: inputs.publish,
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
  const nodeRedProxy = config.nodeRed.enabled ? { nodeRed: { upstream: inputs.nodeRedOrigin } } : {};
  return { ...nodeRedProxy, messaging: { messages: store.messaging, inboundToken: config.messaging.inboundToken }, store, identity: inputs.identity, identityStore: store.identity, brokerUrl: redactBrokerUrl(inputs.brokerUrl), fleet: fleetRoutes, receipts: { fleet, receipts: store.receipts, logger: log }, config: configRoutes, rules: rulesRoutes, codesAndDraws: { codes: store.codes, draws: store.draws }, memberConsole: store.memberConsole, memberProfiles: { store, profiles: store.memberProfiles }, memberImport, auditLog: { timezone: chainTimezone, onExportError: (err: unknown) => log.error({ err }, 'audit log export failed') }, retention: { retention: store.retention, timezone: chainTimezone }, commission: { reads: store.commission, rules: store, storesOfRegion }, giftStock: { giftStock: store.giftStock, ledger: store, rules: store, stores: async () => (await fleet.listStores()).map((s) => ({ storeId: s.storeId, name: s.name })) }, credit: { credit: store.credit, rules: store }, cardTypes: { store, cardFees: { feeReport: (query: FeeReportQuery) => store.cardFees.feeReport(query) }, rules: store }, reports: createReports({ reads: reportReads, rules: store, storesOfRegion, staffNames: async () => new Map((await store.identity.listStaff()).map((s) => [s.staffId, s.name] as const)) }), memberReports: { reads: reportReads.members, rules: store, regions: async () => ({ storeRegions: new Map((await fleet.listStores()).map((s) => [s.storeId, s.regionId] as const)), regionNames: new Map((await fleet.listRegions()).map((r) => [r.regionId, r.name] as const)) }) } };
}

/** The TLS listener's app: what both serve, /metrics behind the scrape token, and kiosk enrolment (POST /api/enrol). */
export function buildEnrollingHttpsApp(inputs: {
  config: ResolvedHubConfig;
  shared: SharedAppDeps;
  health: NonNullable<HubAppDeps['health']>;
  metrics: HubMetrics;
  metricsToken: string | null;
  tls: HubTls;
  store: Ledger;
  fleet: FleetRegistry;
  brokerAccounts: MosquittoDynsecAccounts | null;
  /** The embedded broker's MQTT-over-TLS port once it listens, told to kiosks at enrolment. */
  mqttTlsPort: () => number | null;
  logger: Logger;
}): FastifyInstance {
  const { config, store, logger: log } = inputs;
  const hubTls = inputs.tls;
  const rootKey = readHqRootPublicKey(config.dataDir);
  // The demo has no HQ; anywhere else a kiosk enrolled now will never learn HQ's key without re-enrolment.
  if (!rootKey) log[config.seedDemoData ? 'info' : 'warn']('no HQ root public key installed (memberkiosk keys install-public): kiosks enrolled now pin none');
  const enrol = enrolKiosk({
    fleet: inputs.fleet,
    caPem: hubTls.caPem,
    hqRootPublicKey: () => readHqRootPublicKey(config.dataDir),
    brokerUrl: config.broker.mode === 'external' ? (config.broker.kioskUrl ?? null) : null,
    mqttTlsPort: inputs.mqttTlsPort,
    baseTopic: config.baseTopic,
    logger: log,
    ...(inputs.brokerAccounts ? { accounts: inputs.brokerAccounts } : {}),
  });
  return buildApp({
    ...inputs.shared,
    health: inputs.health,
    metrics: { metrics: inputs.metrics, access: { token: inputs.metricsToken } },
    logger: log.child({ component: 'hub.https' }),
    https: { key: hubTls.keyPem, cert: hubTls.certChainPem },
    // The ledger learns the new kiosk's mode with its enrolment: its cash is refused unless it is attended.
    enrol: async (request) => {
      const answer = await enrol(request);
      await recordKioskMode(store.identity, answer);
      return answer;
    },
  });
}
