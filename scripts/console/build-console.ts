/**
 * The HQ console web app (console/: Vue 3, Element Plus, vue-i18n), built with Vite into console/dist, which the
 * hub serves at /console/ (hub/http/console-assets.ts). No CDN: every script, style and font file the app uses is
 * in dist. The build itself is scripts/web/build-web-app.ts.
 */
import { pathToFileURL } from 'node:url';
import { repositoryPath } from '../../core/paths/repository-path.ts';
import { buildWebApp } from '../web/build-web-app.ts';
import type { WebApp } from '../web/web-app.ts';

// From the repository, also when this module runs compiled (dist/scripts/console/): the app's sources and build stay there.
export const CONSOLE_ROOT = repositoryPath('console');
export const CONSOLE_DIST = repositoryPath('console', 'dist');

export const CONSOLE_APP: WebApp = {
  title: 'the HQ console',
  root: CONSOLE_ROOT,
  dist: CONSOLE_DIST,
  base: '/console/',
  extraSources: [repositoryPath('scripts', 'console', 'build-console.ts'), repositoryPath('scripts', 'web', 'build-web-app.ts'), repositoryPath('package-lock.json')],
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
