import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,device,drivers,hub,flows,scripts,e2e}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests that spawn processes, brokers and virtual hardware contend for 2 cores; forks isolate native addons.
    pool: 'forks',
    // Two at once on CI's 2 cores (vitest's default would be one there): most files wait on sockets, timers and
    // the browser rather than compute, and one at a time took the suite to 13 minutes; two take about 8.
    maxWorkers: 2,
    // The HQ console web app, built once before the tests that start hubs (scripts/console/).
    globalSetup: ['scripts/console/vitest-global-setup.ts'],
  },
});
