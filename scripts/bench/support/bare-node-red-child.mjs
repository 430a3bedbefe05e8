// @ts-check
/**
 * The baseline of the kiosk-footprint benchmark's Node-RED figures: Node-RED as it comes, in a plain child process
 * — required, initialised with an empty user directory (argv[2]), no nodesDir (none of our nodes), no flows, its
 * editor served on loopback the way our child serves it (flows/child/main.mjs), then RED.start(). It prints
 * `ready <editor url>` once started and runs until it is killed. Plain JavaScript: no TypeScript loader in it.
 */
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const userDir = process.argv[2];
if (!userDir) throw new Error('usage: node bare-node-red-child.mjs USER_DIR');
const require = createRequire(import.meta.url);
const RED = /** @type {any} */ (require('node-red'));
const express = /** @type {any} */ (createRequire(require.resolve('node-red'))('express'));
const app = express();
const server = createServer(app);
RED.init(server, {
  userDir,
  httpAdminRoot: '/',
  httpNodeRoot: false,
  httpStatic: false,
  credentialSecret: 'bench-bare-node-red-secret',
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  editorTheme: { tours: false, projects: { enabled: false } },
});
app.use('/', RED.httpAdmin);
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve(undefined));
});
await RED.start();
const address = server.address();
process.stdout.write(`ready http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/\n`);
