/**
 * The units under a real systemd (PID 1 in a systemd-nspawn container booted from this machine's own Debian,
 * on a throwaway overlay): try-units-in-container.sh runs install-kiosk.sh in it (twice) and checks that,
 * with all their hardening, the kiosk runs the compiled build, reads a serial reader, opens a printer node, reaches pcscd, the screen
 * unit's PAM session brings up cage and Chromium, and both stop cleanly. The stand-ins, named in the test's
 * title: pty pairs for the reader and the printer, no hub (the kiosk runs offline), and the screen without tty1
 * on wlroots' headless backend. Needs root (mounts, nspawn) and systemd-container, as .ci/run installs.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'try-units-in-container.sh');
// install twice, the udev rule, start, user and groups, the compiled build, serial reader, printer node, a tap,
// screen up, screen stop, PC/SC, kiosk stop
const CHECKS = 13;

describe('the units under systemd as PID 1 (systemd-nspawn)', () => {
  it('hardened kiosk with pty stand-ins for reader and printer, pcscd, headless screen: all run and stop cleanly', { timeout: 300_000 }, async () => {
    if (process.getuid?.() !== 0) throw new Error('try-units-in-container.sh mounts an overlay and boots a container: run this test as root');
    // Ended (TERM, then KILL) before the test's own timeout, so a hang shows the checks that passed and the script's
    // last words instead of a bare timeout.
    const child = spawn('timeout', ['--kill-after=10', '270', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
    const code = await new Promise<number | null>((done) => child.once('exit', (exitCode) => done(exitCode)));
    const passes = stdout.split('\n').filter((line) => line.startsWith('PASS '));
    expect(stdout.split('\n').filter((line) => line.startsWith('FAIL ')), `${stdout}\n${stderr}`).toEqual([]);
    expect(passes, stdout).toHaveLength(CHECKS);
    expect(stdout).toContain(`0 of ${CHECKS} checks failed`);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
  });
});
