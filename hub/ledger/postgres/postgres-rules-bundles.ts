/**
 * The rules bundles of the PostgreSQL ledger (../rules-store.ts), moved out of postgres-ledger-store.ts: every
 * version kept in memory with when it was saved, because the write path picks a transaction's bundle synchronously;
 * re-read before each ledger transaction where another hub worker saved one (or saved one again) meanwhile.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { parseStoredBundle } from '../../rules/stored-bundle.ts';

export class PostgresRulesBundles {
  /** Every rules bundle, by version, with when it was saved (a worker re-reads one another worker saved again). */
  private readonly bundles = new Map<number, { bundle: RulesBundle; savedAt: string }>();
  private readonly unknownVersionsWarned = new Set<number>();

  constructor(
    /** The store's pool (throws once the store is closed). */
    private readonly pool: () => pg.Pool,
    /** The bundle used when a transaction names a version this hub does not have. */
    private readonly fallbackBundle: RulesBundle,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.bundles.size;
  }

  async save(bundle: RulesBundle): Promise<void> {
    const savedAt = new Date().toISOString();
    await this.pool().query(
      'INSERT INTO rules_bundles (version, bundle, saved_at) VALUES ($1, $2, $3) ON CONFLICT (version) DO UPDATE SET bundle = excluded.bundle, saved_at = excluded.saved_at',
      [bundle.version, JSON.stringify(bundle), savedAt],
    );
    this.bundles.set(bundle.version, { bundle, savedAt });
  }

  /** A version as this worker holds it (call refresh first where another worker may have saved it). */
  get(version: number): RulesBundle | null {
    return this.bundles.get(version)?.bundle ?? null;
  }

  /** Reads the bundles saved (or saved again) since this worker last looked: another worker may have saved one. */
  async refresh(): Promise<void> {
    const saved = await this.query<{ version: number; saved_at: string }>('SELECT version, saved_at FROM rules_bundles');
    const stale = saved.filter((r) => this.bundles.get(r.version)?.savedAt !== r.saved_at).map((r) => r.version);
    if (stale.length === 0) return;
    const rows = await this.query<{ version: number; bundle: string; saved_at: string }>('SELECT version, bundle, saved_at FROM rules_bundles WHERE version = ANY($1::bigint[])', [stale]);
    for (const row of rows) this.bundles.set(row.version, { bundle: parseStoredBundle(row.bundle), savedAt: row.saved_at });
  }

  latest(): RulesBundle | null {
    let latest: RulesBundle | null = null;
    for (const [version, { bundle }] of this.bundles) if (version !== 0 && (!latest || version > latest.version)) latest = bundle;
    return latest;
  }

  /** The bundle a transaction was evaluated with on the kiosk (as on SQLite): that version, else the latest. */
  bundleFor(version: number): RulesBundle {
    const bundle = this.bundles.get(version)?.bundle;
    if (bundle) return bundle;
    if (version !== 0 && !this.unknownVersionsWarned.has(version)) {
      this.unknownVersionsWarned.add(version);
      this.log.warn({ version }, 'transactions name a rules version this hub does not have; using the latest');
    }
    return this.latest() ?? this.fallbackBundle;
  }

  private async query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool().query<T>(sql, params)).rows;
  }
}
