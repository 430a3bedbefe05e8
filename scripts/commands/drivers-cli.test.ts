import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTcpPrinter } from '../../drivers/testing/fake-printer.ts';
import { SocatPtyPair } from '../../drivers/testing/socat-pty-pair.ts';
import { memberkioskProcess } from '../build/memberkiosk-under-test.ts';

/** The technician commands as a technician runs them: real processes against virtual hardware. */
function runCli(args: string[]): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; stdout: () => string } {
  const command = memberkioskProcess(args);
  const child = spawn(process.execPath, command.args, { stdio: ['ignore', 'pipe', 'pipe'], env: command.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  return { done, stdout: () => stdout };
}

describe('memberkiosk drivers watch / test-print (virtual hardware)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('watch prints each tap a serial reader on a pty reports, then stops after --count', async () => {
    const pty = new SocatPtyPair('watch');
    await pty.start();
    cleanups.push(() => pty.stop());
    const watch = runCli(['drivers', 'watch', '--port', pty.driverPath, '--count', '1', '--timeout', '20']);
    // Until the command has opened its port, lines written to the far end are lost: keep presenting the card
    // (a held card) until the tap shows; the driver turns the repeats into one tap.
    const deadline = Date.now() + 15_000;
    while (!watch.stdout().includes('card 04A1B2C3D4') && Date.now() < deadline) {
      writeFileSync(pty.devicePath, '04a1b2c3d4\r\n');
      await new Promise((r) => setTimeout(r, 100));
    }
    const result = await watch.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/card 04A1B2C3D4/g)).toHaveLength(1);
  });

  it('watch takes the registry forms too: --reader serial:PATH with the serial model\'s --framing', async () => {
    const pty = new SocatPtyPair('watch-form');
    await pty.start();
    cleanups.push(() => pty.stop());
    const watch = runCli(['drivers', 'watch', '--reader', `serial:${pty.driverPath}`, '--framing', 'lines', '--delimiter', 'cr', '--count', '1', '--timeout', '20']);
    const deadline = Date.now() + 15_000;
    while (!watch.stdout().includes('card 04A1B2C3D5') && Date.now() < deadline) {
      writeFileSync(pty.devicePath, '04a1b2c3d5\r');
      await new Promise((r) => setTimeout(r, 100));
    }
    const result = await watch.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.match(/card 04A1B2C3D5/g)).toHaveLength(1);
  });

  it('test-print takes the registry forms too: --printer tcp:HOST:PORT', async () => {
    const printer = new FakeTcpPrinter();
    await printer.listen();
    cleanups.push(() => printer.close());
    const print = runCli(['drivers', 'test-print', '--printer', `tcp:127.0.0.1:${printer.port}`, '--lang', 'en']);
    await printer.waitForCut(1, 15_000);
    const result = await print.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`queued on tcp://127.0.0.1:${printer.port}`);
    expect(result.stdout).toContain('printed');
  });

  it('test-print prints a receipt on a network printer and says so', async () => {
    const printer = new FakeTcpPrinter();
    await printer.listen();
    cleanups.push(() => printer.close());
    const print = runCli(['drivers', 'test-print', '--tcp', `127.0.0.1:${printer.port}`, '--lang', 'en', '--width', '80']);
    await printer.waitForCut(1, 15_000);
    const result = await print.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('printed');
    expect(printer.received.length).toBeGreaterThan(100);
  });
});
