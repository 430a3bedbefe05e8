import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';

/** Runs the real `memberkiosk` entry point as a user would, in its own process. */
function memberkiosk(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['bin/memberkiosk.mjs', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the memberkiosk command (real processes)', () => {
  it('lists its subcommands and refuses an unknown one with exit code 2', () => {
    const help = memberkiosk('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/demo[\s\S]*hub[\s\S]*device[\s\S]*rules[\s\S]*drivers[\s\S]*bench/);
    const unknown = memberkiosk('teleport');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'teleport'");
  });

  it('checks rules bundles: exit 0 for a valid one, exit 1 with each issue named by path for a bad one', () => {
    const valid = memberkiosk('rules', 'check', 'core/rules/examples/chain-demo.json');
    expect(valid.code).toBe(0);
    expect(valid.stdout).toContain('valid');
    const temp = makeTempDir('mk-cli-');
    try {
      const bad = join(temp.dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ version: 0, rules: [{ kind: 'nope' }] }));
      const invalid = memberkiosk('rules', 'check', bad);
      expect(invalid.code).toBe(1);
      expect(invalid.stdout).toMatch(/version: /);
      expect(invalid.stdout).toMatch(/rules\.0\.kind: /);
    } finally {
      temp.cleanup();
    }
  });

  it('evaluates a basket against a bundle and prints the result with its trace as JSON', () => {
    const out = memberkiosk('rules', 'eval', 'core/rules/examples/chain-demo.json', 'core/rules/examples/baskets/gold-christmas.json');
    expect(out.code).toBe(0);
    const parsed = JSON.parse(out.stdout) as { kind: string; result: { pointsEarned: number; trace: unknown[] } };
    expect(parsed.kind).toBe('purchase');
    expect(Number.isInteger(parsed.result.pointsEarned)).toBe(true);
    expect(parsed.result.trace.length).toBeGreaterThan(0);
  });

  it('lists PC/SC readers through the real pcscd and exits by itself', () => {
    const started = Date.now();
    const out = memberkiosk('drivers', 'list');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Virtual PCD 00 00');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('refuses to audit a ledger that does not exist', () => {
    const out = memberkiosk('audit', '--data', '/nonexistent/memberkiosk');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('no ledger');
  });

  it('npm start says which port is taken instead of failing with a stack trace', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    const temp = makeTempDir('mk-demo-');
    try {
      const child = spawn(process.execPath, ['bin/memberkiosk.mjs', 'demo', '--data', temp.dir, '--mqtt-port', String(port), '--hub-port', '0', '--kiosk-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr).toContain(`MQTT port ${port}`);
      expect(stderr).toContain('--mqtt-port');
    } finally {
      blocker.close();
      temp.cleanup();
    }
  });
});
