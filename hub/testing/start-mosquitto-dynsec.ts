/**
 * A real Mosquitto with the dynamic security plugin for tests: its config file made with
 * `mosquitto_ctrl dynsec init` (one admin account), a free loopback port, anonymous clients refused. Every other
 * account is made through the plugin's control topic (hub/broker/mosquitto-dynsec-accounts.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './start-mosquitto.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';
const PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

export interface DynsecMosquitto {
  port: number;
  /** Stops the broker and starts it again on the same port and accounts; `stopped` runs in between. */
  restart(stopped?: () => void): Promise<void>;
  url(username: string, password: string): string;
  /** The dynsec admin's login. */
  adminUrl: string;
  stop(): Promise<void>;
}

export interface DynsecMosquittoOptions {
  /** A TLS listener with this certificate (chain) and key instead of a plain one. */
  tls?: { certPem: string; keyPem: string };
  /** No dynsec plugin, anonymous clients allowed: the unauthenticated baseline of the reconnect-storm benchmark. */
  anonymous?: boolean;
}

export async function startMosquittoDynsec(options: DynsecMosquittoOptions = {}): Promise<DynsecMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-dynsec-'));
  const port = await freePort();
  const adminPassword = 'admin-secret-for-this-test';
  const configFile = join(dir, 'dynsec.json');
  const init = spawnSync('mosquitto_ctrl', ['dynsec', 'init', configFile, 'admin', adminPassword], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`mosquitto_ctrl dynsec init failed: ${init.stderr}`);
  const config = join(dir, 'mosquitto.conf');
  if (options.tls) {
    writeFileSync(join(dir, 'server.crt'), options.tls.certPem);
    writeFileSync(join(dir, 'server.key'), options.tls.keyPem, { mode: 0o600 });
  }
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      ...(options.tls ? [`certfile ${join(dir, 'server.crt')}`, `keyfile ${join(dir, 'server.key')}`] : []),
      'set_tcp_nodelay true',
      'max_packet_size 262144',
      ...(options.anonymous ? ['allow_anonymous true'] : ['allow_anonymous false', `plugin ${PLUGIN}`, `plugin_opt_config_file ${configFile}`]),
      'persistence false',
      'user root',
      'log_dest stderr',
      '',
    ].join('\n'),
  );
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitForPort(port, 5_000);
    } catch (error) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`${(error as Error).message}\n${stderr}`);
    }
  };
  const halt = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  await launch();
  const url = (username: string, password: string) => `mqtt://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  return {
    port,
    url,
    adminUrl: url('admin', adminPassword),
    async restart(stopped) {
      await halt();
      stopped?.();
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
