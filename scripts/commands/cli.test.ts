import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { memberkiosk, memberkioskAsync } from './test-support/run-memberkiosk.ts';

const COMMANDS = ['demo', 'hub', 'device', 'audit', 'rules', 'drivers', 'bench', 'keys', 'regions', 'stores', 'enrol', 'provision', 'devices', 'config', 'codes', 'draws'];
const STACK_LINE = /\n\s+at /;

describe('the memberkiosk command (real processes)', () => {
  it('lists its subcommands and refuses an unknown one with exit code 2', () => {
    const help = memberkiosk('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/demo[\s\S]*hub[\s\S]*device[\s\S]*rules[\s\S]*drivers[\s\S]*bench/);
    const unknown = memberkiosk('teleport');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'teleport'");
  });

  it('answers --help for every command and subcommand with its usage on stdout and exit 0', async () => {
    const asked = [
      ...COMMANDS.map((c) => [c, '--help']),
      ['audit', '-h'],
      ['help', 'hub'],
      ['drivers', 'list', '--help'],
      ['drivers', 'watch', '--help'],
      ['drivers', 'test-print', '--help'],
      ['rules', 'check', '--help'],
    ];
    const answers = await Promise.all(asked.map((args) => memberkioskAsync(...args)));
    for (const a of answers) {
      const command = a.args[0] === 'help' ? a.args[1] : a.args[0];
      expect({ args: a.args, code: a.code, stderr: a.stderr }).toEqual({ args: a.args, code: 0, stderr: '' });
      expect(a.stdout, a.args.join(' ')).toMatch(new RegExp(`^usage: memberkiosk ${command} `));
    }
  });

  it('refuses an unknown flag of every command with one line and the usage on stderr, exit 2, never a stack trace', async () => {
    const asked = [
      ...COMMANDS.map((c) => [c, '--no-such-flag']),
      ['drivers', 'watch', '--pcsc', '--no-such-flag'],
      ['drivers', 'test-print', '--no-such-flag'],
      ['rules', 'check', 'core/rules/examples/chain-demo.json', '--no-such-flag'],
      ['hub', '--http-port'], // a value missing is a bad flag too
    ];
    const answers = await Promise.all(asked.map((args) => memberkioskAsync(...args)));
    for (const a of answers) {
      const [first, second] = a.stderr.split('\n');
      expect({ args: a.args, code: a.code, stdout: a.stdout }).toEqual({ args: a.args, code: 2, stdout: '' });
      expect(first, a.args.join(' ')).toMatch(new RegExp(`^memberkiosk ${a.args[0]}( [a-z-]+)?: .*(--no-such-flag|--http-port)`));
      expect(second, a.args.join(' ')).toMatch(new RegExp(`^usage: memberkiosk ${a.args[0]} `));
      expect(a.stderr, a.args.join(' ')).not.toMatch(STACK_LINE);
    }
  });

  it('says what is missing when a command is run without what it needs, exit 2', async () => {
    const answers = await Promise.all([
      memberkioskAsync(),
      memberkioskAsync('drivers', 'watch'),
      memberkioskAsync('rules', 'check'),
      memberkioskAsync('device', '--id', 'kiosk-1'),
      memberkioskAsync('demo', '--mqtt-port', 'eighteen'),
      memberkioskAsync('hub', '--http-port', 'x'),
    ]);
    for (const a of answers) {
      expect({ args: a.args, code: a.code, stdout: a.stdout }).toEqual({ args: a.args, code: 2, stdout: '' });
      expect(a.stderr, a.args.join(' ')).toMatch(/^memberkiosk[^\n]*: [^\n]+\n(usage: memberkiosk )/);
      expect(a.stderr, a.args.join(' ')).not.toMatch(STACK_LINE);
    }
  });

  it('bench --help prints its usage and leaves the last results alone', async () => {
    const results = 'bench/results.json';
    const before = existsSync(results) ? statSync(results).mtimeMs : null;
    const out = await memberkioskAsync('bench', '--help');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('usage: memberkiosk bench');
    expect(existsSync(results) ? statSync(results).mtimeMs : null).toBe(before);
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
