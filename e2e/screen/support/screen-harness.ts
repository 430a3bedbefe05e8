/**
 * What every screen test stands on: a real hub (embedded broker, SQLite, demo data), a real kiosk on a free
 * port, and headless Chromium showing the kiosk's screen (the Vue app built from device/screen/). Every request
 * the page makes is logged, so a test can show what the page asked for (and that it polls nothing); script errors
 * on the page are collected in `problems`. dispose() tears it all down, each step even when an earlier one fails,
 * and reports every failure together.
 *
 * The hub listens for kiosks on a fixed TLS port, so it can be stopped and started again (pauseHub/resumeHub)
 * where the kiosk looks for it, with its data kept — the hub away and back, as a kiosk in a store sees it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_STORE_ID } from '../../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../../hub/testing/start-test-hub.ts';
import { createDevice, type Device, type DeviceConfig } from '../../../device/main.ts';
import { assertChromiumInstalled, openChromiumContext, type LaunchedBrowser } from './chromium.ts';
import { kioskCredentials } from '../../support/kiosk-credentials.ts';
import { findFreePort } from '../../support/free-port.ts';

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
  /** The simulated reader: a shopper taps a card (only on a kiosk with the simulated reader). */
  tap(uid: string): Promise<void>;
  /** Takes the hub away for good mid-test (its data deleted; the kiosk stays up); dispose() waits for it. */
  stopHub(): void;
  /** Stops the hub, keeping its data and its port: resumeHub() brings it back where the kiosk looks for it. */
  pauseHub(): Promise<void>;
  resumeHub(): Promise<void>;
  /** Every request the page made, in order. */
  readonly requests: readonly PageRequest[];
  /** The requests the page made to `path` since `since` (ms since 1970). */
  requestsTo(path: string, since?: number): PageRequest[];
  /** Script errors and uncaught rejections on the page, for `expect(h.problems).toEqual([])`. */
  readonly problems: readonly string[];
  /** Stops the kiosk process's parts and starts them again on the same port and data (the page stays open). */
  restartKiosk(): Promise<void>;
  dispose(): Promise<void>;
}

export interface ScreenHarnessOptions {
  deviceId: string;
  /** How the kiosk is enrolled (attended, a counter kiosk, unless told). */
  mode?: 'attended' | 'unattended';
  prepareHub?: (hub: TestHub) => void | Promise<void>;
  /** The kiosk's reader and printer; the simulated pair unless told. */
  hardware?: DeviceConfig['hardware'];
  /** Merged over the harness's own tuning (fast reconnects, a short look-up); `session` is merged too. */
  tuning?: NonNullable<DeviceConfig['tuning']>;
  /** The browser window; 1024×600 (a regular landscape kiosk) unless told. */
  viewport?: { width: number; height: number };
  /** Node-RED on the kiosk (off unless told). */
  nodeRed?: DeviceConfig['nodeRed'];
}

export async function startScreenHarness(options: ScreenHarnessOptions): Promise<ScreenHarness> {
  assertChromiumInstalled();
  const dataDir = mkdtempSync(join(tmpdir(), `mk-${options.deviceId}-`));
  // A fixed TLS port, so a paused hub comes back where the kiosk looks for it.
  const hub = await startTestHub({ dataDir: join(dataDir, 'hub'), broker: { mode: 'embedded', host: '127.0.0.1', port: 0, tlsPort: await findFreePort() } });
  await options.prepareHub?.(hub);
  const baseTuning = { reconnectMs: 200, session: { lookupMs: 800 } };
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
    tuning: { ...baseTuning, ...options.tuning, session: { ...baseTuning.session, ...options.tuning?.session } },
    ...(options.hardware ? { hardware: options.hardware } : {}),
    ...(options.nodeRed ? { nodeRed: options.nodeRed } : {}),
  };
  let device = createDevice(config);
  const { screenUrl, apiUrl } = await device.start();
  let browser: LaunchedBrowser | null = null;
  let hubStopping: Promise<void> | null = null;
  let hubPaused = false;
  // Less motion, as a shopper may ask for: the idle prompt's endless pulse and the carets' blink stop (the screen honours
  // prefers-reduced-motion), so an open page costs the browser nothing between steps. Animated, an idle kiosk page
  // kept ~0.1 of a core busy drawing frames, through every test that has one open.
  browser = await openChromiumContext({ viewport: options.viewport ?? { width: 1024, height: 600 }, reducedMotion: 'reduce' });
  const page = await browser.browser.newPage();
  // A click on something that never becomes clickable fails in 10 s, naming it, not at the test's own time-out.
  page.setDefaultTimeout(10_000);
  const requests: PageRequest[] = [];
  const problems: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    requests.push({ method: request.method(), path: url.pathname + url.search, at: Date.now() });
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // The first load of the screen (1.1 s alone) gets more than the page's 10 s default: a full run loads the machine.
  await page.goto(screenUrl, { timeout: 30_000 });
  return {
    hub,
    get device() {
      return device;
    },
    page,
    screenUrl,
    apiUrl,
    requests,
    problems,
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
    async pauseHub() {
      hubPaused = true;
      await hub.hub.stop();
    },
    async resumeHub() {
      await hub.hub.start();
      hubPaused = false;
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
      await attempt(() => hubStopping ?? (hubPaused ? undefined : hub.dispose()));
      rmSync(dataDir, { recursive: true, force: true });
      if (errors.length > 0) throw new AggregateError(errors, 'screen test clean-up failed');
    },
  };
}
