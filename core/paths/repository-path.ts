/**
 * Where the repository's own files are, for code that reads them at run time without importing them: the web
 * apps' builds (console/dist, device/screen/dist), the Node-RED child, nodes and shipped flows (flows/),
 * package.json. A module cannot find them from its own place, because the same module runs from two places: its
 * source (core/paths/repository-path.ts, through tsx or vitest) and its compiled copy under the build's outDir
 * (dist/core/paths/repository-path.js, `npm run build`), a folder deeper or more. Only the code is compiled;
 * these files stay where they are in the repository.
 *
 * Pure path arithmetic (no file is read), so core may hold it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function repositoryRootUrl(): URL {
  const here = import.meta.url;
  // The source: this file is core/paths/ of the repository.
  if (here.endsWith('.ts')) return new URL('../../', here);
  // The compiled copy, wherever below the repository the build put it (dist/, a test's build under .tmp/): Node
  // resolves the package's own name from inside it to the repository's package.json (a self-reference, allowed
  // by the "exports" entry there). bin/build.mjs refuses an outDir outside the repository.
  return new URL('./', import.meta.resolve('memberkiosk/package.json'));
}

/** The repository's root folder, with a trailing separator. */
export const REPOSITORY_ROOT = fileURLToPath(repositoryRootUrl());

/** A path inside the repository: repositoryPath('console', 'dist'). */
export function repositoryPath(...segments: string[]): string {
  return join(REPOSITORY_ROOT, ...segments);
}
