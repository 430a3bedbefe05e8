/**
 * Where the simulated kiosks keep their outbox files: one directory for the whole test file, made on first use
 * and removed once at the end, rather than one per seed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let scratchDir: string | null = null;
export function scratch(): string {
  // tmpfs when there is one: the outbox fsyncs at every append, and the simulation appends a great deal.
  scratchDir ??= mkdtempSync(join(process.platform === 'linux' ? '/dev/shm' : tmpdir(), 'memberkiosk-sim-'));
  return scratchDir;
}

export function removeScratch(): void {
  if (scratchDir) rmSync(scratchDir, { recursive: true, force: true });
  scratchDir = null;
}
