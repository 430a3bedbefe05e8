import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { ensurePcscd } from '../../drivers/testing/pcscd.ts';
import { lockVirtualReader } from '../../drivers/testing/virtual-reader-lock.ts';
import { VirtualVpcdCard } from '../../drivers/testing/virtual-vpcd-card.ts';
import { memberkioskProcess } from '../build/memberkiosk-under-test.ts';

/**
 * `memberkiosk drivers list` and `drivers watch --pcsc` as a technician runs them, against the real pcscd and a
 * vsmartcard virtual card that fails to read (answers GET UID with 6A 81): the commands report it as a coded
 * line and carry on, instead of dying on nfc-pcsc's unhandled reader 'error'.
 */
const READER = 'Virtual PCD 00 00';
const VPCD_PORT = 35963;
const STACK_LINE = /\n\s+at /;

function runCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const command = memberkioskProcess(args, env);
  const child = spawn(process.execPath, command.args, { stdio: ['ignore', 'pipe', 'pipe'], env: command.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('memberkiosk drivers with a card that fails to read (real pcscd + vpcd, real processes)', () => {
  let releaseReader: (() => void) | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  beforeAll(async () => {
    await ensurePcscd();
    // drivers/card-reader/pcsc-reader.test.ts presents its cards on the same reader
    releaseReader = await lockVirtualReader(VPCD_PORT);
  });
  afterAll(() => releaseReader?.());
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()!();
  });

  function failingCard(): VirtualVpcdCard {
    const card = new VirtualVpcdCard({ uid: '04BAD00000CAFE', port: VPCD_PORT, getUid: { statusWord: [0x6a, 0x81] } });
    cleanups.push(() => card.remove());
    return card;
  }

  it('list names the reader, reports the failed read as a coded line and exits 0', async () => {
    const card = failingCard();
    await card.insert();
    await card.waitForPowerUp();
    const out = await runCli(['drivers', 'list']).done;
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`  ${READER}\n    card on this reader failed to read: Could not get card UID. (DRIVER_PCSC_READER_ERROR)\n`);
    expect(out.stderr).not.toMatch(STACK_LINE);
  });

  it('watch reports the failed read as a coded line, keeps watching, and prints the next good tap', async () => {
    const watch = runCli(['drivers', 'watch', '--pcsc', '--reader', READER, '--count', '1', '--timeout', '20']);
    cleanups.push(async () => {
      if (watch.child.exitCode === null) watch.child.kill('SIGKILL');
      await watch.done;
    });
    await until(() => watch.stderr().includes('reader connected'), 'the watch to attach its reader');
    const bad = failingCard();
    await bad.insert();
    await until(() => /error DRIVER_PCSC_READER_ERROR: Virtual PCD 00 00: Could not get card UID\./.test(watch.stdout()), 'the coded error line');
    expect(watch.child.exitCode).toBeNull();
    await bad.remove();
    // vpcd shows a new card only once pcscd has seen the last one go, which nothing here reports: present it again until it taps
    for (let attempt = 0; attempt < 5 && !watch.stdout().includes('card 04600D0000CAFE'); attempt += 1) {
      const good = new VirtualVpcdCard({ uid: '04600D0000CAFE', port: VPCD_PORT });
      cleanups.push(() => good.remove());
      await good.insert();
      await until(() => watch.stdout().includes('card 04600D0000CAFE'), 'the tap', 1_200).catch(() => good.remove());
    }
    const result = await watch.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/card 04600D0000CAFE/g)).toHaveLength(1);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('list says PC/SC is unavailable in one coded line and exits 3 when nfc-pcsc cannot be loaded', () => {
    // The optional dependency missing, as on a kiosk installed without libpcsclite-dev: resolving it fails the
    // way Node fails it for a package that is not there.
    const temp = makeTempDir('mk-no-nfc-');
    cleanups.push(temp.cleanup);
    const preload = join(temp.dir, 'without-nfc-pcsc.cjs');
    writeFileSync(
      preload,
      `const Module = require('node:module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'nfc-pcsc') throw Object.assign(new Error("Cannot find module 'nfc-pcsc'\\nRequire stack:\\n- " + __filename), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
`,
    );
    const out = spawnSync(process.execPath, ['bin/memberkiosk.mjs', 'drivers', 'list'], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, NODE_OPTIONS: `--require ${preload}` },
    });
    expect(out.status, out.stderr).toBe(3);
    expect(out.stdout).toMatch(/^serial ports \(\d+\):/);
    expect(out.stdout).toContain("PC/SC readers: unavailable — nfc-pcsc cannot be loaded (installed without libpcsclite-dev?): Cannot find module 'nfc-pcsc' (DRIVER_PCSC_UNAVAILABLE)\n");
    expect(out.stdout).not.toContain('Require stack');
    expect(`${out.stdout}${out.stderr}`).not.toMatch(STACK_LINE);
  });
});
