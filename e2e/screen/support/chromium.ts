/**
 * Headless Chromium for screen tests and screenshots: Debian's /usr/bin/chromium through playwright-core
 * (never `npx playwright install`: these machines are offline).
 *
 * Two ways in. launchChromium: a browser of its own on a fresh profile folder, closed with it (the screenshot
 * script and the benchmarks, processes that must end when they are done). openChromiumContext: a fresh context
 * (its own cookies, storage and cache) of one browser the test process keeps: vitest's shared-process project runs
 * file after file in one process, and a launch per file cost 1.7 s alone and much more in a full run. The browser
 * ends with the process (playwright-core kills what it launched on exit and on SIGINT/SIGTERM/SIGHUP, and
 * Chromium quits when its pipe to a killed process closes).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.MK_CHROMIUM ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export interface LaunchedBrowser {
  browser: BrowserContext;
  close(): Promise<void>;
}

/** Throws a message that says what to install when the browser is missing: no silent skip. */
export function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get install -y chromium\` (or set MK_CHROMIUM to its path). Screen tests need a real browser.`);
  }
}

export interface ChromiumOptions {
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
  /** What the page's prefers-reduced-motion media query answers; Chromium's default (no preference) when absent. */
  reducedMotion?: 'reduce' | 'no-preference';
}

/** What every page of these tests gets: a Chinese chain's time zone, and a browser locale the pages must not follow. */
function contextOptions(options: ChromiumOptions) {
  return {
    viewport: options.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
    locale: 'en-GB',
    timezoneId: 'Asia/Shanghai',
    reducedMotion: options.reducedMotion ?? null,
  };
}

// Chromium starts in 1.7 s alone; on a loaded 2-core machine (a full run) it may take many times that.
const LAUNCH_TIMEOUT_MS = 45_000;

let processBrowser: Promise<Browser> | null = null;

/** The test process's browser, launched on first use and again if it went away (crashed, or closed). */
async function testProcessBrowser(): Promise<Browser> {
  const current = processBrowser ? await processBrowser.catch(() => null) : null;
  if (current?.isConnected()) return current;
  processBrowser = chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: LAUNCH_TIMEOUT_MS });
  return processBrowser;
}

/**
 * A fresh context of the test process's browser: nothing of an earlier context (cookies, storage, cache) is in it.
 * close() closes the context, not the browser.
 */
export async function openChromiumContext(options: ChromiumOptions = {}): Promise<LaunchedBrowser> {
  assertChromiumInstalled();
  const context = await (await testProcessBrowser()).newContext(contextOptions(options));
  return {
    browser: context,
    async close() {
      await context.close().catch(() => undefined);
    },
  };
}

/** A persistent context on a throwaway profile (the only way to pass --user-data-dir to Chromium). */
export async function launchChromium(options: ChromiumOptions = {}): Promise<LaunchedBrowser> {
  assertChromiumInstalled();
  const profile = mkdtempSync(join(tmpdir(), 'mk-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      ...contextOptions(options),
      timeout: LAUNCH_TIMEOUT_MS,
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    browser: context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
