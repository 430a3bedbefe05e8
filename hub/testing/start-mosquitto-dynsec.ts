/**
 * A real Mosquitto with the dynamic security plugin for tests: its config file made with
 * `mosquitto_ctrl dynsec init` (one admin account), a free loopback port, anonymous clients refused. Every other
 * account is made through the plugin's control topic (hub/broker/mosquitto-dynsec-accounts.ts).
 *
 * With `dir` the caller owns the broker's folder: a broker started again on the same `dir` (and `port`) keeps the
 * plugin's config file, so every account made through the plugin survives (the soak's broker restarts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './start-mosquitto.ts';

const MOSQUITTO = '/usr/sbin/mosquitto';
const PLUGIN = '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

export interface DynsecMosquitto {
  port: number;
  /** Stops the broker and starts it again on the same port and accounts; `stopped` runs in between. */
  restart(stopped?: () => void): Promise<void>;
  /** mqtts:// with a TLS listener, mqtt:// without. */
  url(username: string, password: string): string;
  /** The dynsec admin's login. */
  adminUrl: string;
  /** Stops the broker; removes its folder unless the caller gave it (`dir`). */
  stop(): Promise<void>;
}

export interface DynsecMosquittoOptions {
  /** A TLS listener with this certificate (chain) and key instead of a plain one. */
  tls?: { certPem: string; keyPem: string };
  /** No dynsec plugin, anonymous clients allowed: the unauthenticated baseline of the reconnect-storm benchmark. */
  anonymous?: boolean;
  /** Listen on this port; a free one by default. */
  port?: number;
  /**
   * The broker's folder (config, certificate, the plugin's dynsec.json), kept on stop(); a temp folder removed on
   * stop() by default. A dynsec.json already there is used as it is (its accounts kept), not initialised again.
   */
  dir?: string;
  /** The dynsec admin's password when the config file is made; default a fixed test password. */
  adminPassword?: string;
  /** Mosquitto's own log (stderr) is appended here; by default it is only shown when it fails to start. */
  logFile?: string;
}

export async function startMosquittoDynsec(options: DynsecMosquittoOptions = {}): Promise<DynsecMosquitto> {
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mk-dynsec-'));
  if (!ownsDir) mkdirSync(dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const adminPassword = options.adminPassword ?? 'admin-secret-for-this-test';
  const configFile = join(dir, 'dynsec.json');
  if (!existsSync(configFile)) {
    const init = spawnSync('mosquitto_ctrl', ['dynsec', 'init', configFile, 'admin', adminPassword], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`mosquitto_ctrl dynsec init failed: ${init.stderr}`);
  }
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
  const removeDir = () => {
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
  };
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (options.logFile) appendFileSync(options.logFile, chunk);
    });
    try {
      await waitForPort(port, 5_000);
    } catch (error) {
      child.kill('SIGKILL');
      removeDir();
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
  const scheme = options.tls ? 'mqtts' : 'mqtt';
  const url = (username: string, password: string) => `${scheme}://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
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
      removeDir();
    },
  };
}
