/**
 * What every screen test stands on: a real hub (embedded broker, SQLite, demo data), a real kiosk on a free
 * port, and headless Chromium showing the kiosk's screen. Every request the page makes is logged, so a test
 * can show what the page asked for (and that it polls nothing). dispose() tears it all down, each step even
 * when an earlier one fails, and reports every failure together.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_STORE_ID } from '../../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../../hub/testing/start-test-hub.ts';
import { createDevice, type Device, type DeviceConfig } from '../../../device/main.ts';
import { assertChromiumInstalled, launchChromium, type LaunchedBrowser } from './chromium.ts';
import { kioskCredentials } from '../../support/kiosk-credentials.ts';

export interface PageRequest {
  method: string;
  /** Path and query, e.g. /api/session. */
  path: string;
  at: number;
}

export interface ScreenHarness {
  hub: TestHub;
  readonly device: Device;
  page: Page;
  screenUrl: string;
  apiUrl: string;
  /** The simulated reader: a shopper taps a card. */
  tap(uid: string): Promise<void>;
  /** Takes the hub away mid-test (the kiosk stays up); dispose() waits for it. */
  stopHub(): void;
  /** Every request the page made, in order. */
  readonly requests: readonly PageRequest[];
  /** The requests the page made to `path` since `since` (ms since 1970). */
  requestsTo(path: string, since?: number): PageRequest[];
  /** Stops the kiosk process's parts and starts them again on the same port and data (the page stays open). */
  restartKiosk(): Promise<void>;
  dispose(): Promise<void>;
}

/** `mode`: how the kiosk is enrolled (attended, a counter kiosk, unless told). */
export async function startScreenHarness(options: { deviceId: string; mode?: 'attended' | 'unattended'; prepareHub?: (hub: TestHub) => void | Promise<void> }): Promise<ScreenHarness> {
  assertChromiumInstalled();
  const dataDir = mkdtempSync(join(tmpdir(), `mk-${options.deviceId}-`));
  const hub = await startTestHub();
  await options.prepareHub?.(hub);
  const config: DeviceConfig = {
    demo: true,
    deviceId: options.deviceId,
    storeId: DEMO_STORE_ID,
    // Over TLS, with its own login: as a kiosk in a store reaches the hub.
    hubUrl: hub.brokerTlsUrl!,
    mqtt: await kioskCredentials(hub, options.deviceId, options.mode ? { mode: options.mode } : {}),
    dataDir: join(dataDir, 'kiosk'),
    httpPort: 0,
    logLevel: 'silent',
    tuning: { reconnectMs: 200, session: { lookupMs: 800 } },
  };
  let device = createDevice(config);
  const { screenUrl, apiUrl } = await device.start();
  let browser: LaunchedBrowser | null = null;
  let hubStopping: Promise<void> | null = null;
  browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  const page = await browser.browser.newPage();
  const requests: PageRequest[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    requests.push({ method: request.method(), path: url.pathname + url.search, at: Date.now() });
  });
  await page.goto(screenUrl);
  return {
    hub,
    get device() {
      return device;
    },
    page,
    screenUrl,
    apiUrl,
    requests,
    requestsTo: (path, since = 0) => requests.filter((r) => r.path === path && r.at >= since),
    async restartKiosk() {
      await device.stop();
      device = createDevice({ ...config, httpPort: Number(new URL(screenUrl).port) });
      await device.start();
    },
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
