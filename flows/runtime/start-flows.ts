/**
 * Switches a kiosk's or the hub's Node-RED on as its configuration says: the shipped flows it names added to the
 * user directory, the supervised child started with our nodes for that host, and the editor's login answered by the
 * host's staff accounts. A Node-RED that cannot start is logged and alerted, never a reason for the kiosk or the hub
 * not to start: members are served with or without flows.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { editorAuthCalls, type EditorLogins } from './editor-users.ts';
import { FlowRuntime, type FlowRuntimeAlert } from './flow-runtime.ts';
import { installShippedFlows, type FlowHost } from './install-shipped-flows.ts';
import { nodeRedSecret, type NodeRedConfig } from './node-red-config.ts';
import type { FlowCalls } from './protocol.ts';
import { repositoryPath } from '../../core/paths/repository-path.ts';

export function nodesDirOf(host: FlowHost): string {
  // From the repository, also when this module runs compiled (dist/): the nodes are JavaScript, not compiled.
  return repositoryPath('flows', 'nodes', host);
}

export interface StartFlowsOptions {
  host: FlowHost;
  config: NodeRedConfig;
  /** The host's data directory: Node-RED's user directory is node-red/ in it. */
  dataDir: string;
  /** The editor's header: which kiosk or hub. */
  title: string;
  /** '/' on a kiosk; the hub serves it behind its console at /node-red. */
  httpAdminRoot: string;
  logins: EditorLogins;
  calls: FlowCalls;
  /** Starts sending the host's events to `emit`; returns the function that stops (called by stop()). */
  watchEvents: (emit: (topic: string, payload: unknown) => void) => () => void;
  logger: Logger;
  onAlert: (code: FlowRuntimeAlert | 'NODE_RED_SECRET_MISSING', detail: Record<string, unknown>) => void;
}

export interface RunningFlows {
  runtime: FlowRuntime;
  /** The editor's address once Node-RED runs (after restarts if the first child failed); never rejects. */
  ready: Promise<string | null>;
  /** Stops the events, then Node-RED. */
  stop(): Promise<void>;
}

export function startFlows(options: StartFlowsOptions): RunningFlows | null {
  const { config, logger } = options;
  if (!config.enabled) return null;
  const log = logger.child({ component: `${options.host}.node-red` });
  const secret = nodeRedSecret(config);
  if (!secret) {
    log.error({ code: 'NODE_RED_SECRET_MISSING' }, 'Node-RED is switched on but has no credential secret: it stays off');
    options.onAlert('NODE_RED_SECRET_MISSING', {});
    return null;
  }
  const userDir = join(options.dataDir, 'node-red');
  mkdirSync(userDir, { recursive: true });
  try {
    const added = installShippedFlows(userDir, options.host, config.flows);
    if (added.length > 0) log.info({ added }, 'shipped flows added');
  } catch (error) {
    log.error({ err: error }, 'shipped flows could not be added; Node-RED starts with the flows it has');
  }
  const sessionMs = config.sessionHours * 3_600_000;
  const runtime = new FlowRuntime({
    name: options.host,
    settings: {
      host: config.host,
      port: config.port,
      httpAdminRoot: options.httpAdminRoot,
      userDir,
      nodesDir: [nodesDirOf(options.host)],
      credentialSecret: secret,
      sessionExpirySeconds: sessionMs / 1000,
      title: options.title,
      heartbeatMs: config.heartbeatMs,
    },
    // The editor's own calls first: no host call may shadow them.
    calls: { ...options.calls, ...editorAuthCalls(options.logins, sessionMs) },
    logger,
    onAlert: options.onAlert,
    unresponsiveMs: config.unresponsiveMs,
    maxOldSpaceMb: config.maxOldSpaceMb,
  });
  const ready = runtime.start().then(
    (url) => url,
    (error: unknown) => {
      log.error({ err: error }, 'Node-RED did not start');
      return null;
    },
  );
  const unwatch = options.watchEvents((topic, payload) => runtime.emit(topic, payload));
  return {
    runtime,
    ready,
    async stop() {
      unwatch();
      await runtime.stop();
    },
  };
}
