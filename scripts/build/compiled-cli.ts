/**
 * The compiled `memberkiosk` as real processes, for the test of the build (compiled-build.test.ts) and the
 * kiosk-footprint benchmark: a build of their own inside the repository (under .tmp/, which git and the linters
 * ignore), so that they neither race each other for dist/ nor replace the build a developer runs, started the way
 * production starts it — bin/memberkiosk-prod.mjs, told the build by MEMBERKIOSK_DIST.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';
import { compileBuild, compiledBuildProblem, REPOSITORY_ROOT } from '../../bin/compiled-build.mjs';

export const PROD_BIN = join(REPOSITORY_ROOT, 'bin', 'memberkiosk-prod.mjs');

/** A folder under the repository's .tmp/ for a build of one's own. */
export function buildDirUnderRepository(name: string): string {
  return join(REPOSITORY_ROOT, '.tmp', name);
}

/**
 * Compiles into `outDir` unless a current build is there, and names it. Call it just before starting a compiled
 * process: others edit this repository while tests and benchmarks run, and the compiled command refuses a build
 * older than its sources. Types are not checked (tsc --noCheck: the same
 * JavaScript; `npx tsc --noEmit` checks types), so a type error in someone's unfinished file does not stop a test
 * of how the build runs.
 */
export function ensureCompiled(outDir: string, log: (line: string) => void = () => undefined): string {
  if (compiledBuildProblem(outDir) === null) return outDir;
  const built = compileBuild({ outDir, typeCheck: false, log });
  if (!built.ok) throw new Error(`the compiled build failed: ${built.message}`);
  return outDir;
}

/**
 * Starts `node [nodeArgs] bin/memberkiosk-prod.mjs ...args` on the build in `outDir`; stdout and stderr are
 * piped. `nodeArgs` go to node itself (a test's --import probe).
 */
export function spawnCompiled(outDir: string, args: string[], options: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } & Pick<SpawnOptions, 'cwd'> = {}): ChildProcess {
  return spawn(process.execPath, [...(options.nodeArgs ?? []), PROD_BIN, ...args], {
    cwd: options.cwd ?? REPOSITORY_ROOT,
    env: { ...process.env, ...options.env, MEMBERKIOSK_DIST: outDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the compiled `memberkiosk ...args` to its end. */
export async function runCompiled(outDir: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCompiled(outDir, args, options);
  const output = collectOutput(child);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  return { code, ...output() };
}

/** stdout and stderr of `child` so far, as text. */
export function collectOutput(child: ChildProcess): () => { stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return () => ({ stdout, stderr });
}

/** Resolves with the first match of `pattern` in the child's stdout; rejects when it exits first or after `timeoutMs`. */
export function stdoutMatch(child: ChildProcess, pattern: RegExp, timeoutMs: number, what: string): Promise<RegExpExecArray> {
  let seen = '';
  let said = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${what} printed no ${String(pattern)} within ${timeoutMs} ms; it said:\n${seen}${said}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const found = pattern.exec(seen);
      if (found) finish(null, found);
    };
    const onErr = (chunk: Buffer) => (said += chunk.toString('utf8'));
    const onExit = (code: number | null) => finish(new Error(`${what} exited (${code}) before printing ${String(pattern)}; it said:\n${seen}${said}`));
    function finish(error: Error | null, found?: RegExpExecArray): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
      if (found) resolve(found);
      else reject(error ?? new Error(`${what}: no match`));
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
  });
}

/** SIGTERM (the clean stop), SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

/**
 * Enrols a kiosk the way a technician does, with the compiled commands: `enrol create` against the hub's data
 * directory (as its operator runs it beside the running hub), then `provision` over the hub's HTTPS listener.
 */
export async function provisionWithCompiledCli(outDir: string, opts: { hubDataDir: string; httpsUrl: string; storeId: string; deviceId: string; kioskDataDir: string }): Promise<void> {
  const code = await runCompiled(outDir, ['enrol', 'create', '--store', opts.storeId, '--device-id', opts.deviceId, '--mode', 'attended', '--ttl', '90s', '--data', opts.hubDataDir]);
  const enrolment = /^MK1-\S+$/m.exec(code.stdout)?.[0];
  if (code.code !== 0 || !enrolment) throw new Error(`memberkiosk enrol create answered ${code.code}: ${code.stdout}${code.stderr}`);
  const provisioned = await runCompiled(outDir, ['provision', '--hub', opts.httpsUrl, '--code', enrolment, '--data', opts.kioskDataDir]);
  if (provisioned.code !== 0) throw new Error(`memberkiosk provision answered ${provisioned.code}: ${provisioned.stdout}${provisioned.stderr}`);
}
