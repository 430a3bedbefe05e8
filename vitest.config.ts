import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{core,device,drivers,hub,flows,scripts,e2e}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests that spawn processes, brokers and virtual hardware contend for 2 cores; forks isolate native addons.
    pool: 'forks',
    // The HQ console web app, built once before the tests that start hubs (scripts/console/).
    globalSetup: ['scripts/console/vitest-global-setup.ts'],
  },
});
