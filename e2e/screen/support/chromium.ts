/**
 * Headless Chromium for screen tests and screenshots: Debian's /usr/bin/chromium through playwright-core
 * (never `npx playwright install`: these machines are offline). Each launch gets a fresh profile folder,
 * removed again by close().
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

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

/** A persistent context on a throwaway profile (the only way to pass --user-data-dir to Chromium). */
export async function launchChromium(options: { viewport?: { width: number; height: number }; deviceScaleFactor?: number } = {}): Promise<LaunchedBrowser> {
  assertChromiumInstalled();
  const profile = mkdtempSync(join(tmpdir(), 'mk-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1280, height: 800 },
      deviceScaleFactor: options.deviceScaleFactor ?? 1,
      locale: 'en-GB',
      timezoneId: 'Asia/Shanghai',
      // Chromium starts in 1.7 s alone; on a loaded 2-core machine (a full run) it may take many times that.
      timeout: 45_000,
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
