/**
 * The folder table of docs/ARCHITECTURE.md as lint rules: who may import whom. eslint.config.js applies them,
 * and scripts/lint/boundaries.test.ts lints probe imports with them to show each boundary holds.
 *
 *   core/     pure domain code: nothing outside core, no I/O modules
 *   drivers/  hardware: core only
 *   device/   one kiosk: core and drivers, never hub/
 *   hub/      the authoritative process: core only, never device/ or drivers/
 *   flows/    Node-RED: the supervisor device/ and hub/ use (runtime/), the child and our nodes: core only, never
 *             device/ or hub/ (a flow reaches them through the calls they offer, nothing else)
 *   e2e/      the one place that imports both device/ and hub/ (cross-process tests, the simulation)
 *   scripts/  the CLI, benchmarks, the soak: anything
 */
const folder = (name) => ({ group: [`**/${name}/**`, `${name}/**`], message: `this folder may not import ${name}/ (docs/ARCHITECTURE.md, folder table)` });
const ioModules = ['node:fs', 'node:fs/promises', 'node:net', 'node:child_process', 'node:http', 'node:worker_threads', 'better-sqlite3', 'mqtt', 'aedes', 'fastify', 'pino', 'serialport'].map((name) => ({
  name,
  message: 'core/ is pure: no I/O (docs/ARCHITECTURE.md)',
}));

const restrict = (patterns, paths = []) => ({ 'no-restricted-imports': ['error', { patterns, paths }] });

export const boundaries = [
  { files: ['core/**/*.ts'], rules: restrict([folder('device'), folder('hub'), folder('drivers'), folder('scripts'), folder('e2e')]) },
  // Tests in core may read their fixture files.
  { files: ['core/**/*.ts'], ignores: ['**/*.test.ts', '**/test-support/**'], rules: restrict([folder('device'), folder('hub'), folder('drivers'), folder('scripts'), folder('e2e')], ioModules) },
  { files: ['drivers/**/*.ts'], rules: restrict([folder('device'), folder('hub'), folder('scripts'), folder('e2e')]) },
  { files: ['device/**/*.ts'], rules: restrict([folder('hub'), folder('scripts'), folder('e2e')]) },
  { files: ['hub/**/*.ts'], rules: restrict([folder('device'), folder('drivers'), folder('scripts'), folder('e2e')]) },
  { files: ['flows/**/*.ts', 'flows/**/*.js', 'flows/**/*.mjs'], rules: restrict([folder('device'), folder('hub'), folder('drivers'), folder('scripts'), folder('e2e')]) },
];
