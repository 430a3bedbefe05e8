/**
 * Build-if-stale for the kiosk screen: `npm start` (memberkiosk demo) and `memberkiosk device` call this before the
 * kiosk starts, so a fresh clone needs only `npm install` and `npm start` (scripts/web/ensure-web-app-built.ts).
 */
import { ensureWebAppBuilt, prepareWebApp } from '../web/ensure-web-app-built.ts';
import { SCREEN_APP } from './build-screen.ts';

/** Builds the screen if it is missing or stale; true when it built. */
export async function ensureScreenBuilt(options: { log?: (line: string) => void } = {}): Promise<boolean> {
  return ensureWebAppBuilt(SCREEN_APP, options);
}

/** Before the kiosk starts: builds the screen if stale; a failed build is reported and the kiosk starts anyway. */
export async function prepareScreen(write?: (line: string) => void): Promise<void> {
  await prepareWebApp(SCREEN_APP, write);
}
