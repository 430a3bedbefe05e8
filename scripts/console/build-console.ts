/**
 * The HQ console web app (console/: Vue 3, Element Plus, vue-i18n), built with Vite into console/dist, which the
 * hub serves at /console/ (hub/http/console-assets.ts). No CDN: every script, style and font file the app uses is
 * in dist. The build itself is scripts/web/build-web-app.ts.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildWebApp } from '../web/build-web-app.ts';
import type { WebApp } from '../web/web-app.ts';

export const CONSOLE_ROOT = fileURLToPath(new URL('../../console/', import.meta.url));
export const CONSOLE_DIST = join(CONSOLE_ROOT, 'dist');

export const CONSOLE_APP: WebApp = {
  title: 'the HQ console',
  root: CONSOLE_ROOT,
  dist: CONSOLE_DIST,
  base: '/console/',
  extraSources: [
    fileURLToPath(import.meta.url),
    fileURLToPath(new URL('../web/build-web-app.ts', import.meta.url)),
    fileURLToPath(new URL('../../package-lock.json', import.meta.url)),
  ],
  async viteOptions() {
    const { default: vue } = await import('@vitejs/plugin-vue');
    return {
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
      // Element Plus as a whole is large; the hub serves it on a LAN, cached for a year by hash.
      build: { chunkSizeWarningLimit: 2_000 },
    };
  },
};

export async function buildConsole(options: { outDir?: string; log?: (line: string) => void } = {}): Promise<void> {
  await buildWebApp(CONSOLE_APP, options);
}

// `npm run console:build` (and the Dockerfile): build now, whether stale or not.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildConsole({ log: (line) => process.stdout.write(`${line}\n`) });
}
