/**
 * The kiosk screen web app (device/screen/: Vue 3, FormatJS), built with Vite into device/screen/dist, which the
 * kiosk serves at / (device/http/screen-assets.ts). No CDN: kiosks are often offline. The app imports core's
 * money, limits and refusal words, so core/ counts among its sources.
 */
import { pathToFileURL } from 'node:url';
import { repositoryPath } from '../../core/paths/repository-path.ts';
import { buildWebApp } from '../web/build-web-app.ts';
import type { WebApp } from '../web/web-app.ts';

// From the repository, also when this module runs compiled (dist/scripts/screen/): the app's sources and build stay there.
export const SCREEN_ROOT = repositoryPath('device', 'screen');
export const SCREEN_DIST = repositoryPath('device', 'screen', 'dist');

export const SCREEN_APP: WebApp = {
  title: 'the kiosk screen',
  root: SCREEN_ROOT,
  dist: SCREEN_DIST,
  base: '/',
  extraSources: [repositoryPath('scripts', 'screen', 'build-screen.ts'), repositoryPath('scripts', 'web', 'build-web-app.ts'), repositoryPath('package-lock.json')],
  extraSourceDirs: [repositoryPath('core', 'money'), repositoryPath('core', 'errors')],
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
