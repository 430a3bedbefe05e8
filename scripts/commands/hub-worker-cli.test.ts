import { describe, expect, it } from 'vitest';
import { CliProcesses } from '../../e2e/support/cli-process.ts';

describe('memberkiosk hub --worker', () => {
  it('refuses to start without --db postgres://, naming the code', async () => {
    const children = new CliProcesses();
    try {
      const refused = children.start(['hub', '--worker', 'w1', '--data', '/nonexistent-hub-dir', '--broker', 'mqtt://hub:x@127.0.0.1:1'], /never/);
      await expect(refused).rejects.toThrow(/WORKER_NEEDS_POSTGRES/);
      // --help names the flag.
      const help = children.start(['hub', '--help'], /--worker ID/);
      await expect(help).resolves.toBeDefined();
    } finally {
      await children.killAll();
    }
  });
});
