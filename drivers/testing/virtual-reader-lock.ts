/**
 * vsmartcard offers two virtual readers ("Virtual PCD 00 00" on port 35963, "00 01" on 35964) and vitest runs
 * test files in parallel processes. A card one file puts on a reader is seen by every process watching that
 * reader, so a file that presents cards on a reader holds it for all its tests: another file's cards never
 * turn up among its taps, nor its failing cards among another's. A directory is the lock (mkdir is atomic);
 * it names its owner's pid so a lock left by a killed run is taken over instead of waited for.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function lockVirtualReader(port: number, timeoutMs = 25_000): Promise<() => void> {
  const dir = join(tmpdir(), `memberkiosk-vpcd-${port}.lock`);
  const owner = join(dir, 'pid');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(owner, String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!ownerAlive(dir, owner)) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`virtual reader on port ${port} still held by another test process after ${timeoutMs} ms (${dir})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function ownerAlive(dir: string, ownerFile: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(ownerFile, 'utf8'));
  } catch {
    // Between mkdir and writing the pid its owner is alive; a lock without a pid for seconds was left by a crash.
    try {
      return Date.now() - statSync(dir).mtimeMs < 2_000;
    } catch {
      return false;
    }
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
