/**
 * `memberkiosk backup`: a consistent copy of a single-node hub's data directory while the hub runs.
 *
 * - SQLite databases (ledger.sqlite, fleet.sqlite, any other found by its header) through SQLite's online backup
 *   (copy-sqlite-online.ts): each is one consistent snapshot; their -wal/-shm/-journal are never copied.
 * - Every other regular file (tls/ keys and certificates, the config signing key and its certificate, hq-root.pub,
 *   node-red/ flows and credentials…) byte for byte, with its permission bits.
 * - manifest.json last (backup-manifest.ts): sizes, SHA-256s, modes, and the ledger's transaction count.
 *
 * The ledger is copied before the fleet, on purpose: the two files are separate snapshots a few moments apart, and
 * a ledger older than the fleet can only lack things the fleet knows (a kiosk enrolled, a configuration signed),
 * never name a kiosk or a signed snapshot the restored fleet has never heard of.
 *
 * A hub on PostgreSQL (`postgres` given): its database is dumped first, whole, into POSTGRES_DUMP_FILE
 * (take-postgres-dump.ts), for the same reason; then the data directory as above (keys, TLS, node-red/, and any
 * SQLite database still there), with no ledger.sqlite required.
 */
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { AuditFinding } from '../../hub/ledger/ledger-store.ts';
import { BACKUP_FORMAT, isSafeRelativePath, readManifest, sha256File, writeManifest, type BackupFileEntry, type BackupManifest } from './backup-manifest.ts';
import { copySqliteOnline, describeLedgerCopy } from './copy-sqlite-online.ts';
import { fsyncPath } from './durable-files.ts';
import type { PostgresTarget } from './postgres-tools.ts';
import { databaseOfSideFile, isSqliteDatabase } from './sqlite-files.ts';
import { takePostgresDump } from './take-postgres-dump.ts';

/** Where a PostgreSQL hub's database goes in the backup folder. */
export const POSTGRES_DUMP_FILE = 'postgres-database.pgdump';

export interface PostgresSource {
  target: PostgresTarget;
  /** The ledger's journal audit (the caller opens the ledger on the database, as `memberkiosk audit` does). */
  audit: () => Promise<AuditFinding[]>;
  /** Folder of pg_dump; PATH otherwise. */
  pgBin?: string;
}

/** How many of the audit's differences the manifest keeps word for word (it keeps the count of all). */
const AUDIT_FINDINGS_KEPT = 20;

export interface TakeBackupOptions {
  /** The hub's data directory. */
  dataDir: string;
  /** A path that does not exist yet (the backup folder is made there), or an existing folder (it gets a new one). */
  out: string;
  /** For the folder name; the clock otherwise. */
  now?: () => Date;
  /** The hub's ledger is this PostgreSQL database (memberkiosk hub --db), not DATA/ledger.sqlite. */
  postgres?: PostgresSource;
}

export interface TakenBackup {
  /** The backup folder written. */
  dir: string;
  manifest: BackupManifest;
}

/** The first of these are copied first and in this order (see above); other databases after them. */
const DATABASE_ORDER = ['ledger.sqlite', 'fleet.sqlite'];

export async function takeBackup(options: TakeBackupOptions): Promise<TakenBackup> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const dataDir = resolve(options.dataDir);
  if (options.postgres) {
    if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new CodedError('BACKUP_SOURCE_MISSING', `no hub data directory at ${dataDir}`);
  } else if (!existsSync(join(dataDir, 'ledger.sqlite'))) {
    throw new CodedError('BACKUP_SOURCE_MISSING', `no hub ledger at ${join(dataDir, 'ledger.sqlite')}`);
  }
  const dir = backupFolder(dataDir, resolve(options.out), startedAt);
  // 0700: the backup holds the hub's private keys (tls/ca.key, config-signing.key).
  mkdirSync(dir, { mode: 0o700 });
  try {
    return await copyInto(dataDir, dir, startedAt, now, options.postgres);
  } catch (error) {
    // A backup without its manifest is no backup: leave no half of one to be mistaken for it.
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function copyInto(dataDir: string, dir: string, startedAt: Date, now: () => Date, postgres: PostgresSource | undefined): Promise<TakenBackup> {
  const entries: BackupFileEntry[] = [];
  let postgresSection: BackupManifest['postgres'];
  if (postgres) {
    const file = join(dir, POSTGRES_DUMP_FILE);
    const dump = await takePostgresDump({ target: postgres.target, file, audit: postgres.audit, ...(postgres.pgBin ? { pgBin: postgres.pgBin } : {}) });
    chmodSync(file, 0o600);
    entries.push({ path: POSTGRES_DUMP_FILE, kind: 'pg_dump', ...(await describeCopy(file, 0o600)), copiedAt: dump.snapshotAt });
    postgresSection = {
      database: postgres.target.shown,
      dump: POSTGRES_DUMP_FILE,
      pgDump: dump.pgDump,
      serverVersion: dump.serverVersion,
      snapshotAt: dump.snapshotAt,
      summary: dump.summary,
      audit: { differences: dump.audit.length, first: dump.audit.slice(0, AUDIT_FINDINGS_KEPT).map((f) => ({ ...f })) },
    };
  }
  const { databases, files, skipped } = listDataDir(dataDir);
  // A file of the data directory by the dump's name cannot be kept beside it (it is no file a hub makes).
  if (postgres && files.includes(POSTGRES_DUMP_FILE)) {
    files.splice(files.indexOf(POSTGRES_DUMP_FILE), 1);
    skipped.push({ path: POSTGRES_DUMP_FILE, why: "the name of the backup's own PostgreSQL dump" });
  }
  for (const path of databases) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    const copy = await copySqliteOnline(join(dataDir, path), target);
    chmodSync(target, statSync(join(dataDir, path)).mode & 0o777);
    entries.push({ path, kind: 'sqlite', ...(await describeCopy(target, statSync(target).mode & 0o777)), copiedAt: copy.copiedAt, sqlite: { userVersion: copy.userVersion, pages: copy.pages } });
  }
  for (const path of files) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    const copiedAt = new Date().toISOString();
    let mode: number;
    try {
      mode = statSync(join(dataDir, path)).mode & 0o777;
      copyFileSync(join(dataDir, path), target);
    } catch (error) {
      // Node-RED saves flows through a temp file it renames: one listed a moment ago may be gone. Nothing else is.
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
      skipped.push({ path, why: 'removed while the backup ran' });
      continue;
    }
    chmodSync(target, mode);
    fsyncPath(target);
    entries.push({ path, kind: 'file', ...(await describeCopy(target, mode)), copiedAt });
  }
  for (const folder of new Set(entries.map((e) => dirname(join(dir, e.path))))) fsyncPath(folder);

  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    startedAt: startedAt.toISOString(),
    finishedAt: now().toISOString(),
    source: dataDir,
    files: entries,
    skipped,
    ledger: postgresSection
      ? { transactions: postgresSection.summary.transactions, schemaVersion: postgresSection.summary.schemaVersion }
      : describeLedgerCopy(join(dir, 'ledger.sqlite')),
    ...(postgresSection ? { postgres: postgresSection } : {}),
  };
  writeManifest(dir, manifest);
  // Read back as a restore reads it: a backup its own restore would refuse is caught now, not on the bad day.
  return { dir, manifest: readManifest(dir) };
}

/** Size and hash of the copy as it is in the backup, and the original's permission bits. */
async function describeCopy(copy: string, mode: number): Promise<Pick<BackupFileEntry, 'bytes' | 'sha256' | 'mode'>> {
  return { bytes: statSync(copy).size, sha256: await sha256File(copy), mode: mode.toString(8).padStart(3, '0') };
}

/**
 * Where the backup goes: `out` itself when nothing is there yet; a new `memberkiosk-backup-<UTC time>` folder
 * inside `out` when it is a folder. Never inside the data directory (the backup would copy itself, and a restore
 * that empties the directory would take it along), and never over a file.
 */
function backupFolder(dataDir: string, out: string, at: Date): string {
  if (out === dataDir || out.startsWith(`${dataDir}${sep}`)) throw new CodedError('BACKUP_OUT_INVALID', `--out ${out} is inside the data directory ${dataDir}`);
  if (!existsSync(out)) {
    if (!existsSync(dirname(out))) throw new CodedError('BACKUP_OUT_INVALID', `the folder ${dirname(out)} for --out does not exist`);
    return out;
  }
  if (!statSync(out).isDirectory()) throw new CodedError('BACKUP_OUT_INVALID', `--out ${out} is a file, not a folder`);
  const inside = join(out, `memberkiosk-backup-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`);
  if (existsSync(inside)) throw new CodedError('BACKUP_OUT_INVALID', `${inside} exists already`);
  return inside;
}

/** The data directory's SQLite databases (ledger first, then fleet, then the others) and other files, '/'-separated. */
function listDataDir(dataDir: string): { databases: string[]; files: string[]; skipped: BackupManifest['skipped'] } {
  const regular: string[] = [];
  const skipped: BackupManifest['skipped'] = [];
  for (const entry of readdirSync(dataDir, { recursive: true, encoding: 'utf8' }).sort()) {
    const path = entry.split(sep).join('/');
    // Node-RED's temp files come and go while it saves (written, then renamed): one may be gone already.
    const stat = ifStillThere(() => lstatSync(join(dataDir, entry)));
    if (stat === null) continue;
    if (stat.isDirectory()) continue;
    // A name a restore would refuse (a backslash in it) would make the whole backup unrestorable: leave it out, said.
    if (!isSafeRelativePath(path)) skipped.push({ path, why: 'a name a restore cannot write safely' });
    else if (stat.isFile()) regular.push(path);
    else skipped.push({ path, why: stat.isSymbolicLink() ? 'a symbolic link: copy what it points to yourself' : 'not a regular file' });
  }
  const databases = regular.filter((p) => ifStillThere(() => isSqliteDatabase(join(dataDir, p))) === true);
  const isSideFile = (p: string) => {
    const database = databaseOfSideFile(p);
    return database !== null && databases.includes(database);
  };
  const rank = (p: string) => (DATABASE_ORDER.includes(p) ? DATABASE_ORDER.indexOf(p) : DATABASE_ORDER.length);
  return {
    databases: [...databases].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)),
    files: regular.filter((p) => !databases.includes(p) && !isSideFile(p)),
    skipped: [...skipped, ...regular.filter(isSideFile).map((path) => ({ path, why: 'a SQLite side file: its database was copied online' }))],
  };
}

/** `read()`, or null when the file went away meanwhile. */
function ifStillThere<T>(read: () => T): T | null {
  try {
    return read();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw error;
  }
}
