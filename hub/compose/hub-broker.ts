/**
 * How the hub reaches its MQTT broker: the embedded aedes it runs itself, or an external one it trusts by CA; the
 * kiosk accounts an external Mosquitto keeps (and the revocations kept in step with them); and the hub's own
 * client's connection. Apart from hub/main.ts so the composition root reads as steps.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { EmbeddedBroker } from '../broker/embedded-broker.ts';
import { MosquittoDynsecAccounts } from '../broker/mosquitto-dynsec-accounts.ts';
import { syncRevocations } from '../broker/revocation-sync.ts';
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import { connectHubClient } from '../mqtt/connect-hub-client.ts';
import type { HubTls } from '../pki/hub-tls.ts';
import { workerClientId } from '../workers/worker-config.ts';
import type { ResolvedHubConfig } from './hub-config.ts';

/** The embedded broker (constructed only: it starts with the hub), or null on an external one. */
export function createEmbeddedBroker(
  config: ResolvedHubConfig,
  deps: { hubSecret: string; fleet: FleetRegistry; tls: () => HubTls | null; logger: Logger },
): EmbeddedBroker | null {
  if (config.broker.mode !== 'embedded') return null;
  const tlsPort = config.broker.tlsPort;
  return new EmbeddedBroker({
    host: config.broker.host,
    port: config.broker.port,
    baseTopic: config.baseTopic,
    hubSecret: deps.hubSecret,
    fleet: deps.fleet,
    tls:
      tlsPort === null
        ? undefined
        : {
            host: config.broker.tlsHost,
            port: tlsPort,
            // Read at start(), once the certificate is made or loaded.
            credentials: () => ({ key: deps.tls()?.keyPem ?? '', cert: deps.tls()?.certChainPem ?? '' }),
          },
    logger: deps.logger,
  });
}

/**
 * What the hub trusts on an external mqtts:// broker: the public roots (a broker with a bought certificate), its
 * own CA (the documented Mosquitto set-up serves a certificate the hub issued) and the chain's CA file if given.
 * mqtt.js's `ca` replaces Node's roots rather than adding to them, hence the public roots here too.
 */
export function externalBrokerCas(config: ResolvedHubConfig, tls: HubTls | null): string[] {
  const own = tls ? [tls.caPem] : [];
  const chain = config.broker.mode === 'external' && config.broker.caFile ? [readFileSync(config.broker.caFile, 'utf8')] : [];
  return [...rootCertificates, ...own, ...chain];
}

/** Kiosk accounts on an external broker that keeps its own (Mosquitto dynsec); null with the embedded one or none named. */
export function createBrokerAccounts(config: ResolvedHubConfig, logger: Logger, cas: () => string[]): MosquittoDynsecAccounts | null {
  return config.broker.mode === 'external' && config.broker.dynsecAdminUrl ? new MosquittoDynsecAccounts({ url: config.broker.dynsecAdminUrl, baseTopic: config.baseTopic, logger, ca: cas }) : null;
}

/**
 * Revocations in the fleet carried to the broker's accounts (hub/broker/revocation-sync.ts) while switched on: by
 * the hub alone from start(), by a worker while it leads. Without broker accounts, start() does nothing.
 */
export function revocationSyncSwitch(fleet: FleetRegistry, accounts: MosquittoDynsecAccounts | null, logger: Logger): { start(): void; stop(): Promise<void> } {
  let running: { stop(): Promise<void> } | null = null;
  return {
    start() {
      if (accounts) running = syncRevocations(fleet, accounts, logger);
    },
    async stop() {
      await running?.stop();
      running = null;
    },
  };
}

/**
 * The hub's own client, connected: `hub` and the hub's secret on the embedded broker, the configured login on an
 * external one; its last will marks its availability offline; a worker speaks MQTT 5 (shared subscriptions) under
 * its stable client id. Waits for a broker that is not up yet until `signal` aborts.
 */
export function connectHubToBroker(
  config: ResolvedHubConfig,
  options: { url: string; embedded: boolean; hubSecret: string; availability: string; signal: AbortSignal; cas: () => string[]; logger: Logger },
): Promise<MqttClient> {
  const worker = config.worker;
  const credentials = options.embedded ? { username: 'hub', password: options.hubSecret } : config.broker.mode === 'external' ? { username: config.broker.username, password: config.broker.password } : {};
  return connectHubClient({
    url: options.url,
    clientId: worker ? workerClientId(worker) : `memberkiosk-hub-${randomBytes(4).toString('hex')}`,
    ...(credentials.username ? { username: credentials.username } : {}),
    ...(credentials.password ? { password: credentials.password } : {}),
    will: { topic: options.availability, payload: 'offline', retain: true },
    ...(worker ? { protocolVersion: 5 as const } : {}),
    logger: options.logger,
    signal: options.signal,
    ...(config.broker.mode === 'external' ? { ca: options.cas() } : {}),
  });
}
