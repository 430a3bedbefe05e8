/**
 * `memberkiosk restore --from BACKUP --data DIR [--force]`: a backup of `memberkiosk backup` back into a hub's data
 * directory (scripts/backup/restore-backup.ts), then the journal audit of the restored ledger, printed: a restore
 * is trusted only once the restored ledger's journal agrees with every balance.
 */
import { join } from 'node:path';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: memberkiosk restore --from BACKUP --data DIR [--force]
  checks every file of BACKUP against its manifest (size, SHA-256), copies them into DIR, checks the copies, then
  opens the restored ledger and runs the journal audit (as memberkiosk audit) and prints it. Stop the hub first.
  --from    a backup folder written by memberkiosk backup (holding manifest.json)
  --data    the hub's data directory to restore into: new or empty
  --force   DIR is not empty: move what is there aside into DIR.before-restore-<UTC time> (beside it) first;
            refused while a process (a running hub) has its databases open
exit codes: 0 restored and every balance matches the journal, 1 the backup is damaged (nothing restored) or the
            restored ledger's audit found differences (each printed), 2 bad options, DIR not empty without
            --force, DIR in use or unusable
`;

const REFUSALS = new Set(['RESTORE_TARGET_NOT_EMPTY', 'RESTORE_TARGET_IN_USE', 'RESTORE_TARGET_INVALID']);

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('restore', USAGE, { args, options: { from: { type: 'string' }, data: { type: 'string' }, force: { type: 'boolean', default: false } } });
  if (!flags.ok) return flags.exitCode;
  const { from, data, force } = flags.parsed.values;
  // No default --data: restoring into ./data/hub because a flag was forgotten is not a mistake to make easy.
  if (!from) return usageError('restore', USAGE, '--from is required');
  if (!data) return usageError('restore', USAGE, '--data is required');
  const { restoreBackup } = await import('../backup/restore-backup.ts');
  let restored;
  try {
    restored = await restoreBackup({ from, dataDir: data, force: force ?? false });
  } catch (error) {
    if (!isCodedError(error)) throw error;
    process.stderr.write(`memberkiosk restore: ${error.message} (${error.code})\n`);
    return REFUSALS.has(error.code) ? 2 : 1;
  }
  const { manifest, dataDir, movedAsideTo } = restored;
  if (movedAsideTo) process.stdout.write(`moved what was in ${dataDir} aside to ${movedAsideTo}\n`);
  process.stdout.write(`restored ${manifest.files.length} files into ${dataDir} from the backup started ${manifest.startedAt} of ${manifest.source}\n`);

  const { default: pino } = await import('pino');
  const { DEFAULT_RULES_BUNDLE } = await import('../../core/rules/default-bundle.ts');
  const { openLedger } = await import('../../hub/ledger/open-ledger.ts');
  // Opened as the hub opens it: a backup from an older version is migrated here, as the hub would on start.
  const ledger = await openLedger({ kind: 'sqlite', path: join(dataDir, 'ledger.sqlite'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  try {
    const findings = await ledger.audit();
    const transactions = await ledger.transactionCount();
    process.stdout.write(`journal audit: ${transactions} transactions; ${findings.length === 0 ? 'every balance matches the journal' : `${findings.length} differences`}\n`);
    for (const f of findings) process.stdout.write(`  ${JSON.stringify(f)}\n`);
    if (transactions !== manifest.ledger.transactions) {
      process.stdout.write(`  the restored ledger holds ${transactions} transactions; the backup's manifest says ${manifest.ledger.transactions}\n`);
      return 1;
    }
    return findings.length === 0 ? 0 : 1;
  } finally {
    await ledger.close();
  }
}
