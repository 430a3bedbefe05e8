/**
 * One in-process kiosk (createDevice: real HTTP, real MQTT over TLS) against one test hub (embedded broker, SQLite,
 * demo data) in a fresh temp folder, for a kiosk-hub test that ends by taking the hub away to show what the kiosk
 * refuses offline. dispose() stops the kiosk and the hub and checks the journal audit: on the live hub, or, when
 * the test stopped the hub, on its ledger file as it was left. The credit and the codes-and-draws tests each set
 * this up by hand; one copy keeps the teardown (and its audit) the same for both.
 */
import { join } from 'node:path';
import pino from 'pino';
import { expect } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { createDevice, type Device } from '../../device/main.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { openLedger } from '../../hub/ledger/open-ledger.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { getJson } from './http-json.ts';
import { kioskCredentials } from './kiosk-credentials.ts';

export interface KioskAgainstHub {
  /**
   * Starts the hub, runs `prepareHub` on it (rules, limits: what must be there before the kiosk connects), then
   * starts the kiosk of the demo store with the id given; resolves with the kiosk's API URL and the hub.
   */
  start(prepareHub?: (hub: TestHub) => Promise<void>): Promise<{ apiUrl: string; hub: TestHub }>;
  /** Stops the hub (the kiosk stays up) and waits until the kiosk says it is no longer connected. */
  stopHubAndWaitOffline(): Promise<void>;
  /** For afterEach: stops the kiosk and the hub, removes the temp folder, and expects the journal audit to be []. */
  dispose(): Promise<void>;
}

export function kioskAgainstHub(tempPrefix: string, deviceId: string): KioskAgainstHub {
  let temp: ReturnType<typeof makeTempDir> | null = null;
  let env: TestHub | null = null;
  let device: Device | null = null;
  let apiUrl = '';
  let hubStopped = false;

  async function waitOffline(): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if (!(await getJson<{ connected: boolean }>(`${apiUrl}/state`)).connected) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the kiosk still says it is connected');
  }

  return {
    async start(prepareHub) {
      temp = makeTempDir(tempPrefix);
      hubStopped = false;
      const hub = await startTestHub({ dataDir: join(temp.dir, 'hub') });
      env = hub;
      await prepareHub?.(hub);
      device = createDevice({ demo: true, deviceId, storeId: DEMO_STORE_ID, hubUrl: hub.brokerTlsUrl!, mqtt: await kioskCredentials(hub, deviceId), dataDir: join(temp.dir, 'kiosk'), httpPort: 0, logLevel: 'silent' });
      ({ apiUrl } = await device.start());
      return { apiUrl, hub };
    },

    async stopHubAndWaitOffline() {
      await env!.hub.stop();
      hubStopped = true;
      await waitOffline();
    },

    async dispose() {
      await device?.stop();
      device = null;
      let audit: unknown;
      if (env && !hubStopped) audit = await env.hub.store.audit();
      if (env && hubStopped) {
        // The hub was stopped by the test: its ledger file is audited as it was left.
        const ledger = await openLedger({ kind: 'sqlite', path: join(env.dataDir, 'ledger.sqlite'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
        audit = await ledger.audit();
        await ledger.close();
      }
      await env?.dispose();
      env = null;
      temp?.cleanup();
      temp = null;
      if (audit !== undefined) expect(audit).toEqual([]);
    },
  };
}
