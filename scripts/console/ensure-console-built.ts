/**
 * Build-if-stale for the HQ console: `npm start` (memberkiosk demo) and `memberkiosk hub` call this before the
 * hub starts, so a fresh clone needs only `npm install` and `npm start` (scripts/web/ensure-web-app-built.ts).
 */
import { ensureWebAppBuilt, prepareWebApp, staleReason } from '../web/ensure-web-app-built.ts';
import { CONSOLE_APP } from './build-console.ts';

/** Why the console must be built; null: dist is current. */
export function consoleStaleReason(dist: string = CONSOLE_APP.dist, root: string = CONSOLE_APP.root, extra: readonly string[] = CONSOLE_APP.extraSources): string | null {
  return staleReason({ root, dist, extraSources: extra });
}

/** Builds the console if it is missing or stale; true when it built. */
export async function ensureConsoleBuilt(options: { log?: (line: string) => void } = {}): Promise<boolean> {
  return ensureWebAppBuilt(CONSOLE_APP, options);
}

/** Before the hub starts: builds the console if stale; a failed build is reported and the hub starts anyway. */
export async function prepareConsole(write?: (line: string) => void): Promise<void> {
  await prepareWebApp(CONSOLE_APP, write);
}
