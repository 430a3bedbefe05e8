/**
 * PostgreSQL's own client programs (pg_dump, pg_restore) run for a backup or a restore of a hub on `--db
 * postgres://…`, and how they are told which database.
 *
 * The connection goes to them in libpq's environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE,
 * PGSSLMODE…), never as a URL argument: a password in the URL would otherwise show in `ps` for as long as a
 * dump runs. The programs are found on PATH (Debian's pg_wrapper picks the newest installed version, which is
 * what a dump of an older server needs) unless a folder is named (`--pg-bin`, e.g. /usr/lib/postgresql/15/bin).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CodedError } from '../../core/errors/coded-error.ts';

/** URL query parameters with a libpq variable of their own; any other is refused rather than silently dropped. */
const QUERY_TO_ENV: Readonly<Record<string, string>> = {
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  application_name: 'PGAPPNAME',
  connect_timeout: 'PGCONNECT_TIMEOUT',
};

export interface PostgresTarget {
  url: string;
  /** The URL as logs and output may show it: the password, if any, as ***. */
  shown: string;
  /** The database's name. */
  database: string;
  /** libpq's variables for the programs; a password only when the URL has one (else PGPASSWORD or ~/.pgpass apply). */
  env: Record<string, string>;
}

/** The target of a `--db` URL, or what is wrong with it. */
export function postgresTarget(url: string): PostgresTarget | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${url} is not a URL (postgres://USER@HOST:PORT/DATABASE)`;
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') return `a postgres:// URL is needed, not ${parsed.protocol}`;
  if (!parsed.hostname) return 'the URL names no host (postgres://USER@HOST:PORT/DATABASE)';
  const database = decodeURIComponent(parsed.pathname.slice(1));
  if (!database || database.includes('/')) return 'the URL names no database (postgres://USER@HOST:PORT/DATABASE)';
  const env: Record<string, string> = { PGHOST: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), PGDATABASE: database };
  if (parsed.port) env.PGPORT = parsed.port;
  if (parsed.username) env.PGUSER = decodeURIComponent(parsed.username);
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  for (const [key, value] of parsed.searchParams) {
    const name = QUERY_TO_ENV[key];
    if (!name) return `the URL's parameter ${key} is not one a backup can pass on (${Object.keys(QUERY_TO_ENV).join(', ')})`;
    env[name] = value;
  }
  const shownUrl = new URL(url);
  if (shownUrl.password) shownUrl.password = '***';
  return { url, shown: shownUrl.toString(), database, env };
}

/** The same server, another database (the maintenance database `postgres`, or a restore's new one). */
export function otherDatabaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export interface ToolRun {
  stdout: string;
  stderr: string;
}

/**
 * Runs one of PostgreSQL's programs to its end; BACKUP_PG_TOOL_FAILED with its own words when it cannot start
 * or exits non-zero. `env` is added to this process's environment (PGPASSWORD from there still applies).
 */
export function runPostgresTool(pgBin: string | undefined, program: 'pg_dump' | 'pg_restore', args: string[], env: Record<string, string> = {}): Promise<ToolRun> {
  const command = pgBin ? join(pgBin, program) : program;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => reject(new CodedError('BACKUP_PG_TOOL_FAILED', `${command} could not be started (${(error as { code?: string }).code ?? error.message}): install PostgreSQL's client programs or give --pg-bin`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else reject(new CodedError('BACKUP_PG_TOOL_FAILED', `${program} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(0, 5).join(' / ') || 'no message'}`));
    });
  });
}

/** `pg_dump --version` (or pg_restore's), e.g. "pg_dump (PostgreSQL) 15.10 (Debian 15.10-0+deb12u1)". */
export async function toolVersion(pgBin: string | undefined, program: 'pg_dump' | 'pg_restore'): Promise<string> {
  return (await runPostgresTool(pgBin, program, ['--version'])).stdout.trim();
}
