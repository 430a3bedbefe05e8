/**
 * A kiosk or hub stand-in for the tests of our Node-RED nodes and shipped flows: the real FlowRuntime starts the real
 * Node-RED child with one of our node packages, and every call a flow makes is recorded and answered by the test's
 * handlers — the fake is only at that edge (a printer, the ledger, an SMS gateway are not what these tests test).
 * The editor's login is answered too, so tests reach Node-RED's admin API with a real token.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { FlowRuntime } from '../runtime/flow-runtime.ts';
import { AUTH_CALLS, type EditorUser, type FlowCalls } from '../runtime/protocol.ts';

export type FlowHost = 'kiosk' | 'hub';

const NODES_DIR = fileURLToPath(new URL('../nodes/', import.meta.url));
const SHIPPED_DIR = fileURLToPath(new URL('../shipped/', import.meta.url));

/** The one technician the stand-in's login accepts. */
export const TEST_TECHNICIAN = { username: 'tech01', password: 'correct horse battery staple' } as const;

export interface RecordedCall {
  method: string;
  params: unknown;
}

export type CallAnswer = (params: unknown) => unknown;

export interface RecordingFlowParentOptions {
  host: FlowHost;
  /** Node-RED's user directory (flows.json, context/): the same one again for a restart. */
  userDir: string;
  /** Answers for the node calls (kiosk.print, points.grant, …); a call without one is refused by the runtime. */
  answers: Record<string, CallAnswer>;
}

/** The shipped flow named, as its JSON file holds it. */
export function shippedFlow(host: FlowHost, name: string): unknown[] {
  return JSON.parse(readFileSync(join(SHIPPED_DIR, host, `${name}.json`), 'utf8')) as unknown[];
}

/** Writes flows.json into the user directory before a start: Node-RED deploys it when it starts. */
export function writeFlows(userDir: string, flows: readonly unknown[]): void {
  mkdirSync(userDir, { recursive: true });
  writeFileSync(join(userDir, 'flows.json'), `${JSON.stringify(flows, null, 2)}\n`);
}

export class RecordingFlowParent {
  readonly calls: RecordedCall[] = [];
  /** Node-RED's own log lines (its stdout, which FlowRuntime logs line by line). */
  readonly nodeRedLog: string[] = [];
  private runtime: FlowRuntime | null = null;
  private editorUrl = '';
  private bearer: string | null = null;

  constructor(private readonly options: RecordingFlowParentOptions) {}

  /** Starts Node-RED (our package of this host in nodesDir) and resolves once it runs the flows in flows.json. */
  async start(): Promise<void> {
    const calls: Record<string, (params: unknown) => Promise<unknown>> = {
      [AUTH_CALLS.authenticate]: async (params) => {
        const { username, password } = params as { username: string; password: string };
        return username === TEST_TECHNICIAN.username && password === TEST_TECHNICIAN.password ? technician() : null;
      },
      [AUTH_CALLS.user]: async (params) => ((params as { username: string }).username === TEST_TECHNICIAN.username ? technician() : null),
    };
    for (const [method, answer] of Object.entries(this.options.answers)) {
      calls[method] = async (params) => {
        this.calls.push({ method, params });
        return answer(params);
      };
    }
    this.runtime = new FlowRuntime({
      name: `test-${this.options.host}`,
      settings: {
        host: '127.0.0.1',
        port: 0,
        httpAdminRoot: '/',
        userDir: this.options.userDir,
        nodesDir: [join(NODES_DIR, this.options.host)],
        credentialSecret: 'a test secret of some length',
        sessionExpirySeconds: 3600,
        title: `memberkiosk ${this.options.host} (test)`,
        heartbeatMs: 1000,
      },
      calls: calls satisfies FlowCalls,
      logger: pino({ level: 'info' }, this.nodeRedLogStream()),
      // A loaded CI machine starts Node-RED slowly; the flows are not what a slow start would test.
      unresponsiveMs: 20_000,
      restartDelaysMs: [60_000],
    });
    const logged = this.nodeRedLog.length;
    this.editorUrl = await this.runtime.start();
    this.bearer = null;
    // The child is ready once Node-RED's runtime is, a moment before the flows run (RED.start() does not wait for
    // them): an event sent in between finds no node listening.
    await this.waitForNodeRedLog(/\[info\] Started flows/, logged);
  }

  /** Waits for a Node-RED log line matching `pattern` among those from index `from` on. */
  async waitForNodeRedLog(pattern: RegExp, from = 0, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.nodeRedLog.slice(from).some((line) => pattern.test(line))) {
      if (Date.now() > deadline) throw new Error(`Node-RED did not log ${String(pattern)} in ${timeoutMs} ms; its last lines: ${this.nodeRedLog.slice(-5).join(' / ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Keeps Node-RED's lines from the runtime's log (FLOW_TEST_LOG=1 also prints them, when a test needs explaining). */
  private nodeRedLogStream(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        for (const line of chunk.toString('utf8').split('\n')) {
          if (!line.trim()) continue;
          const entry = JSON.parse(line) as { nodeRed?: unknown };
          if (typeof entry.nodeRed !== 'string') continue;
          this.nodeRedLog.push(entry.nodeRed);
          if (process.env['FLOW_TEST_LOG']) process.stdout.write(`${entry.nodeRed}\n`);
        }
        callback();
      },
    });
  }

  /** The editor's address (its admin API's root). */
  get url(): string {
    return this.editorUrl;
  }

  async stop(): Promise<void> {
    await this.runtime?.stop();
    this.runtime = null;
  }

  /** Sends an event to the flows as the kiosk or hub would. */
  emit(topic: string, payload: unknown): void {
    if (!this.runtime) throw new Error('not started');
    this.runtime.emit(topic, payload);
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Waits until `method` has been called at least `count` times; returns those calls. */
  async waitForCalls(method: string, count: number, timeoutMs = 10_000): Promise<RecordedCall[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.callsTo(method).length < count) {
      if (Date.now() > deadline) {
        const got = this.calls.map((call) => call.method);
        throw new Error(`waited ${timeoutMs} ms for ${count} ${method} call(s); got ${this.callsTo(method).length}, of ${got.length} calls: ${got.slice(0, 5).join(', ')}${got.length > 5 ? ', …' : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return this.callsTo(method);
  }

  /** An admin-API token for the test technician, by Node-RED's own password grant (the editor's login). */
  async token(): Promise<string> {
    if (this.bearer) return this.bearer;
    const response = await fetch(new URL('auth/token', this.editorUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'node-red-admin', grant_type: 'password', scope: '*', username: TEST_TECHNICIAN.username, password: TEST_TECHNICIAN.password }),
    });
    if (!response.ok) throw new Error(`the editor refused the test technician's login: ${response.status} ${await response.text()}`);
    const { access_token: token } = (await response.json()) as { access_token: string };
    this.bearer = token;
    return token;
  }

  /** A request to Node-RED's admin API (path relative to the editor's root), with the technician's token. */
  async admin(path: string, init: { method?: string; headers?: Record<string, string>; json?: unknown } = {}): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.token()}`, ...init.headers };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    return fetch(new URL(path, this.editorUrl), { method: init.method ?? 'GET', headers, ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}) });
  }

  /** A value in a flow's (tab's) context, as Node-RED's admin API shows it; undefined when not set. */
  async flowContext(flowId: string, key: string): Promise<unknown> {
    const response = await this.admin(`context/flow/${encodeURIComponent(flowId)}/${encodeURIComponent(key)}?store=default`);
    if (response.status === 404) return undefined;
    // One store named: Node-RED's debug encoding of the value, format 'undefined' for none, 'string[n]' for a text,
    // JSON text for the rest.
    const shown = (await response.json()) as { msg?: string; format?: string };
    if (typeof shown.msg !== 'string' || shown.format === 'undefined') return undefined;
    return (shown.format ?? '').startsWith('string') ? shown.msg : (JSON.parse(shown.msg) as unknown);
  }
}

function technician(): EditorUser {
  return { username: TEST_TECHNICIAN.username, permissions: '*' };
}
