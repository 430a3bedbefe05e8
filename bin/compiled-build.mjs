// @ts-check
/**
 * The compiled build: `npm run build` (bin/build.mjs) has tsc (tsconfig.build.json) emit the JavaScript of the
 * `memberkiosk` command — the hub, the kiosk and every other command — into dist/, and bin/memberkiosk-prod.mjs
 * runs it with plain Node, without tsx. Only the code is compiled: package.json, the web apps' builds and flows/
 * are read from the repository where they are (core/paths/repository-path.ts).
 *
 * Plain JavaScript: it runs before anything is compiled, and in production, where there is no TypeScript loader.
 *
 * A build is written beside its destination and takes its place when complete, so a missing dist means "never
 * built" and a present one is whole. Its stamp (build-stamp.json) records when tsc started reading the sources;
 * the build is stale when a source of one of its modules changed after that (a git pull, an edit).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const DEFAULT_OUT_DIR = join(REPOSITORY_ROOT, 'dist');
/** The compiled `memberkiosk` command (scripts/cli.ts). */
export const COMPILED_CLI = join('scripts', 'cli.js');
const STAMP_FILE = 'build-stamp.json';
const TSCONFIG = join(REPOSITORY_ROOT, 'tsconfig.build.json');

/**
 * @typedef {{ sourcesReadFrom: number, sourcesReadFromIso: string, node: string, modules: number }} BuildStamp
 * sourcesReadFrom: epoch ms when tsc started; a source modified later is not in this build.
 */

/**
 * Why `outDir` cannot hold the build; null: it can. Inside the repository, because the repository's package.json
 * is what makes the .js files ES modules and what the compiled code finds the repository by; and not one of the
 * source folders, which it would overwrite.
 * @param {string} outDir
 * @returns {string | null}
 */
export function outDirProblem(outDir) {
  const inside = relative(REPOSITORY_ROOT, resolve(outDir));
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return `the compiled build must go in a folder inside the repository (${REPOSITORY_ROOT}), not ${outDir}`;
  const top = inside.split(/[\\/]/)[0] ?? '';
  if (['core', 'hub', 'device', 'drivers', 'flows', 'scripts', 'bin', 'console', 'e2e', 'docs', 'node_modules'].includes(top)) return `the compiled build may not go in ${top}/, a folder of the repository's own files`;
  return null;
}

/**
 * Compiles into `outDir` (default dist/): tsc into a fresh folder beside it, the stamp, then the swap.
 * `typeCheck: false` emits without checking types (tsc --noCheck, the same JavaScript in a third of the time),
 * for tests of the build itself; `tsc --noEmit` checks the types on its own.
 * @param {{ outDir?: string, typeCheck?: boolean, log?: (line: string) => void }} [options]
 * @returns {{ ok: true, outDir: string, modules: number, seconds: number } | { ok: false, outDir: string, message: string }}
 */
export function compileBuild(options = {}) {
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);
  const log = options.log ?? (() => undefined);
  const refused = outDirProblem(outDir);
  if (refused) return { ok: false, outDir, message: refused };
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return { ok: false, outDir, message: 'TypeScript is not installed (a devDependency): build with the development dependencies (npm ci; npm run build), then npm prune --omit=dev' };
  }
  mkdirSync(dirname(outDir), { recursive: true });
  // A sibling of the destination: the same depth below the repository, so the source maps' relative paths hold after the swap.
  const staging = join(dirname(outDir), `.dist-building-${basename(outDir)}-${process.pid}-${Date.now()}`);
  const sourcesReadFrom = Date.now();
  const started = performance.now();
  log(`compiling with ${relative(REPOSITORY_ROOT, TSCONFIG)} into ${outDir}…`);
  const args = [tsc, '-p', TSCONFIG, '--outDir', staging, ...(options.typeCheck === false ? ['--noCheck'] : [])];
  const result = spawnSync(process.execPath, args, { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const said = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    return { ok: false, outDir, message: `tsc failed (exit ${result.status ?? result.signal}); nothing was replaced${said ? `:\n${said}` : ''}` };
  }
  const modules = compiledModules(staging).length;
  /** @type {BuildStamp} */
  const stamp = { sourcesReadFrom, sourcesReadFromIso: new Date(sourcesReadFrom).toISOString(), node: process.version, modules };
  writeFileSync(join(staging, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`);
  swapIn(staging, outDir);
  return { ok: true, outDir, modules, seconds: (performance.now() - started) / 1000 };
}

/**
 * Why the build in `outDir` cannot be run; null: it is complete and no source of its modules changed since.
 * @param {string} [outDir]
 * @returns {string | null}
 */
export function compiledBuildProblem(outDir = DEFAULT_OUT_DIR) {
  const refused = outDirProblem(outDir);
  if (refused) return refused;
  const stampPath = join(outDir, STAMP_FILE);
  if (!existsSync(stampPath) || !existsSync(join(outDir, COMPILED_CLI))) return `no compiled build in ${outDir}: run 'npm run build' first`;
  /** @type {BuildStamp} */
  const stamp = JSON.parse(readFileSync(stampPath, 'utf8'));
  for (const module of compiledModules(outDir)) {
    const source = join(REPOSITORY_ROOT, module.replace(/\.js$/, '.ts'));
    // A source that is gone changed nothing that runs: whatever imported it changed too, and is caught here.
    if (!existsSync(source)) continue;
    if (statSync(source).mtimeMs > stamp.sourcesReadFrom) {
      return `the compiled build in ${outDir} (${stamp.sourcesReadFromIso}) is older than its sources (${relative(REPOSITORY_ROOT, source)} changed since): run 'npm run build' again`;
    }
  }
  return null;
}

/**
 * The compiled modules below `dir`, relative to it (scripts/cli.js, …).
 * @param {string} dir
 * @returns {string[]}
 */
function compiledModules(dir) {
  /** @type {string[]} */
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.js')) found.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return found;
}

/**
 * Puts the new build in the old one's place. A process still running the old build keeps the modules it loaded.
 * @param {string} staging
 * @param {string} outDir
 */
function swapIn(staging, outDir) {
  const old = `${staging}.old`;
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(staging, outDir);
  rmSync(old, { recursive: true, force: true });
}
