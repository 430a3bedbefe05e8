/**
 * The supervisor of a kiosk's or a hub's Node-RED: it runs Node-RED in a child process it starts, watches,
 * restarts and stops, so that nothing a flow does — throw, loop, block, leak — reaches the kiosk's session or the
 * hub's ledger. The child answers a heartbeat; one that misses it (a flow in a tight loop) is killed with SIGKILL
 * and started again after a growing pause. A child killed or crashed `safeModeAfter` times within
 * `safeModeWindowMs` is started in Node-RED's safe mode (flows stopped, editor up) so a technician can mend the
 * runaway flow, and an alert says so.
 *
 * The child reaches the parent only through `calls` (flows/runtime/protocol.ts); at most `maxCallsInFlight` run at
 * once, so a flow spinning on calls cannot queue unbounded work in the kiosk or hub. Events sent while no healthy
 * child is there are dropped and counted, never queued: a restarted flow starts from now.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { ChildMessage, ChildSettings, FlowCalls, ParentMessage } from './protocol.ts';
import { repositoryPath } from '../../core/paths/repository-path.ts';

// From the repository, also when this module runs compiled (dist/): the child is JavaScript and is not compiled.
const CHILD_ENTRY = repositoryPath('flows', 'child', 'main.mjs');

export type FlowRuntimeState = 'off' | 'starting' | 'running' | 'restarting' | 'safe-mode' | 'stopped';

export interface FlowRuntimeStatus {
  state: FlowRuntimeState;
  /** The editor's address while a child runs. */
  url: string | null;
  /** Children started since start(), counting the first. */
  starts: number;
  /** Children killed for missing the heartbeat. */
  kills: number;
  /** Events dropped while no healthy child was there. */
  droppedEvents: number;
  /** Why the last child ended, if one did. */
  lastExit: { at: string; reason: 'unresponsive' | 'crashed' | 'failed'; code: string | null } | null;
}

export type FlowRuntimeAlert = 'NODE_RED_UNRESPONSIVE' | 'NODE_RED_CRASHED' | 'NODE_RED_SAFE_MODE';

export interface FlowRuntimeOptions {
  /** 'kiosk' or 'hub': names the child in logs. */
  name: string;
  /** Everything but safeMode, which the supervisor decides. */
  settings: Omit<ChildSettings, 'safeMode'>;
  calls: FlowCalls;
  logger: Logger;
  /** Told of kills, crashes and safe mode (the kiosk's alert log, the hub's log). */
  onAlert?: (code: FlowRuntimeAlert, detail: Record<string, unknown>) => void;
  /** How long the child may go without answering a heartbeat (default 5 s; checked every settings.heartbeatMs). */
  unresponsiveMs?: number;
  /** How long the child has from its start to be ready (default 60 s: a loaded 2-core machine starts Node-RED slowly). */
  startTimeoutMs?: number;
  /** V8 heap limit of the child (default 128 MB): a leaking flow ends the child, not the machine. */
  maxOldSpaceMb?: number;
  maxCallsInFlight?: number;
  /** Pauses before each restart, the last repeated (default 1, 2, 5, 10, 30 s). */
  restartDelaysMs?: readonly number[];
  safeModeAfter?: number;
  safeModeWindowMs?: number;
}

const DEFAULT_RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const;
const DEFAULT_UNRESPONSIVE_MS = 5_000;
const DEFAULT_START_TIMEOUT_MS = 60_000;

/** What the child said before it was ready: its first messages settle the start. */
interface Starting {
  resolve: (url: string) => void;
  reject: (error: Error) => void;
}

export class FlowRuntime {
  private child: ChildProcess | null = null;
  private state: FlowRuntimeState = 'off';
  private url: string | null = null;
  private starts = 0;
  private kills = 0;
  private droppedEvents = 0;
  private lastExit: FlowRuntimeStatus['lastExit'] = null;
  /** When children ended badly, for the safe-mode decision. */
  private failures: number[] = [];
  private safeMode = false;
  private heartbeat: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private lastPong = 0;
  private pingNo = 0;
  private callsInFlight = 0;
  private starting: Starting | null = null;
  private firstReady: Promise<string> | null = null;
  private boundPort: number | null = null;
  /** The child this supervisor killed itself (its exit is not a crash). */
  private killed: ChildProcess | null = null;
  private readonly log: Logger;

  constructor(private readonly options: FlowRuntimeOptions) {
    this.log = options.logger.child({ component: `${options.name}.node-red` });
  }

  status(): FlowRuntimeStatus {
    return { state: this.state, url: this.url, starts: this.starts, kills: this.kills, droppedEvents: this.droppedEvents, lastExit: this.lastExit };
  }

  /**
   * The longest from a child blocking (a runaway flow) to its successor running, by this supervisor's own figures:
   * the silence limit, noticed at the next heartbeat tick; the first pause before the restart; the successor's
   * start, which is killed if it takes longer. Timers running late on a loaded machine come on top.
   */
  recoveryBoundMs(): number {
    const firstPause = (this.options.restartDelaysMs ?? DEFAULT_RESTART_DELAYS_MS)[0] ?? 0;
    return (this.options.unresponsiveMs ?? DEFAULT_UNRESPONSIVE_MS) + this.options.settings.heartbeatMs + firstPause + (this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  }

  /** The editor's origin (scheme, host, port) while a child runs, for a proxy in front of it; else null. */
  origin(): string | null {
    return this.url ? new URL(this.url).origin : null;
  }

  /** Starts the child and resolves with the editor's address once Node-RED runs its flows. */
  async start(): Promise<string> {
    if (this.state === 'running' || this.state === 'safe-mode') return this.url ?? '';
    if ((this.state === 'starting' || this.state === 'restarting') && this.firstReady) return this.firstReady;
    this.state = 'starting';
    return this.spawn();
  }

  /** Sends an event to the flows, or drops it when no healthy child is there. */
  emit(topic: string, payload: unknown): void {
    if (!this.isHealthy()) {
      this.droppedEvents += 1;
      return;
    }
    this.send({ t: 'event', topic, payload });
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.stopHeartbeat();
    this.starting?.reject(new Error('Node-RED was stopped before it was ready'));
    this.starting = null;
    this.firstReady = null;
    const child = this.child;
    this.child = null;
    this.url = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    // Node-RED's own stop is given a few seconds (flows close their connections); then it is killed.
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }

  private isHealthy(): boolean {
    return (this.state === 'running' || this.state === 'safe-mode') && this.child !== null && Date.now() - this.lastPong < (this.options.unresponsiveMs ?? DEFAULT_UNRESPONSIVE_MS);
  }

  private spawn(): Promise<string> {
    const { settings } = this.options;
    this.starts += 1;
    const child = fork(CHILD_ENTRY, [], {
      execArgv: [`--max-old-space-size=${this.options.maxOldSpaceMb ?? 128}`],
      // Only what Node-RED needs: the kiosk's or hub's secrets in its environment are not the flows' business.
      // TZ only when the parent has one: an empty TZ would put the child in UTC, not the machine's zone.
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LANG: process.env['LANG'] ?? 'C.UTF-8', NODE_ENV: process.env['NODE_ENV'] ?? 'production', ...(process.env['TZ'] ? { TZ: process.env['TZ'] } : {}) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    this.lastPong = Date.now();
    this.pipeOutput(child);
    child.on('message', (message) => this.receive(child, message as ChildMessage));
    child.once('exit', (code, signal) => this.exited(child, code, signal));
    // The first start()'s promise is kept across restarts: it settles when a child finally runs (or at stop()).
    const ready = this.firstReady ?? new Promise<string>((resolve, reject) => {
      this.starting = { resolve, reject };
    });
    this.firstReady = ready;
    const timeout = setTimeout(() => {
      this.log.error('Node-RED did not become ready in time; killing it');
      this.kill(child, 'unresponsive', 'NODE_RED_START_TIMEOUT');
    }, this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    void ready.finally(() => clearTimeout(timeout)).catch(() => undefined);
    this.send({ t: 'init', settings: { ...settings, port: this.boundPort ?? settings.port, safeMode: this.safeMode } });
    this.startHeartbeat(child);
    return ready;
  }

  /** Node-RED writes its log to stdout: each line goes into the parent's log at info (stderr at warn). */
  private pipeOutput(child: ChildProcess): void {
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => this.log.info({ nodeRed: line }, 'node-red'));
    if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => this.log.warn({ nodeRed: line }, 'node-red'));
  }

  private startHeartbeat(child: ChildProcess): void {
    this.stopHeartbeat();
    const every = this.options.settings.heartbeatMs;
    const limit = this.options.unresponsiveMs ?? DEFAULT_UNRESPONSIVE_MS;
    this.heartbeat = setInterval(() => {
      if (this.child !== child) return;
      // Until it is ready the start timeout watches it: loading Node-RED holds the child's thread for a while.
      if (this.state === 'running' || this.state === 'safe-mode') {
        if (Date.now() - this.lastPong > limit) {
          this.log.error({ silentMs: Date.now() - this.lastPong }, 'Node-RED stopped answering (a flow blocks it); killing it');
          this.kill(child, 'unresponsive', 'NODE_RED_UNRESPONSIVE');
          return;
        }
      }
      this.pingNo += 1;
      this.send({ t: 'ping', n: this.pingNo });
    }, every);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private kill(child: ChildProcess, reason: 'unresponsive' | 'failed', code: string): void {
    if (reason === 'unresponsive') this.kills += 1;
    this.lastExit = { at: new Date().toISOString(), reason, code };
    this.killed = child;
    // From now on it is not running, whatever its exit event still has to say.
    if (this.state === 'running' || this.state === 'safe-mode') this.state = 'restarting';
    this.url = null;
    this.options.onAlert?.('NODE_RED_UNRESPONSIVE', { code, kills: this.kills });
    child.kill('SIGKILL');
  }

  private receive(child: ChildProcess, message: ChildMessage): void {
    if (this.child !== child || typeof message !== 'object' || message === null) return;
    switch (message.t) {
      case 'pong':
        this.lastPong = Date.now();
        return;
      case 'ready':
        this.url = message.url;
        // Restarts take the same port: the editor's address (and the hub's proxy to it) stays what it was.
        this.boundPort ??= Number(new URL(message.url).port);
        this.state = this.safeMode ? 'safe-mode' : 'running';
        this.lastPong = Date.now();
        this.log.info({ url: message.url, safeMode: this.safeMode, starts: this.starts }, 'Node-RED ready');
        this.starting?.resolve(message.url);
        this.starting = null;
        this.firstReady = null;
        return;
      case 'failed':
        this.log.error({ code: message.code, reason: message.message }, 'Node-RED failed');
        this.lastExit = { at: new Date().toISOString(), reason: 'failed', code: message.code };
        return;
      case 'call':
        void this.answer(child, message.id, message.method, message.params);
        return;
      default:
        message satisfies never;
    }
  }

  private async answer(child: ChildProcess, id: number, method: string, params: unknown): Promise<void> {
    const handler = Object.hasOwn(this.options.calls, method) ? this.options.calls[method] : undefined;
    let reply: ParentMessage;
    if (!handler) {
      reply = { t: 'reply', id, ok: false, code: 'FLOW_CALL_UNKNOWN', message: `no call named ${method}` };
    } else if (this.callsInFlight >= (this.options.maxCallsInFlight ?? 32)) {
      reply = { t: 'reply', id, ok: false, code: 'FLOW_CALLS_BUSY', message: `more than ${this.options.maxCallsInFlight ?? 32} calls at once; try again` };
    } else {
      this.callsInFlight += 1;
      try {
        reply = { t: 'reply', id, ok: true, value: (await handler(params)) ?? null };
      } catch (error) {
        const coded = error instanceof CodedError;
        if (!coded) this.log.error({ err: error, method }, 'a flow call failed');
        reply = { t: 'reply', id, ok: false, code: coded ? error.code : 'INTERNAL', message: error instanceof Error ? error.message : String(error) };
      } finally {
        this.callsInFlight -= 1;
      }
    }
    // The child that asked may have been replaced meanwhile: its successor never asked.
    if (this.child === child) this.send(reply);
  }

  private send(message: ParentMessage): void {
    const child = this.child;
    if (!child?.connected) return;
    child.send(message, (error) => {
      if (error) this.log.debug({ err: error }, 'could not send to Node-RED (it is restarting)');
    });
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = null;
    this.url = null;
    this.stopHeartbeat();
    if (this.state === 'stopped') return;
    if (this.killed !== child) {
      // A 'failed' message just before the exit says why; otherwise it crashed without a word.
      const said = this.lastExit?.reason === 'failed' && Date.parse(this.lastExit.at) > Date.now() - 2_000;
      if (!said) this.lastExit = { at: new Date().toISOString(), reason: 'crashed', code: code === null ? signal : String(code) };
      this.options.onAlert?.('NODE_RED_CRASHED', { exitCode: code, signal, code: this.lastExit?.code ?? null });
    }
    this.killed = null;
    const now = Date.now();
    this.failures = [...this.failures.filter((at) => at > now - (this.options.safeModeWindowMs ?? 600_000)), now];
    if (!this.safeMode && this.failures.length >= (this.options.safeModeAfter ?? 3)) {
      this.safeMode = true;
      this.log.error({ failures: this.failures.length }, 'Node-RED keeps failing: starting it in safe mode (flows stopped) until a technician fixes them');
      this.options.onAlert?.('NODE_RED_SAFE_MODE', { failures: this.failures.length });
    }
    const delays = this.options.restartDelaysMs ?? DEFAULT_RESTART_DELAYS_MS;
    const delay = delays[Math.min(this.failures.length - 1, delays.length - 1)] ?? 1_000;
    this.state = 'restarting';
    this.log.warn({ exitCode: code, signal, restartInMs: delay }, 'Node-RED ended; starting it again');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.state !== 'restarting') return;
      void this.spawn().catch(() => undefined);
    }, delay);
    this.restartTimer.unref();
  }
}
