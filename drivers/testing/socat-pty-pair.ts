import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A linked pseudo-terminal pair made by socat: bytes written to one end arrive at the other, in both
 * directions, exactly as on a null-modem cable. `driverPath` is the end the driver opens (the "kiosk side"),
 * `devicePath` the end a test plays the hardware on. stop()/start() end and restart socat on the same link
 * names, which is what unplugging and re-plugging a USB-serial reader looks like to the driver.
 */
export class SocatPtyPair {
  readonly dir: string;
  readonly driverPath: string;
  readonly devicePath: string;
  private child: ChildProcess | undefined;

  constructor(name = 'pty') {
    this.dir = mkdtempSync(join(tmpdir(), `mk-${name}-`));
    this.driverPath = join(this.dir, 'kiosk');
    this.devicePath = join(this.dir, 'device');
  }

  async start(timeoutMs = 5_000): Promise<void> {
    if (this.child) return;
    const child = spawn(
      'socat',
      [`pty,raw,echo=0,link=${this.driverPath}`, `pty,raw,echo=0,link=${this.devicePath}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    // a test runner that dies mid-test must not leave socat behind
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (e) => reject(new Error(`socat could not start (is it installed? apt-get install socat): ${e.message}`))),
    );
    const deadline = Date.now() + timeoutMs;
    const ready = (async () => {
      while (!(existsSync(this.driverPath) && existsSync(this.devicePath))) {
        if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`socat did not create ${this.driverPath} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await Promise.race([ready, spawnError]);
  }

  /** Ends socat and waits until it is gone and its links are removed. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
