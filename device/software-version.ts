/** The software version this kiosk runs (package.json): in its state report, so the hub's registry shows it. */
import { readFileSync } from 'node:fs';
import { repositoryPath } from '../core/paths/repository-path.ts';

function readVersion(): string {
  try {
    // The repository's package.json, also for the compiled kiosk (dist/), which has none of its own.
    const pkg = JSON.parse(readFileSync(repositoryPath('package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export const SOFTWARE_VERSION = readVersion();
