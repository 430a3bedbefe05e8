/**
 * Build-if-stale for the HQ console: `npm start` (memberkiosk demo) and `memberkiosk hub` call this before the
 * hub starts, so a fresh clone needs only `npm install` and `npm start`. The console is built when
 * console/dist/index.html is missing or older than any source of the app (console/ outside dist, the build
 * script, package-lock.json: a dependency upgrade rebuilds too). A build takes some seconds; a hub whose console
 * is current starts without loading the bundler.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildConsole, CONSOLE_DIST, CONSOLE_ROOT } from './build-console.ts';

const EXTRA_SOURCES = [fileURLToPath(new URL('./build-console.ts', import.meta.url)), fileURLToPath(new URL('../../package-lock.json', import.meta.url))];

/** The newest modification time (ms) of the console's sources. */
export function newestSourceMtime(root: string = CONSOLE_ROOT, extra: readonly string[] = EXTRA_SOURCES): number {
  let newest = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(root);
  for (const path of extra) if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  return newest;
}

/** Why the console must be built; null: dist is current. */
export function consoleStaleReason(dist: string = CONSOLE_DIST, root: string = CONSOLE_ROOT, extra: readonly string[] = EXTRA_SOURCES): string | null {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return 'not built yet';
  return statSync(index).mtimeMs < newestSourceMtime(root, extra) ? 'its sources changed' : null;
}

let building: Promise<boolean> | null = null;

/** Builds the console if it is missing or stale; true when it built. One build at a time per process. */
export async function ensureConsoleBuilt(options: { log?: (line: string) => void } = {}): Promise<boolean> {
  if (building) return building;
  const reason = consoleStaleReason();
  if (!reason) return false;
  options.log?.(`building the HQ console (${reason})…`);
  building = buildConsole(options.log ? { log: options.log } : {})
    .then(() => true)
    .finally(() => {
      building = null;
    });
  return building;
}

/**
 * What the hub commands call before starting the hub: builds the console if stale, saying so on stderr. A build
 * that fails is reported and the hub starts anyway (its API and the kiosks do not need the console; /console/
 * then serves the previous build, or says it is not built).
 */
export async function prepareConsole(write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<void> {
  try {
    await ensureConsoleBuilt({ log: write });
  } catch (error) {
    write(`the HQ console could not be built (${error instanceof Error ? error.message : String(error)}); the hub starts without a new one`);
  }
}
