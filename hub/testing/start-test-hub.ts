/** A real hub (embedded aedes on a free port, SQLite in a temp folder) for tests and benchmarks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createHub, type Hub, type HubConfig } from '../main.ts';

export interface TestHub {
  hub: Hub;
  brokerUrl: string;
  dataDir: string;
  /** Stops the hub and deletes its data. */
  dispose(): Promise<void>;
}

export async function startTestHub(overrides: Partial<HubConfig> = {}): Promise<TestHub> {
  const dataDir = overrides.dataDir ?? mkdtempSync(join(tmpdir(), 'mk-hub-'));
  const hub = createHub(
    { dataDir, broker: { mode: 'embedded', host: '127.0.0.1', port: 0 }, seedDemoData: true, logLevel: 'silent', ...overrides },
    pino({ level: process.env.MK_TEST_LOG ?? 'silent' }),
  );
  const { brokerUrl } = await hub.start();
  return {
    hub,
    brokerUrl,
    dataDir,
    async dispose() {
      await hub.stop();
      if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
