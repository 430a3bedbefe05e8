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
  url(username: string, password: string): string;
  /** The dynsec admin's login. */
  adminUrl: string;
  stop(): Promise<void>;
}

export async function startMosquittoDynsec(): Promise<DynsecMosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'mk-dynsec-'));
  const port = await freePort();
  const adminPassword = 'admin-secret-for-this-test';
  const configFile = join(dir, 'dynsec.json');
  const init = spawnSync('mosquitto_ctrl', ['dynsec', 'init', configFile, 'admin', adminPassword], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`mosquitto_ctrl dynsec init failed: ${init.stderr}`);
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'set_tcp_nodelay true',
      'max_packet_size 262144',
      'allow_anonymous false',
      `plugin ${PLUGIN}`,
      `plugin_opt_config_file ${configFile}`,
      'persistence false',
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
  const url = (username: string, password: string) => `mqtt://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  return {
    port,
    url,
    adminUrl: url('admin', adminPassword),
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
