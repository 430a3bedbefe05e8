/**
 * `memberkiosk restore`: a backup (take-backup.ts) back into a hub's data directory, checked on the way.
 *
 * 1. The backup is verified before anything is touched: its manifest, then every file's size and SHA-256.
 * 2. The target must be empty, or `force` given. With `force` it must not be in use (no process has its
 *    databases open: a running hub would go on writing into the files moved away), and what is there is moved
 *    aside — not deleted — into a folder beside it, `<DIR>.before-restore-<UTC time>`: a restore run over the
 *    wrong directory can be undone.
 * 3. The files are copied in with their modes and checked again against the manifest on the target disk.
 * The caller then opens the restored ledger and runs the journal audit (scripts/commands/restore.ts).
 *
 * The steps are exported one by one for the restore of a PostgreSQL hub's backup (restore-postgres-backup.ts),
 * which checks its database target between 2's refusals and any writing, and restores the dump after 3.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CodedError } from '../../core/errors/coded-error.ts';
import { readManifest, sha256File, type BackupFileEntry, type BackupManifest } from './backup-manifest.ts';
import { isDatabaseInUse } from './database-in-use.ts';
import { fsyncPath } from './durable-files.ts';

export interface RestoreOptions {
  /** The backup folder (holding manifest.json). */
  from: string;
  /** The hub's data directory to restore into. */
  dataDir: string;
  /** Move a non-empty target's contents aside instead of refusing. */
  force: boolean;
  now?: () => Date;
}

export interface RestoredBackup {
  manifest: BackupManifest;
  dataDir: string;
  /** Where the target's earlier contents went (with force), or null when it was empty. */
  movedAsideTo: string | null;
}

export async function restoreBackup(options: RestoreOptions): Promise<RestoredBackup> {
  const { from, manifest } = await verifyBackup(options.from);
  if (manifest.postgres) throw new CodedError('BACKUP_KIND_MISMATCH', `${from} is a backup of a hub on PostgreSQL (${manifest.postgres.database}): restore it with --db postgres://… (a new or empty database)`);
  const target = checkDataTarget(options.dataDir, options.force);
  const movedAsideTo = restoreFiles(from, manifest, target, (options.now ?? (() => new Date()))());
  // Read back from the target's disk: a copy that went wrong there is caught before the hub trusts it.
  await checkRestoredFiles(manifest, target.dataDir);
  return { manifest, dataDir: target.dataDir, movedAsideTo };
}

/** Step 1: the backup's manifest and every file's size and SHA-256; nothing is written. */
export async function verifyBackup(folder: string): Promise<{ from: string; manifest: BackupManifest }> {
  const from = resolve(folder);
  if (!existsSync(from) || !statSync(from).isDirectory()) throw new CodedError('BACKUP_MANIFEST_INVALID', `${from} is not a backup folder`);
  const manifest = readManifest(from);
  for (const file of manifest.files) await checkFile(join(from, file.path), file, 'in the backup');
  return { from, manifest };
}

/** The data directory to restore into, checked (step 2's refusals); `present` is what must be moved aside. */
export interface DataTarget {
  dataDir: string;
  present: string[];
}

/** Step 2's refusals, before anything is written: not a folder, not empty without force, in use. */
export function checkDataTarget(dir: string, force: boolean): DataTarget {
  const dataDir = resolve(dir);
  if (!existsSync(dataDir)) {
    if (!existsSync(dirname(dataDir))) throw new CodedError('RESTORE_TARGET_INVALID', `the folder ${dirname(dataDir)} for --data does not exist`);
    return { dataDir, present: [] };
  }
  if (!statSync(dataDir).isDirectory()) throw new CodedError('RESTORE_TARGET_INVALID', `--data ${dataDir} is a file, not a folder`);
  const present = readdirSync(dataDir);
  if (present.length === 0) return { dataDir, present };
  if (!force) throw new CodedError('RESTORE_TARGET_NOT_EMPTY', `${dataDir} is not empty (${present.length} entries): give --force to move them aside into a folder beside it`);
  for (const database of ['ledger.sqlite', 'fleet.sqlite']) {
    if (isDatabaseInUse(join(dataDir, database))) throw new CodedError('RESTORE_TARGET_IN_USE', `${join(dataDir, database)} is open in another process (a running hub?): stop it first`);
  }
  return { dataDir, present };
}

/** Steps 2 and 3's writing: what is there moved aside, the backup's files (not a PostgreSQL dump) copied in. */
export function restoreFiles(from: string, manifest: BackupManifest, target: DataTarget, at: Date): string | null {
  const movedAsideTo = prepareTarget(target, at);
  for (const file of filesOfDataDir(manifest)) {
    const path = join(target.dataDir, file.path);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    copyFileSync(join(from, file.path), path);
    chmodSync(path, Number.parseInt(file.mode, 8));
    fsyncPath(path);
  }
  for (const folder of new Set(filesOfDataDir(manifest).map((f) => dirname(join(target.dataDir, f.path))))) fsyncPath(folder);
  return movedAsideTo;
}

/** Step 3's check: every restored file read back from the target's disk against the manifest. */
export async function checkRestoredFiles(manifest: BackupManifest, dataDir: string): Promise<void> {
  for (const file of filesOfDataDir(manifest)) await checkFile(join(dataDir, file.path), file, 'after copying it');
}

/** What goes into the data directory: every file but a PostgreSQL dump (that goes into the database). */
function filesOfDataDir(manifest: BackupManifest): BackupFileEntry[] {
  return manifest.files.filter((f) => f.kind !== 'pg_dump');
}

async function checkFile(path: string, file: BackupFileEntry, where: string): Promise<void> {
  if (!existsSync(path)) throw new CodedError('BACKUP_FILE_MISMATCH', `${file.path} is missing ${where}`);
  const bytes = statSync(path).size;
  if (bytes !== file.bytes) throw new CodedError('BACKUP_FILE_MISMATCH', `${file.path} has ${bytes} bytes ${where}; the manifest says ${file.bytes}`);
  if ((await sha256File(path)) !== file.sha256) throw new CodedError('BACKUP_FILE_MISMATCH', `${file.path} does not match its SHA-256 ${where}`);
}

/** Makes the (checked) target an empty folder; answers where its earlier contents went, if it had any. */
function prepareTarget({ dataDir, present }: DataTarget, at: Date): string | null {
  if (!existsSync(dataDir)) {
    mkdirSync(dataDir, { mode: 0o700 });
    return null;
  }
  if (present.length === 0) return null;
  // Beside the target, so a rename moves each entry without copying. Entry by entry rather than the folder
  // itself: the target may be a mount point (a Docker volume), which cannot be renamed.
  const aside = join(dirname(dataDir), `${basename(dataDir)}.before-restore-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`);
  mkdirSync(aside, { mode: 0o700 });
  for (const entry of present) {
    try {
      renameSync(join(dataDir, entry), join(aside, entry));
    } catch (error) {
      throw new CodedError('RESTORE_TARGET_INVALID', `could not move ${join(dataDir, entry)} aside into ${aside} (${(error as { code?: string }).code ?? (error as Error).message}); entries moved so far are there: empty ${dataDir} yourself and restore again`);
    }
  }
  fsyncPath(aside);
  fsyncPath(dataDir);
  return aside;
}
