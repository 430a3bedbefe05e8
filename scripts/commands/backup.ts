/**
 * `memberkiosk backup --data DIR --out PATH`: a consistent copy of a single-node hub's data directory while the hub
 * runs (scripts/backup/take-backup.ts): the SQLite databases through SQLite's online backup, the other files
 * (TLS, keys, node-red/) as they are, and a manifest with sizes and SHA-256s.
 */
import { isCodedError } from '../../core/errors/coded-error.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: memberkiosk backup --out PATH [--data DIR]
  copies a hub's data directory while the hub runs: ledger.sqlite and fleet.sqlite (and any other SQLite database
  there) through SQLite's online backup, each one consistent snapshot; the other files (tls/, keys, node-red/)
  as they are; then manifest.json with every file's size and SHA-256. Run it as the hub's user.
  --data   the hub's data directory; default ./data/hub
  --out    a path that does not exist yet (the backup folder is made there), or an existing folder (a new
           memberkiosk-backup-<UTC time> folder is made in it); never inside --data
exit codes: 0 written (its folder printed), 1 a copy failed its check (nothing kept), 2 bad options, no ledger in
            --data, or --out unusable
`;

/** Refusals that are the operator's to fix (exit 2), as opposed to a copy that failed (exit 1). */
const REFUSALS = new Set(['BACKUP_SOURCE_MISSING', 'BACKUP_OUT_INVALID']);

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('backup', USAGE, { args, options: { data: { type: 'string', default: './data/hub' }, out: { type: 'string' } } });
  if (!flags.ok) return flags.exitCode;
  const { data, out } = flags.parsed.values;
  if (!out) return usageError('backup', USAGE, '--out is required');
  // Loaded only now, so --help and bad flags are answered without loading SQLite.
  const { takeBackup } = await import('../backup/take-backup.ts');
  try {
    const { dir, manifest } = await takeBackup({ dataDir: data, out });
    const bytes = manifest.files.reduce((sum, f) => sum + f.bytes, 0);
    const databases = manifest.files.filter((f) => f.kind === 'sqlite');
    process.stdout.write(
      `backup written: ${dir}\n` +
        `  ${manifest.files.length} files, ${bytes} bytes; databases: ${databases.map((d) => `${d.path} (${d.bytes} bytes)`).join(', ')}\n` +
        `  ledger: schema ${manifest.ledger.schemaVersion ?? '?'}, ${manifest.ledger.transactions} transactions; started ${manifest.startedAt}, finished ${manifest.finishedAt}\n`,
    );
    for (const s of manifest.skipped.filter((s) => !s.why.startsWith('a SQLite side file'))) process.stderr.write(`memberkiosk backup: not copied: ${s.path}: ${s.why}\n`);
    return 0;
  } catch (error) {
    if (!isCodedError(error)) throw error;
    process.stderr.write(`memberkiosk backup: ${error.message} (${error.code})\n`);
    return REFUSALS.has(error.code) ? 2 : 1;
  }
}
