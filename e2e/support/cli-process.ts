/**
 * Runs `memberkiosk <command>` as a real OS process (the compiled build in tests, when current:
 * scripts/build/memberkiosk-under-test.ts), so a test can SIGKILL it: no
 * finally blocks, no stop(), no flush — exactly what a power cut or an OOM kill does to a kiosk or a hub.
 *
 * Every process started through a CliProcesses set is killed by `killAll()`, which each test calls in
 * afterEach, so a failing assertion never leaves a child holding a port or a SQLite file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { memberkioskProcess } from '../../scripts/build/memberkiosk-under-test.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves with the exit code or signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL and wait until the kernel has reaped it (its ports and file locks are released then). */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export class CliProcesses {
  private readonly running = new Set<CliProcess>();

  /**
   * Starts `memberkiosk ...args` and resolves with the first match of `ready` in its stdout
   * (the line the command prints once it serves), or rejects if it exits or stays silent past the timeout.
   */
  async start(args: string[], ready: RegExp, timeoutMs = 15_000): Promise<{ process: CliProcess; match: RegExpExecArray }> {
    // MK_CLI_NODE_ARGS: extra node flags for the child (the fleet benchmarks' CPU profiles: `--cpu-prof …`, which
    // NODE_OPTIONS does not allow).
    const nodeArgs = process.env['MK_CLI_NODE_ARGS']?.split(' ').filter(Boolean) ?? [];
    const command = memberkioskProcess(args);
    const child = spawn(process.execPath, [...nodeArgs, ...command.args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: command.env });
    // stdout alone is searched for the ready line; both streams are kept for failure messages.
    let stdout = '';
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      text += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const handle: CliProcess = {
      child,
      pid: child.pid ?? -1,
      output: () => text,
      exited,
      kill: async (signal = 'SIGKILL') => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        const how = await exited;
        this.running.delete(handle);
        return how;
      },
    };
    this.running.add(handle);
    void exited.then(() => this.running.delete(handle));
    const match = await waitForReadyLine(child, () => stdout, ready, timeoutMs, () => `'memberkiosk ${args[0]}'`, () => `:\n${text}`).catch(async (error: unknown) => {
      await handle.kill();
      throw error;
    });
    return { process: handle, match };
  }

  /** SIGKILLs every child still running and waits for each to be gone. */
  async killAll(): Promise<void> {
    await Promise.all([...this.running].map((p) => p.kill('SIGKILL')));
  }
}

/**
 * Resolves with the first match of `ready` in what `stdout()` has gathered, checked on each chunk; rejects when
 * the process exits first or stays silent past the timeout. `name` and `more` word the failure.
 */
export function waitForReadyLine(child: ChildProcess, stdout: () => string, ready: RegExp, timeoutMs: number, name: () => string, more: () => string): Promise<RegExpExecArray> {
  return new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${name()} printed no ${ready} within ${timeoutMs} ms${more()}`)), timeoutMs);
    const onData = () => {
      const found = ready.exec(stdout());
      if (found) finish(null, found);
    };
    const onExit = () => finish(new Error(`${name()} exited before it was ready${more()}`));
    function finish(error: Error | null, found?: RegExpExecArray): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (found) resolve(found);
      else reject(error ?? new Error('not ready'));
    }
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}
