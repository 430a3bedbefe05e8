/**
 * Runs `memberkiosk <args>` to completion as a real OS process (the compiled build when current:
 * memberkiosk-under-test.ts) and hands back its exit code and output, as an operator at a shell would see them.
 * The CLI tests each had a copy of this; one copy keeps the way a command is run (the 30 s timeout, the inherited
 * environment) the same for all of them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { memberkioskProcess } from '../../build/memberkiosk-under-test.ts';

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
  const command = memberkioskProcess(args, env);
  const run = spawnSync(process.execPath, command.args, { encoding: 'utf8', timeout: 30_000, env: command.env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/**
 * At most this many `memberkioskAsync` processes at once. A test that asked for twenty at once (every command's
 * --help) put twenty Node processes on CI's two cores, and starved the test running beside it in the other worker.
 */
const AT_ONCE = 2;
let running = 0;
/** Callers waiting for a slot; a finishing run hands its slot to the first of them, so `running` never passes AT_ONCE. */
const waiting: (() => void)[] = [];

/** `memberkiosk …` without blocking this process: several tests' worth may be asked for at once, AT_ONCE run. */
export async function memberkioskAsync(...args: string[]): Promise<CliRun & { args: string[] }> {
  if (running < AT_ONCE) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    const command = memberkioskProcess(args);
    const child = spawn(process.execPath, command.args, { stdio: ['ignore', 'pipe', 'pipe'], env: command.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close', not 'exit': the process may be gone before its output has all been read.
    const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode: number | null) => resolve(exitCode)));
    return { args, code, stdout, stderr };
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
