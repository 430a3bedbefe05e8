/**
 * The rules bundles the SQLite ledger recomputes transactions with, read from its `rules_bundles` table and cached
 * by version: every batch asks for the bundle each transaction names, so a read per transaction would be wasted.
 * A saved bundle replaces its cache entry at once; the writer thread's store is told to forget its own cache
 * (`onSaved`), since the thread's connection cannot see this one's cache.
 */
import type { Database as DatabaseHandle } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { parseStoredBundle } from '../../rules/stored-bundle.ts';

export interface SqliteRulesBundlesOptions {
  /** The open database (throws when the ledger is closed). */
  db: () => DatabaseHandle;
  log: Logger;
  /** The bundle used when a transaction names a version this hub does not have and none is stored. */
  fallbackBundle: RulesBundle;
  /** Told after a bundle was saved (the writer thread's store forgets what it cached). */
  onSaved?: () => void;
}

export class SqliteRulesBundles {
  private readonly cache = new Map<number, RulesBundle>();
  private readonly unknownVersionsWarned = new Set<number>();
  /** The hub's latest bundle, cached until a bundle is saved: its security settings apply whatever a kiosk names. */
  private latestPolicy: RulesBundle | null = null;

  constructor(private readonly options: SqliteRulesBundlesOptions) {}

  save(bundle: RulesBundle): void {
    this.options.db().prepare('INSERT OR REPLACE INTO rules_bundles (version, bundle, saved_at) VALUES (?, ?, ?)').run(bundle.version, JSON.stringify(bundle), new Date().toISOString());
    this.cache.set(bundle.version, bundle);
    this.latestPolicy = null;
    this.options.onSaved?.();
  }

  /** Forgets the bundles read so far (a writer thread's store, told that the hub's thread saved one). */
  forget(): void {
    this.cache.clear();
    this.latestPolicy = null;
  }

  latestPolicyBundle(): RulesBundle {
    this.latestPolicy ??= this.latest() ?? this.options.fallbackBundle;
    return this.latestPolicy;
  }

  bundle(version: number): RulesBundle | null {
    const cached = this.cache.get(version);
    if (cached) return cached;
    const row = this.options.db().prepare<[number], { bundle: string }>('SELECT bundle FROM rules_bundles WHERE version = ?').get(version);
    if (!row) return null;
    const bundle = parseStoredBundle(row.bundle);
    this.cache.set(version, bundle);
    return bundle;
  }

  latest(): RulesBundle | null {
    const row = this.options.db().prepare<[], { version: number }>('SELECT max(version) AS version FROM rules_bundles').get();
    return row?.version ? this.bundle(row.version) : null;
  }

  /** The bundle a transaction was evaluated with on the kiosk; the hub recomputes with that same version. */
  bundleFor(version: number): RulesBundle {
    const bundle = this.bundle(version);
    if (bundle) return bundle;
    // Version 0: a kiosk that holds no rules bundle yet (bundles reach kiosks with the signed config) — the
    // hub's latest is the one to use, and that is expected, not worth a warning.
    if (version !== 0 && !this.unknownVersionsWarned.has(version)) {
      this.unknownVersionsWarned.add(version);
      this.options.log.warn({ version }, 'transactions name a rules version this hub does not have; using the latest');
    }
    return this.latest() ?? this.options.fallbackBundle;
  }
}
