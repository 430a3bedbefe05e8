/**
 * The file a worker thread (a report's, the ledger writer's) starts from, beside the module that starts it
 * (`besideUrl`: its import.meta.url). Compiled (`npm run build`: that module is a .js under dist/), the thread runs
 * the compiled `<name>.js` as it is. From the sources (tsx, vitest), it runs `<name>.mjs`: a plain starter that
 * registers tsx for the thread and then imports `<name>.ts`, because a worker thread does not inherit the
 * TypeScript loader its parent registered.
 *
 * `threadsDist` (MEMBERKIOSK_THREADS_DIST, which the test suite sets to the build its set-up compiled:
 * scripts/build/memberkiosk-under-test.ts) has threads started from the sources run that build's `<name>.js`
 * instead, as production runs them: compiling the thread's modules again through tsx took 1.1–1.3 s of CPU a
 * thread against 0.4–0.5 s, and the suite starts about 160. A build without the file leaves the starter in use.
 * Read at each start, not once per module; null: the starter.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { REPOSITORY_ROOT } from '../../core/paths/repository-path.ts';

export function workerEntryUrl(name: string, besideUrl: string, threadsDist: string | null = process.env['MEMBERKIOSK_THREADS_DIST'] ?? null): URL {
  if (new URL(besideUrl).pathname.endsWith('.js')) return new URL(`./${name}.js`, besideUrl);
  if (threadsDist) {
    const compiled = join(threadsDist, relative(REPOSITORY_ROOT, dirname(fileURLToPath(besideUrl))), `${name}.js`);
    if (existsSync(compiled)) return pathToFileURL(compiled);
  }
  return new URL(`./${name}.mjs`, besideUrl);
}
