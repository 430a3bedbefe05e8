/**
 * A throwaway PostgreSQL 15 cluster for the tests (../shared/ENVIRONMENT.md "PostgreSQL"): a copy of a folder
 * initdb made once per machine (trust auth) in a temp folder, pg_ctl start on a free loopback port with the socket
 * in that folder, and one fresh database per store a test makes (CREATE DATABASE is cheap; a cluster is not), empty
 * or with the ledger's schema in it (freshMigratedPostgresDatabase).
 *
 * One cluster per test file, started on first use: a file pays a cluster's start (~0.7 s) once however many stores it makes,
 * and stops it in afterAll (stopPostgres), so the next file run by the same worker process (vitest's shared-process
 * project runs file after file in one) starts its own. Should the worker be killed first (vitest ends its forks
 * with a signal, no 'exit' event runs), a watchdog shell started with the cluster stops it and removes its folder
 * once the worker's pid is gone. initdb refuses to run as root, so under root (CI, these machines) the cluster is
 * made and run as the `postgres` user via runuser.
 * Durability is left at PostgreSQL's defaults (fsync on, synchronous_commit on): the tests and the benchmarks see
 * what production does.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { migratePostgres } from '../ledger/postgres/postgres-migrations.ts';
import { freePort } from './free-port.ts';

/** Debian's PostgreSQL binaries: 15 where it is installed (ENVIRONMENT.md), else the newest version present. */
export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(join(root, '15', 'bin', 'initdb'))) return join(root, '15', 'bin');
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb')));
  if (!found) throw new Error(`PostgreSQL not found in ${root}: apt-get install -y postgresql (.ci/run does)`);
  return found;
}

export interface PostgresCluster {
  port: number;
  /** The URL of a database of this cluster (`postgres`: the maintenance one). */
  url(database: string): string;
  /** A new, empty database; answers its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** A new database holding the ledger's schema (every migration applied) and nothing else; answers its URL. */
  createMigratedDatabase(prefix?: string): Promise<string>;
  stop(): void;
}

let shared: Promise<PostgresCluster> | null = null;
let databases = 0;

/** The process's cluster, started on first call. */
export function startPostgres(): Promise<PostgresCluster> {
  shared ??= startCluster();
  return shared;
}

/** Stops the process's cluster, if one was started (a test file's afterAll). */
export async function stopPostgres(): Promise<void> {
  const cluster = shared;
  shared = null;
  if (cluster) (await cluster).stop();
}

/** A fresh database on the process's cluster: the URL a store under test opens. */
export async function freshPostgresDatabase(prefix = 'ledger'): Promise<string> {
  return (await startPostgres()).createDatabase(prefix);
}

/**
 * A fresh database with the ledger's schema already in it, for tests of what a store does rather than of how it
 * comes to be: a copy of a template migrated once per cluster (CREATE DATABASE ... TEMPLATE), so a store opened on
 * it finds every migration applied, as a hub does at every start after its first. Migrating an empty database
 * took 0.4–0.5 s of the server's CPU per store, and the contract suites open one per test. Tests of migrating,
 * of the first start and of several workers opening one database take freshPostgresDatabase().
 */
export async function freshMigratedPostgresDatabase(prefix = 'ledger'): Promise<string> {
  return (await startPostgres()).createMigratedDatabase(prefix);
}

async function startCluster(): Promise<PostgresCluster> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'mk-postgres-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) chownSync(dir, postgresUid(), postgresGid());
  const command = (name: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, name), ...args]] : [join(bin, name), args];
  const run = (name: string, args: string[]) => {
    const done = spawnSync(...command(name, args), { encoding: 'utf8' });
    if (done.status !== 0) throw new Error(`${name} failed (${done.status}): ${done.stderr || done.stdout}`);
  };
  const data = join(dir, 'data');
  // A copy of one initdb'd folder rather than initdb each time: initdb took ~0.9 s of CPU, and a full run starts
  // some thirty clusters. The copy keeps owner and modes (PostgreSQL refuses a data folder others can read).
  const copied = spawnSync('cp', ['-a', initdbTemplate(bin, asRoot, run), data], { encoding: 'utf8' });
  if (copied.status !== 0) throw new Error(`copying the initdb template failed (${copied.status}): ${copied.stderr}`);
  // A free port may be taken by another test process between freePort() and the server's bind (seen once in a full
  // run): the start is tried again on another port, and the server's log is in the error when it keeps failing.
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, '-w', 'start']);
      break;
    } catch (error) {
      if (attempt === 3) throw new Error(`${(error as Error).message}\nserver.log:\n${readServerLog(dir)}`);
    }
  }
  const stopCommand = command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
  // The watchdog: waits for this process to go, then stops the cluster and removes its folder ("$@" is the stop command).
  const watchdog = spawn(
    'sh',
    ['-c', 'while kill -0 "$0" 2>/dev/null; do sleep 1; done; "$@" >/dev/null 2>&1; rm -rf "$DIR"', String(process.pid), stopCommand[0], ...stopCommand[1]],
    { detached: true, stdio: 'ignore', env: { ...process.env, DIR: dir } },
  );
  watchdog.unref();
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    // Stopped now, not at exit: a worker that runs many files starts many clusters, and must not gather their listeners.
    process.removeListener('exit', stop);
    try {
      if (watchdog.pid !== undefined) process.kill(watchdog.pid);
    } catch {
      // Gone already: nothing to stop.
    }
    try {
      run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  process.once('exit', stop);
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const createDatabase = async (prefix: string, template?: string) => {
    const name = `${prefix.replace(/[^a-z0-9_]/g, '_')}_${process.pid}_${++databases}`;
    const client = new pg.Client({ connectionString: url('postgres') });
    await client.connect();
    try {
      await client.query(template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return name;
  };
  // Made on first use and never connected to again: PostgreSQL copies a template only while nobody is in it.
  let migratedTemplate: Promise<string> | null = null;
  const makeMigratedTemplate = async () => {
    const name = await createDatabase('migrated_template');
    const pool = new pg.Pool({ connectionString: url(name), max: 1 });
    try {
      await migratePostgres(pool, pino({ level: 'silent' }));
    } finally {
      await pool.end();
    }
    return name;
  };
  return {
    port,
    url,
    stop,
    async createDatabase(prefix = 'ledger') {
      return url(await createDatabase(prefix));
    },
    async createMigratedDatabase(prefix = 'ledger') {
      migratedTemplate ??= makeMigratedTemplate();
      return url(await createDatabase(prefix, await migratedTemplate));
    },
  };
}

/**
 * The cluster folder every test cluster of this machine starts from, made by initdb on first use and kept in the
 * temp folder (one per PostgreSQL version and user). Made under another name and renamed into place, so that two
 * test processes starting at once never see half of one: the second to finish finds the first's and drops its own.
 */
function initdbTemplate(bin: string, asRoot: boolean, run: (name: string, args: string[]) => void): string {
  const template = join(tmpdir(), `mk-postgres-initdb-${basename(dirname(bin))}-${userInfo().uid}`);
  if (existsSync(join(template, 'PG_VERSION'))) return template;
  const staging = mkdtempSync(join(tmpdir(), 'mk-postgres-initdb-staging-'));
  if (asRoot) chownSync(staging, postgresUid(), postgresGid());
  const data = join(staging, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  try {
    renameSync(data, template);
  } catch (error) {
    if (!existsSync(join(template, 'PG_VERSION'))) throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return template;
}

function postgresUid(): number {
  return Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
}

function postgresGid(): number {
  return Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
}

function readServerLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'server.log'), 'utf8').slice(-2_000);
  } catch {
    return '(no server.log)';
  }
}
