/**
 * Runs `memberkiosk <args>` (bin/memberkiosk.mjs) to completion as a real OS process and hands back its exit code
 * and output, as an operator at a shell would see them. The CLI tests each had a copy of this; one copy keeps
 * the way a command is run (the 30 s timeout, the inherited environment) the same for all of them.
 */
import { spawnSync } from 'node:child_process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `memberkiosk ...args` under the test's own environment. */
export function memberkiosk(...args: string[]): CliRun {
  return memberkioskWithEnv({}, ...args);
}

/** `memberkiosk ...args` with `env` added to the test's environment (e.g. MEMBERKIOSK_PASSWORD for a login). */
export function memberkioskWithEnv(env: Record<string, string>, ...args: string[]): CliRun {
  const run = spawnSync(process.execPath, ['bin/memberkiosk.mjs', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
