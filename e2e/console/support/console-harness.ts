/**
 * What every console screen test stands on: a real hub (embedded broker with TLS, SQLite, demo data) in a fresh
 * temp folder serving the HQ console, built by the same build-if-stale step `npm start` runs, and headless
 * Chromium to open it in. Pages from newPage() record script errors and failed requests in `problems`, so a test
 * ends by expecting none (a CSP refusal shows up there). The console, organisation and rules screen tests each
 * started all this by hand; one copy keeps their hub, browser and error capture the same.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { createHub, type Hub, type HubAddresses, type HubConfig } from '../../../hub/main.ts';
import { ensureConsoleBuilt } from '../../../scripts/console/ensure-console-built.ts';
import { assertChromiumInstalled, openChromiumContext, type LaunchedBrowser } from '../../screen/support/chromium.ts';
import { seen } from '../../screen/support/seen.ts';

/** Where the screenshots go (docs/screenshots/). */
export const SHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));
export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

export interface ConsoleHarness {
  hub: Hub;
  /** What hub.start() answered: the console URL, the broker's TLS URL, the CA. */
  started: HubAddresses;
  /** The console's origin: pages are at `${base}/console/...`. */
  base: string;
  /** The temp folder; the hub's data directory is `hubDataDir` inside it. */
  dataDir: string;
  hubDataDir: string;
  browser: LaunchedBrowser;
  /** Script errors and console errors the pages reported, for `expect(problems).toEqual([])`. */
  readonly problems: string[];
  /** A fresh page at `viewport` (the desktop size by default) whose errors go to `problems`. */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Closes the browser, stops the hub and removes the temp folder. */
  close(): Promise<void>;
}

export interface ConsoleHarnessOptions {
  /** The temp folder's name prefix, e.g. 'mk-console-e2e-'. */
  tempPrefix: string;
  /** The hub's data directory inside the temp folder ('' for the folder itself), for tests that keep a kiosk's next to it. */
  hubSubdir?: string;
  /**
   * Console errors that are expected, not problems: Chromium logs every refused request ("the server responded
   * with a status of 404"), and each test provokes its own refusals.
   */
  expectedConsoleErrors: RegExp;
  /** More of the hub's configuration (Node-RED, messaging, the flows' demo data) on top of the harness's own. */
  hubConfig?: Omit<Partial<HubConfig>, 'dataDir' | 'broker' | 'http' | 'seedDemoData' | 'logLevel'>;
}

export async function startConsoleHarness(options: ConsoleHarnessOptions): Promise<ConsoleHarness> {
  assertChromiumInstalled();
  await ensureConsoleBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), options.tempPrefix));
  const hubDataDir = options.hubSubdir ? join(dataDir, options.hubSubdir) : dataDir;
  const hub = createHub(
    { ...options.hubConfig, dataDir: hubDataDir, broker: { mode: 'embedded', host: '127.0.0.1', port: 0, tlsPort: 0 }, http: { host: '127.0.0.1', port: 0 }, seedDemoData: true, logLevel: 'silent' },
    pino({ level: 'silent' }),
  );
  let browser: LaunchedBrowser | undefined;
  try {
    const started = await hub.start();
    mkdirSync(SHOTS, { recursive: true });
    browser = await openChromiumContext({ viewport: DESKTOP });
    const launched = browser;
    const problems: string[] = [];
    return {
      hub,
      started,
      base: started.consoleUrl!,
      dataDir,
      hubDataDir,
      browser: launched,
      problems,
      async newPage(viewport = DESKTOP) {
        const page = await launched.browser.newPage();
        await page.setViewportSize(viewport);
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error' && !options.expectedConsoleErrors.test(message.text())) problems.push(`console error: ${message.text()}`);
        });
        return page;
      },
      async close() {
        await launched.close();
        await hub.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await hub.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Element Plus puts attributes on the <input> itself or on its wrapper: either way, the text box. */
export function field(page: Page, name: string) {
  return page.locator(`input[data-test=${name}], [data-test=${name}] input`).first();
}

/** On the login page already opened: waits for the form, fills in the login and password, and submits. */
export async function submitLogin(page: Page, login: string, password: string): Promise<void> {
  await seen(page, field(page, 'login'), 'the login form');
  await field(page, 'login').fill(login);
  await field(page, 'password').fill(password);
  await page.locator('[data-test=submit]').click();
}

/**
 * On the login page already opened: signs in unless the browser's session cookie already did. The login page
 * checks the session asynchronously and then moves on, so this waits for either the form or the signed-in menu
 * instead of looking once (looking once raced the redirect and failed in CI).
 */
export async function signInUnlessSignedIn(page: Page, login: string, password: string): Promise<void> {
  const form = field(page, 'login');
  const signedIn = page.locator('[data-test=user-menu]');
  await seen(page, form.or(signedIn), 'the login form or the signed-in console');
  if (await signedIn.first().isVisible()) return;
  await submitLogin(page, login, password);
}
