/**
 * A real Mosquitto broker for the external-broker tests: its own config, password file and ACL in a temp
 * folder, on a free loopback port, configured as docs/OPERATIONS.md tells an operator to (TCP_NODELAY, the
 * hub may do everything, each device only its own namespace).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { freePort } from './free-port.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface MosquittoBroker {
  port: number;
  url(username: string, password: string): string;
  stop(): Promise<void>;
}

const MOSQUITTO = '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
export { freePort } from './free-port.ts';

export async function waitForPort(port: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${port} within ${deadlineMs} ms`);
}

export interface StartMosquittoOptions {
  /** Listen on this port (a test that starts a client before its broker knows the port in advance); a free one by default. */
  port?: number;
}

/** users: name → password. The user named "hub" gets every topic; every other user is a device whose username is its device id. */
export async function startMosquitto(users: Record<string, string>, options: StartMosquittoOptions = {}): Promise<MosquittoBroker> {
  if (!existsSync(MOSQUITTO)) throw new Error(`Mosquitto not found at ${MOSQUITTO}: apt-get install -y mosquitto (.ci/run does)`);
  const dir = mkdtempSync(join(tmpdir(), 'mk-mosquitto-'));
  const port = options.port ?? (await freePort());
  const passwordFile = join(dir, 'passwd');
  writeFileSync(passwordFile, '');
  for (const [user, password] of Object.entries(users)) {
    const made = spawnSync(MOSQUITTO_PASSWD, ['-b', passwordFile, user, password], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
  }
  writeFileSync(
    join(dir, 'acl'),
    // The ACL docs/OPERATIONS.md gives operators, line for line.
    [
      'user hub',
      'topic readwrite memberkiosk/#',
      '',
      ...['tx', 'request/+', 'state', 'availability'].map((t) => `pattern write memberkiosk/v1/devices/%u/${t}`),
      'pattern read memberkiosk/v1/devices/%u/tx/result',
      'pattern read memberkiosk/v1/devices/%u/response/+',
      'pattern read memberkiosk/v1/devices/%u/command',
      'pattern read memberkiosk/v1/hub/availability',
      ...['global', 'global/#', 'device/%u', 'device/%u/#'].map((scope) => `pattern read memberkiosk/v1/config/${scope}`),
      '',
    ].join('\n'),
  );
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'set_tcp_nodelay true',
      'max_packet_size 262144',
      'allow_anonymous false',
      'use_username_as_clientid true',
      `password_file ${passwordFile}`,
      `acl_file ${join(dir, 'acl')}`,
      'persistence false',
      // As root Mosquitto would drop to user "mosquitto", who cannot read this temp folder.
      'user root',
      'log_dest stderr',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForPort(port, 5_000);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    port,
    url: (username, password) => `mqtt://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
