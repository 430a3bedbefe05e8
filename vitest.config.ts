import { configDefaults, defineConfig } from 'vitest/config';
import { TEST_BUILD_DIR } from './scripts/build/memberkiosk-under-test.ts';

/**
 * Files that need a process of their own, not one shared with other files: the end-to-end tests that start and
 * SIGKILL processes, brokers, clusters and Node-RED (what a file leaves behind must die with it; IN_PROCESS_E2E below
 * are the exceptions), and the files that change or read what the whole process sees.
 */
const OWN_PROCESS_E2E = ['e2e/**/*.test.ts'];
const OWN_PROCESS_OTHERS = [
  // Sets TZ for the process.
  'flows/shipped/hub-flows.test.ts',
  // Fake Date timers.
  'hub/http/retention-routes.test.ts',
  'hub/ledger/rules/deposit-day-cap.test.ts',
  // Measures the process's RSS.
  'hub/broker/embedded-broker-packet-limit.test.ts',
  // Boots a systemd-nspawn container (hung once in a full run with the process shared).
  'device/install/units-in-container.test.ts',
  // pcsclite's reader monitor outlives nfc-pcsc's close() (bin/memberkiosk.mjs).
  'drivers/card-reader/pcsc-reader.test.ts',
  'drivers/card-reader/card-reader-contract.test.ts',
  'scripts/commands/drivers-pcsc-cli.test.ts',
];
/**
 * End-to-end files whose hub and kiosks run in the test's process (startTestHub, createDevice, the screen and console
 * harnesses) and are stopped by the file itself, its browser closed in afterAll.
 */
const IN_PROCESS_E2E = [
  'e2e/kiosk-hub/{codes-and-draws,credit,external-mosquitto,kiosk-clock,member-history,receipt-qr,refund-lines}.e2e.test.ts',
  'e2e/kiosk-hub/{refusals,rules-cache,signed-config,tap-purchase,technician,upgrade}.e2e.test.ts',
  'e2e/screen/**/*.test.ts',
  'e2e/console/**/*.test.ts',
];

export default defineConfig({
  test: {
    // Many tests start real processes (a CLI run is 0.4 s alone, 2.7 s in a full run) and a hub, a kiosk and
    // Chromium (5 s alone); on CI's loaded 2 cores such a set-up took over 30 s (flow-message-screen's beforeAll,
    // config-cli's eleven CLI runs). A limit is there to name a hung test, not to time a slow machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests that spawn processes, brokers and virtual hardware contend for 2 cores; forks isolate native addons.
    pool: 'forks',
    // Three at once on CI's 2 cores (vitest's default would be one there): most files wait on sockets, timers,
    // child processes and the browser rather than compute. One at a time took the suite to 13 minutes; on one
    // machine in one hour, two took 940 s and three 812 s, every file passing (load 7–9: the cores are full now,
    // so more workers would only add waiting).
    maxWorkers: 3,
    // The HQ console web app, built once before the tests that start hubs (scripts/console/). Each project runs it,
    // one after the other: the first builds what is stale, the others find it current.
    globalSetup: ['scripts/console/vitest-global-setup.ts'],
    // The global set-up also compiles `memberkiosk` (scripts/build/memberkiosk-under-test.ts): the processes tests
    // start run it, and so do the worker threads a hub in a test's own process starts (hub/reports/worker-entry-url.ts),
    // as production runs them, without compiling every module again through tsx. MK_TEST_FROM_SOURCES=1: neither.
    env: process.env['MK_TEST_FROM_SOURCES'] === '1' ? {} : { MEMBERKIOSK_THREADS_DIST: TEST_BUILD_DIR },
    // Two projects, run together on the same two workers (own-process's files first: vitest orders by project name).
    projects: [
      {
        extends: true,
        test: { name: 'own-process', include: [...OWN_PROCESS_E2E, ...OWN_PROCESS_OTHERS], exclude: [...configDefaults.exclude, ...IN_PROCESS_E2E] },
      },
      {
        extends: true,
        test: {
          name: 'shared-process',
          include: ['{core,device,drivers,hub,flows,scripts}/**/*.test.ts', ...IN_PROCESS_E2E],
          exclude: [...configDefaults.exclude, ...OWN_PROCESS_OTHERS],
          // One process runs file after file (isolate: false): a fresh process per file imported the hub's module
          // graph again each time, which took longer than most of these files' tests (hub/http, hub/ingest and
          // hub/automation, 48 files: 94 s of wall time isolated, 56 s not, on 2 cores). Each file still cleans up
          // after itself: its hubs, servers, browsers, temp folders and PostgreSQL cluster (stopPostgres) are its own.
          isolate: false,
        },
      },
    ],
  },
});
