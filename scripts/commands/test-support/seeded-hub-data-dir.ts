/**
 * A hub's data directory for a CLI test: a fresh temp folder with `hub/ledger.sqlite` holding the demo data, the
 * directory a `memberkiosk ... --data <hub>` process is pointed at. The test reads and writes the same ledger
 * between CLI runs through withLedger(), which opens it only for that one look and closes it again, so the CLI
 * process is never racing an open connection of the test's own. The CLI tests each built this by hand.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { makeTempDir } from '../../../device/test-support/temp-dir.ts';
import { seedDemoData } from '../../../hub/demo/seed-demo-data.ts';
import type { Ledger } from '../../../hub/ledger/ledger.ts';
import type { AuditFinding } from '../../../hub/ledger/ledger-store.ts';
import { openLedger } from '../../../hub/ledger/open-ledger.ts';

export interface SeededHubDataDir {
  /** The temp folder (for files a test writes next to the hub's, and paths that do not exist). */
  root: string;
  /** The hub's data directory: what `--data` is given. */
  hub: string;
  /** Opens the hub's ledger, runs `use` on it and closes it again, even when `use` throws. */
  withLedger<T>(use: (ledger: Ledger) => Promise<T>): Promise<T>;
  /** The ledger's journal audit: [] when every account agrees with its journal. */
  audit(): Promise<AuditFinding[]>;
  /** Removes the temp folder. */
  cleanup(): void;
}

/** A new temp folder (named with `prefix`) holding a hub data directory whose ledger has the demo data. */
export async function seededHubDataDir(prefix: string): Promise<SeededHubDataDir> {
  const temp = makeTempDir(prefix);
  const hub = join(temp.dir, 'hub');
  mkdirSync(hub, { recursive: true });
  const withLedger = async <T>(use: (ledger: Ledger) => Promise<T>): Promise<T> => {
    const ledger = await openLedger({ kind: 'sqlite', path: join(hub, 'ledger.sqlite'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    try {
      return await use(ledger);
    } finally {
      await ledger.close();
    }
  };
  await withLedger((ledger) => seedDemoData(ledger));
  return { root: temp.dir, hub, withLedger, audit: () => withLedger((ledger) => ledger.audit()), cleanup: temp.cleanup };
}
