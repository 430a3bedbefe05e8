/**
 * Builds the HQ console web app (console/: Vue 3, Element Plus, vue-i18n) with Vite's programmatic build() into
 * console/dist, which the hub serves at /console/ (hub/http/console-assets.ts). No CDN: every script, style and
 * font file the app uses is in dist.
 *
 * The build goes to a fresh folder beside dist and then takes dist's place, so a hub serving the old build never
 * sees a half-written one and two processes building at once do not mix their files.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CONSOLE_ROOT = fileURLToPath(new URL('../../console/', import.meta.url));
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

export async function buildConsole(options: { outDir?: string; log?: (line: string) => void } = {}): Promise<void> {
  const outDir = options.outDir ?? CONSOLE_DIST;
  // Loaded only here: a hub that finds its console built never loads the bundler.
  const [{ build }, { default: vue }] = await Promise.all([import('vite'), import('@vitejs/plugin-vue')]);
  const staging = mkdtempSync(join(dirname(outDir), '.dist-building-'));
  chmodSync(staging, 0o755);
  const started = Date.now();
  try {
    await build({
      root: CONSOLE_ROOT,
      base: '/console/',
      configFile: false,
      logLevel: 'warn',
      plugins: [vue()],
      // The bundlers' feature flags of Vue and vue-i18n (Composition API only, no devtools in production).
      define: {
        __VUE_OPTIONS_API__: 'true',
        __VUE_PROD_DEVTOOLS__: 'false',
        __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
        __VUE_I18N_FULL_INSTALL__: 'true',
        __VUE_I18N_LEGACY_API__: 'false',
        __INTLIFY_PROD_DEVTOOLS__: 'false',
      },
      build: {
        outDir: staging,
        emptyOutDir: true,
        // Element Plus as a whole is large; the hub serves it on a LAN, cached for a year by hash.
        chunkSizeWarningLimit: 2_000,
        reportCompressedSize: false,
      },
    });
    precompress(join(staging, 'assets'));
    swapIn(staging, outDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  options.log?.(`console built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${outDir}`);
}

/** Brotli and gzip copies of the scripts and styles, served as they are to browsers that take them (console-assets.ts). */
function precompress(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (!/\.(js|css|svg|json)$/.test(name)) continue;
    const content = readFileSync(join(dir, name));
    if (content.length < 1024) continue;
    writeFileSync(join(dir, `${name}.br`), brotliCompressSync(content, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }));
    writeFileSync(join(dir, `${name}.gz`), gzipSync(content, { level: 9 }));
  }
}

/** Puts the new build in dist's place. Another process swapping at the same moment wins or loses whole: either build is complete. */
function swapIn(staging: string, outDir: string): void {
  for (let attempt = 0; ; attempt += 1) {
    const old = `${outDir}.old-${process.pid}-${Date.now()}-${attempt}`;
    try {
      if (existsSync(outDir)) renameSync(outDir, old);
      renameSync(staging, outDir);
      rmSync(old, { recursive: true, force: true });
      return;
    } catch (error) {
      rmSync(old, { recursive: true, force: true });
      // Lost a race with another build: theirs is in place and just as complete.
      if (existsSync(join(outDir, 'index.html'))) return;
      if (attempt >= 3) throw error;
    }
  }
}

// `npm run console:build` (and the Dockerfile): build now, whether stale or not.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildConsole({ log: (line) => process.stdout.write(`${line}\n`) });
}
