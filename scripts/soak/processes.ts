/**
 * Process orchestration for the soak: the hub and the kiosks as real `memberkiosk` OS processes that can be
 * SIGKILLed and started again on the same data dir and ports, and the Mosquitto broker restarted on its port.
 *
 * Every start appends the process's stdout and stderr (pino JSON at warn, and the ready line) to one log file
 * per process in the soak's work dir, with a marker line per start, kill and exit, so a failed check can be
 * read next to what each process said. A process that exits without having been told to is remembered: a
 * hub or kiosk that dies on its own under the soak is a finding, not noise.
 *
 * The broker is Mosquitto as docs/OPERATIONS.md sets it up for production: a TLS listener only (the hub's own
 * certificate, so the hub and the kiosks trust it through the hub's CA) and the dynamic security plugin, whose
 * config file (the hub's account and every enrolled kiosk's) lives in the work dir and survives each restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitForReadyLine } from '../../e2e/support/cli-process.ts';
import { startMosquittoDynsec, type DynsecMosquitto } from '../../hub/testing/start-mosquitto-dynsec.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = 'bin/memberkiosk.mjs';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface UnexpectedExit {
  name: string;
  at: string;
  exit: ExitInfo;
}

export interface ManagedProcessSpec {
  /** e.g. "hub", "kiosk-1": names the log file and every line about it. */
  name: string;
  /** Arguments after `node bin/memberkiosk.mjs`. */
  args: string[];
  /** Matched against stdout: the line the command prints once it serves. */
  ready: RegExp;
  logFile: string;
  /** A hub started while its broker is down waits for it before printing its ready line: be generous. */
  readyTimeoutMs?: number;
  /** Added to the soak's own environment. */
  env?: Record<string, string>;
}

/** One `memberkiosk` process that the soak starts, kills and starts again. */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<ExitInfo> | null = null;
  private expectingExit = false;
  private up = false;
  startCount = 0;
  killCount = 0;

  constructor(
    readonly spec: ManagedProcessSpec,
    private readonly onUnexpectedExit: (exit: UnexpectedExit) => void,
  ) {}

  /** Ready: started and printed its ready line, not killed since. */
  get isUp(): boolean {
    return this.up;
  }

  get isRunning(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  private mark(text: string): void {
    appendFileSync(this.spec.logFile, `=== ${new Date().toISOString()} ${this.spec.name} ${text} ===\n`);
  }

  /** Starts the process and resolves with the ready line's match once it prints it. */
  async start(): Promise<RegExpExecArray> {
    if (this.isRunning) throw new Error(`${this.spec.name} is already running (pid ${this.pid})`);
    this.startCount += 1;
    this.expectingExit = false;
    // detached: its own process group, so a Ctrl-C on the soak's terminal reaches the soak, which stops it
    // itself, and not the child (which would stop cleanly and read as a process that died on its own).
    const child = spawn(process.execPath, [CLI, ...this.spec.args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...this.spec.env } });
    this.child = child;
    this.mark(`start #${this.startCount} pid ${child.pid ?? '?'}`);
    let stdout = '';
    const log = (chunk: Buffer) => appendFileSync(this.spec.logFile, chunk);
    child.stdout?.on('data', (chunk: Buffer) => {
      log(chunk);
      // Only the head matters for the ready line; a warn-level process prints little after it.
      if (stdout.length < 64 * 1024) stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', log);
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        this.up = false;
        this.mark(`exited code ${code} signal ${signal}`);
        if (!this.expectingExit) this.onUnexpectedExit({ name: this.spec.name, at: new Date().toISOString(), exit: { code, signal } });
        resolve({ code, signal });
      });
    });
    this.exited = exited;
    const timeoutMs = this.spec.readyTimeoutMs ?? 60_000;
    const match = await waitForReadyLine(child, () => stdout, this.spec.ready, timeoutMs, () => this.spec.name, () => ` (log: ${this.spec.logFile})`).catch(async (error: unknown) => {
      await this.kill('SIGKILL');
      throw error;
    });
    this.up = true;
    this.mark('ready');
    return match;
  }

  /**
   * Sends `signal` (SIGKILL: no stop(), no flush, a power cut) and waits until the kernel has reaped it.
   * `chaos`: this kill is one of the soak's, and counts towards the kill target.
   */
  async kill(signal: NodeJS.Signals, chaos = false): Promise<ExitInfo | null> {
    const child = this.child;
    const exited = this.exited;
    if (!child || !exited) return null;
    this.up = false;
    if (this.isRunning) {
      this.expectingExit = true;
      if (chaos) this.killCount += 1;
      this.mark(`sending ${signal}`);
      child.kill(signal);
    }
    return exited;
  }

  /** Last resort on process exit: synchronous, no waiting. */
  killNow(): void {
    if (this.isRunning) {
      this.expectingExit = true;
      this.child?.kill('SIGKILL');
    }
  }
}

export interface ManagedBrokerOptions {
  /** The broker's folder (config, certificate, the dynsec plugin's dynsec.json): kept across restarts. */
  dir: string;
  /** The TLS listener's certificate chain and key. */
  tls: { certPem: string; keyPem: string };
  /** The dynsec admin's password, set when the plugin's config file is made at the first start. */
  adminPassword: string;
  /** Mosquitto's own log and a marker line per start and stop. */
  logFile: string;
}

/**
 * Mosquitto with a TLS listener and the dynamic security plugin, restartable on its fixed port with the same
 * accounts: every start uses the same folder, whose dynsec.json the plugin rewrites on each account change.
 */
export class ManagedBroker {
  private broker: DynsecMosquitto | null = null;
  restartCount = 0;

  constructor(
    readonly port: number,
    private readonly options: ManagedBrokerOptions,
  ) {}

  get isUp(): boolean {
    return this.broker !== null;
  }

  /** mqtts://USER:PASSWORD@127.0.0.1:PORT, or without a login. */
  url(login?: { username: string; password: string }): string {
    const auth = login ? `${encodeURIComponent(login.username)}:${encodeURIComponent(login.password)}@` : '';
    return `mqtts://${auth}127.0.0.1:${this.port}`;
  }

  /** The dynsec admin's login. */
  get adminUrl(): string {
    return this.url({ username: 'admin', password: this.options.adminPassword });
  }

  async start(): Promise<void> {
    if (this.broker) return;
    appendFileSync(this.options.logFile, `=== ${new Date().toISOString()} mosquitto start on ${this.port} (TLS, dynamic security) ===\n`);
    // The port was just released by the broker's previous life: give the kernel a few tries to hand it back.
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.broker = await startMosquittoDynsec({
          port: this.port,
          dir: this.options.dir,
          tls: this.options.tls,
          adminPassword: this.options.adminPassword,
          logFile: this.options.logFile,
        });
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** SIGTERM and wait for it to exit; its folder (and accounts) stay for the next start. */
  async stop(): Promise<void> {
    const broker = this.broker;
    this.broker = null;
    if (!broker) return;
    appendFileSync(this.options.logFile, `=== ${new Date().toISOString()} mosquitto stop ===\n`);
    await broker.stop();
  }

  async restart(downMs: number): Promise<void> {
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start();
    this.restartCount += 1;
  }
}

/**
 * The pino lines of a process log counted by `code` (or by message when a line has no code), e.g.
 * {LINK_STALLED: 3}: what the processes complained about at warn and above, for the summary.
 */
export function countLoggedCodes(logFile: string): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!existsSync(logFile)) return counts;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { code?: unknown; msg?: unknown };
      const key = typeof entry.code === 'string' ? entry.code : typeof entry.msg === 'string' ? `"${entry.msg}"` : '?';
      counts[key] = (counts[key] ?? 0) + 1;
    } catch {
      counts['unparsed line'] = (counts['unparsed line'] ?? 0) + 1;
    }
  }
  return counts;
}
