/**
 * A backup's manifest.json: what the backup holds (every file with its size, SHA-256 and mode), when each database
 * was copied, and what the ledger held. `memberkiosk backup` writes it last, so a folder without one is an
 * unfinished backup; `memberkiosk restore` checks every file against it before it touches the target.
 *
 * A hub on PostgreSQL (`--db`) has its database in the backup as one pg_dump file (kind `pg_dump`, never copied
 * into the data directory) and a `postgres` section: the dump's versions, snapshot and what the ledger held in it.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { writeFileDurably } from './durable-files.ts';
import { ledgerSummarySchema } from './postgres-ledger-summary.ts';

export const MANIFEST_FILE = 'manifest.json';
export const BACKUP_FORMAT = 'memberkiosk-backup/1';

/**
 * A path inside the backup and the data directory, '/'-separated. Never absolute and never climbing out: a
 * restore writes each one under the target, and a tampered manifest must not make it write elsewhere.
 */
export function isSafeRelativePath(p: string): boolean {
  return p.length > 0 && !isAbsolute(p) && !p.includes('\\') && normalize(p) === p && p.split(sep).every((part) => part !== '..' && part !== '' && part !== '.');
}
const relativePath = z.string().refine(isSafeRelativePath, 'a relative path inside the backup');

const fileEntry = z.object({
  path: relativePath,
  /** sqlite: copied with SQLite's online backup (a consistent snapshot); file: copied as bytes; pg_dump: the PostgreSQL database. */
  kind: z.enum(['sqlite', 'file', 'pg_dump']),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Permission bits of the original ('600' for keys), given back on restore. */
  mode: z.string().regex(/^[0-7]{3}$/),
  /** When the copy was taken (for a database: the moment of its snapshot, near enough). */
  copiedAt: z.iso.datetime(),
  /** For a database: SQLite's user_version (the schema version our migrations keep) and its page count. */
  sqlite: z.object({ userVersion: z.number().int(), pages: z.number().int().nonnegative() }).optional(),
});

export const backupManifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  /** The data directory that was backed up, as given (absolute). */
  source: z.string(),
  files: z.array(fileEntry).min(1),
  /** What is in DATA but not in the backup, and why (symbolic links, sockets…). */
  skipped: z.array(z.object({ path: z.string(), why: z.string() })),
  /** The ledger copy's transaction count (a restore opens it and must find the same number) and schema version. */
  ledger: z.object({ transactions: z.number().int().nonnegative(), schemaVersion: z.number().int().nullable() }),
  /** A hub on PostgreSQL: its database's dump (take-postgres-dump.ts). Absent for a SQLite hub. */
  postgres: z
    .object({
      /** The database dumped, its password (if the URL had one) as ***. */
      database: z.string(),
      /** The dump file, one of `files` (kind pg_dump). */
      dump: relativePath,
      pgDump: z.string(),
      serverVersion: z.string(),
      snapshotAt: z.iso.datetime(),
      /** In the dump's own snapshot: transactions, schema version, fingerprints of the money rows. */
      summary: ledgerSummarySchema,
      /** The journal audit just before the snapshot: how many differences, and the first few. */
      audit: z.object({ differences: z.number().int().nonnegative(), first: z.array(z.record(z.string(), z.unknown())) }),
    })
    .optional(),
});

export type BackupManifest = z.infer<typeof backupManifestSchema>;
export type BackupFileEntry = BackupManifest['files'][number];

/** The manifest of the backup in `dir`, checked for shape; BACKUP_MANIFEST_INVALID when absent or not one. */
export function readManifest(dir: string): BackupManifest {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw new CodedError('BACKUP_MANIFEST_INVALID', `${dir} is not a memberkiosk backup, or not a finished one: it has no ${MANIFEST_FILE}`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CodedError('BACKUP_MANIFEST_INVALID', `${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = backupManifestSchema.safeParse(json);
  if (!parsed.success) throw new CodedError('BACKUP_MANIFEST_INVALID', `${path} is not a ${BACKUP_FORMAT} manifest: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(manifest)'}: ${i.message}`).join('; ')}`);
  const { postgres, files } = parsed.data;
  if (postgres) {
    if (!files.some((f) => f.path === postgres.dump && f.kind === 'pg_dump')) throw new CodedError('BACKUP_MANIFEST_INVALID', `${path} lists no pg_dump file ${postgres.dump}`);
  } else if (!files.some((f) => f.path === 'ledger.sqlite' && f.kind === 'sqlite')) {
    throw new CodedError('BACKUP_MANIFEST_INVALID', `${path} lists no ledger.sqlite`);
  }
  return parsed.data;
}

/** Written last and durably (temp file, fsync, rename, fsync of the folder): its presence means the backup is whole. */
export function writeManifest(dir: string, manifest: BackupManifest): void {
  writeFileDurably(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, 0o600);
}

/** SHA-256 of a file, streamed (a ledger may be gigabytes). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
