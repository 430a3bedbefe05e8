/**
 * Build-if-stale for a web app (scripts/web/web-app.ts): the commands that serve one call this before they start,
 * so a fresh clone needs only `npm install` and `npm start`. An app is built when its dist/index.html is missing
 * or older than any of its sources (the app's folder outside dist, its extra files and folders: the build script,
 * package-lock.json — a dependency upgrade rebuilds too — and the core/ modules it imports). A process whose app
 * is current starts without loading the bundler.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildWebApp } from './build-web-app.ts';
import type { WebApp } from './web-app.ts';

/** The newest modification time (ms) of the files below `dir`, skipping builds, dependencies and dot folders. */
function newestIn(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestIn(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The newest modification time (ms) of the app's sources. */
export function newestSourceMtime(app: Pick<WebApp, 'root' | 'extraSources' | 'extraSourceDirs'>): number {
  let newest = newestIn(app.root);
  for (const dir of app.extraSourceDirs ?? []) if (existsSync(dir)) newest = Math.max(newest, newestIn(dir));
  for (const path of app.extraSources) if (existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  return newest;
}

/** Why the app must be built; null: its dist is current. */
export function staleReason(app: Pick<WebApp, 'root' | 'dist' | 'extraSources' | 'extraSourceDirs'>): string | null {
  const index = join(app.dist, 'index.html');
  if (!existsSync(index)) return 'not built yet';
  return statSync(index).mtimeMs < newestSourceMtime(app) ? 'its sources changed' : null;
}

const building = new Map<string, Promise<boolean>>();

/** Builds the app if it is missing or stale; true when it built. One build of an app at a time per process. */
export async function ensureWebAppBuilt(app: WebApp, options: { log?: (line: string) => void } = {}): Promise<boolean> {
  const running = building.get(app.dist);
  if (running) return running;
  const reason = staleReason(app);
  if (!reason) return false;
  options.log?.(`building ${app.title} (${reason})…`);
  const build = buildWebApp(app, options.log ? { log: options.log } : {})
    .then(() => true)
    .finally(() => building.delete(app.dist));
  building.set(app.dist, build);
  return build;
}

/**
 * What a command calls before it starts serving: builds the app if stale, saying so on stderr. A build that fails
 * is reported and the process starts anyway (its API does not need the app; the app's address then serves the
 * previous build, or says it is not built).
 */
export async function prepareWebApp(app: WebApp, write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<void> {
  try {
    await ensureWebAppBuilt(app, { log: write });
  } catch (error) {
    write(`${app.title} could not be built (${error instanceof Error ? error.message : String(error)}); starting without a new one`);
  }
}
