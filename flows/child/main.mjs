// @ts-check
/**
 * The Node-RED child process of a kiosk or a hub (started by flows/runtime/flow-runtime.ts with an IPC channel).
 * It waits for its settings in the parent's first message, starts Node-RED on a loopback port with our nodes, the
 * editor behind the parent's staff logins, and answers the parent's heartbeat. It exits when the parent goes: a
 * Node-RED without its kiosk or hub has nothing to call.
 */
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { editorSettings } from './editor-settings.mjs';

/** @import { ChildMessage, ParentMessage, ChildSettings } from '../runtime/protocol.ts' */

const require = createRequire(import.meta.url);
/** The same module instance our nodes require (Node's module cache), so replies and events reach them. */
const bridge = /** @type {typeof import('../nodes/lib/bridge.js')} */ (require('../nodes/lib/bridge.js'));

/** @param {ChildMessage} message */
function tell(message) {
  if (process.send && process.connected) process.send(message);
}

/** @param {string} code @param {unknown} error */
function fail(code, error) {
  tell({ t: 'failed', code, message: error instanceof Error ? error.message : String(error) });
  setTimeout(() => process.exit(1), 100).unref();
}

/** @type {Promise<void> | null} */
let started = null;
/** @type {(() => Promise<void>) | null} */
let stopNodeRed = null;

/** @param {ChildSettings} settings */
async function start(settings) {
  // Loaded only now: requiring Node-RED takes about a third of a second, and the heartbeat should answer before.
  const RED = /** @type {any} */ (require('node-red'));
  const express = /** @type {any} */ (createRequire(require.resolve('node-red'))('express'));
  const app = express();
  app.disable('x-powered-by');
  const server = createServer(app);
  RED.init(server, editorSettings(settings, bridge));
  app.use(settings.httpAdminRoot, RED.httpAdmin);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve(undefined));
  });
  // RED.start() resolves before the flows run: an event sent at once would find no node listening. Ready means the
  // flows started (in safe mode they never do: then the editor being up is ready).
  const flowsStarted = settings.safeMode ? Promise.resolve() : new Promise((resolve) => RED.events.once('flows:started', () => resolve(undefined)));
  await RED.start();
  await flowsStarted;
  stopNodeRed = async () => {
    await RED.stop();
    await new Promise((resolve) => server.close(() => resolve(undefined)));
  };
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const root = settings.httpAdminRoot.endsWith('/') ? settings.httpAdminRoot : `${settings.httpAdminRoot}/`;
  tell({ t: 'ready', url: `http://${settings.host}:${port}${root}` });
}

process.on('message', (raw) => {
  const message = /** @type {ParentMessage} */ (raw);
  if (message.t === 'ping') return tell({ t: 'pong', n: message.n });
  if (message.t === 'init') {
    started ??= start(message.settings).catch((error) => fail('NODE_RED_START_FAILED', error));
    return;
  }
  bridge.receive(message);
});

// The parent went away (crashed, killed): nothing here may outlive it.
process.on('disconnect', () => process.exit(0));

process.on('SIGTERM', () => {
  const stopping = stopNodeRed ? stopNodeRed() : Promise.resolve();
  // Node-RED's own stop waits for nodes' close handlers; a stuck one must not keep the kiosk's shutdown waiting.
  const deadline = setTimeout(() => process.exit(0), 3000);
  deadline.unref();
  void stopping.then(() => process.exit(0), () => process.exit(1));
});

// A flow's stray rejection is logged by Node-RED's nodes where they catch it; one nobody caught must not kill the
// child silently, nor keep running in an unknown state: say so and let the parent restart it.
process.on('uncaughtException', (error) => fail('NODE_RED_CRASHED', error));
