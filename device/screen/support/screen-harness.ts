/**
 * What every screen test stands on: a real hub (embedded broker, SQLite, demo data), a real kiosk on a free
 * port, and headless Chromium showing the kiosk's screen. dispose() tears it all down, each step even when an
 * earlier one fails, and reports every failure together.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_STORE_ID } from '../../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../../hub/testing/start-test-hub.ts';
import { createDevice, type Device } from '../../main.ts';
import { assertChromiumInstalled, launchChromium, type LaunchedBrowser } from './chromium.ts';

export interface ScreenHarness {
  hub: TestHub;
  device: Device;
  page: Page;
  screenUrl: string;
  apiUrl: string;
  /** The simulated reader: a shopper taps a card. */
  tap(uid: string): Promise<void>;
  /** Takes the hub away mid-test (the kiosk stays up); dispose() waits for it. */
  stopHub(): void;
  dispose(): Promise<void>;
}

export async function startScreenHarness(options: { deviceId: string; prepareHub?: (hub: TestHub) => void }): Promise<ScreenHarness> {
  assertChromiumInstalled();
  const dataDir = mkdtempSync(join(tmpdir(), `mk-${options.deviceId}-`));
  const hub = await startTestHub();
  options.prepareHub?.(hub);
  const device = createDevice({
    deviceId: options.deviceId,
    storeId: DEMO_STORE_ID,
    hubUrl: hub.brokerUrl,
    dataDir: join(dataDir, 'kiosk'),
    httpPort: 0,
    logLevel: 'silent',
    tuning: { reconnectMs: 200, session: { lookupMs: 800 } },
  });
  const { screenUrl, apiUrl } = await device.start();
  let browser: LaunchedBrowser | null = null;
  let hubStopping: Promise<void> | null = null;
  browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  const page = await browser.browser.newPage();
  await page.goto(screenUrl);
  return {
    hub,
    device,
    page,
    screenUrl,
    apiUrl,
    async tap(uid) {
      const res = await fetch(`${apiUrl}/sim/tap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid }) });
      expect(res.status, `POST /api/sim/tap ${uid}: ${await res.clone().text()}`).toBe(200);
    },
    stopHub() {
      hubStopping ??= hub.dispose();
      hubStopping.catch(() => undefined);
    },
    async dispose() {
      const errors: unknown[] = [];
      const attempt = async (step: () => Promise<unknown> | undefined) => {
        try {
          await step();
        } catch (error) {
          errors.push(error);
        }
      };
      await attempt(() => browser?.close());
      await attempt(() => device.stop());
      await attempt(() => hubStopping ?? hub.dispose());
      rmSync(dataDir, { recursive: true, force: true });
      if (errors.length > 0) throw new AggregateError(errors, 'screen test clean-up failed');
    },
  };
}
