/**
 * The kiosk screen web app (device/screen/: Vue 3, FormatJS), built with Vite into device/screen/dist, which the
 * kiosk serves at / (device/http/screen-assets.ts). No CDN: kiosks are often offline. The app imports core's
 * money, limits and refusal words, so core/ counts among its sources.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildWebApp } from '../web/build-web-app.ts';
import type { WebApp } from '../web/web-app.ts';

export const SCREEN_ROOT = fileURLToPath(new URL('../../device/screen/', import.meta.url));
export const SCREEN_DIST = join(SCREEN_ROOT, 'dist');

export const SCREEN_APP: WebApp = {
  title: 'the kiosk screen',
  root: SCREEN_ROOT,
  dist: SCREEN_DIST,
  base: '/',
  extraSources: [
    fileURLToPath(import.meta.url),
    fileURLToPath(new URL('../web/build-web-app.ts', import.meta.url)),
    fileURLToPath(new URL('../../package-lock.json', import.meta.url)),
  ],
  extraSourceDirs: [fileURLToPath(new URL('../../core/money/', import.meta.url)), fileURLToPath(new URL('../../core/errors/', import.meta.url))],
  async viteOptions() {
    const { default: vue } = await import('@vitejs/plugin-vue');
    return {
      plugins: [vue()],
      define: { __VUE_OPTIONS_API__: 'false', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
      build: { chunkSizeWarningLimit: 600 },
    };
  },
};

export async function buildScreen(options: { outDir?: string; log?: (line: string) => void } = {}): Promise<void> {
  await buildWebApp(SCREEN_APP, options);
}

// `npm run screen:build` (and the Dockerfile): build now, whether stale or not.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildScreen({ log: (line) => process.stdout.write(`${line}\n`) });
}
