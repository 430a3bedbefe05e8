/**
 * A real hub (embedded aedes on free ports — plain on loopback and MQTT over TLS —, SQLite in a temp folder) for
 * tests and benchmarks. Kiosks and raw clients get credentials with enrolForTest (./enrol-for-test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { readHqRootPublicKey } from '../fleet/hq-root-key.ts';
import { createHub, type Hub, type HubConfig } from '../main.ts';

export interface TestHub {
  hub: Hub;
  brokerUrl: string;
  /** mqtts:// on loopback, with the hub's own certificate (trust `caPem`). */
  brokerTlsUrl: string | null;
  caPem: string;
  caSha256: string;
  /** Console, API and POST /api/enrol over TLS, on loopback. */
  httpsUrl: string | null;
  /** The plain console and API on loopback, when the overrides give `http`. */
  consoleUrl: string | null;
  dataDir: string;
  /**
   * The HQ root public key the hub hands kiosks at enrolment (with demo data: the demo root it made in DATA/demo-hq;
   * null without one), against which kiosks check signed configuration (core/config/accept-config-set.ts).
   */
  hqRootPublicKeyPem: string | null;
  /** Stops the hub and deletes its data. */
  dispose(): Promise<void>;
}

export async function startTestHub(overrides: Partial<HubConfig> = {}): Promise<TestHub> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'mk-hub-'));
  const hub = createHub(
    { dataDir, broker: { mode: 'embedded', host: '127.0.0.1', port: 0, tlsPort: 0 }, https: { host: '127.0.0.1', port: 0 }, seedDemoData: true, logLevel: 'silent', ...overrides },
    pino({ level: process.env.MK_TEST_LOG ?? 'silent' }),
  );
  const { brokerUrl, brokerTlsUrl, caPem, caSha256, httpsUrl, consoleUrl } = await hub.start();
  return {
    hub,
    brokerUrl,
    brokerTlsUrl,
    caPem,
    caSha256,
    httpsUrl,
    consoleUrl,
    dataDir,
    hqRootPublicKeyPem: readHqRootPublicKey(dataDir),
    async dispose() {
      await hub.stop();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
