/**
 * Builds a web app (scripts/web/web-app.ts) with Vite's programmatic build() into its dist folder. The build goes
 * to a fresh folder beside dist and then takes dist's place, so a process serving the old build never sees a
 * half-written one and two processes building at once do not mix their files. Scripts and styles get brotli and
 * gzip copies, served as they are to browsers that take them.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { WebApp } from './web-app.ts';

export async function buildWebApp(app: WebApp, options: { outDir?: string; log?: (line: string) => void } = {}): Promise<void> {
  const outDir = options.outDir ?? app.dist;
  // Loaded only here: a process that finds its app built never loads the bundler.
  const { build } = await import('vite');
  const staging = mkdtempSync(join(dirname(outDir), '.dist-building-'));
  chmodSync(staging, 0o755);
  const started = Date.now();
  try {
    const extra = await app.viteOptions();
    await build({
      ...extra,
      root: app.root,
      base: app.base,
      configFile: false,
      logLevel: 'warn',
      build: { ...extra.build, outDir: staging, emptyOutDir: true, reportCompressedSize: false },
    });
    precompress(join(staging, 'assets'));
    swapIn(staging, outDir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  options.log?.(`${app.title} built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${outDir}`);
}

/** Brotli and gzip copies of the scripts and styles (served pre-compressed by @fastify/static). */
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
