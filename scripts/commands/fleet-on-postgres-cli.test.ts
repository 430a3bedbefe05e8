/**
 * The fleet commands beside a hub whose fleet is on PostgreSQL (`--db`, as `memberkiosk hub --db` takes it): a
 * single-node data directory moved with `memberkiosk migrate` (its fleet.sqlite with it), then regions, stores,
 * enrolment codes, kiosks and signed configuration read and written on the database, each change in the audit log
 * of the ledger there, and no fleet.sqlite made. Real processes, a real PostgreSQL cluster.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { openLedger } from '../../hub/ledger/open-ledger.ts';
import { freshPostgresDatabase, stopPostgres } from '../../hub/testing/start-postgres.ts';
import { memberkiosk } from './test-support/run-memberkiosk.ts';
import { seededHubDataDir, type SeededHubDataDir } from './test-support/seeded-hub-data-dir.ts';

describe('fleet commands with --db (real processes, real PostgreSQL)', { timeout: 120_000 }, () => {
  let data: SeededHubDataDir;
  beforeEach(async () => {
    data = await seededHubDataDir('mk-fleet-pg-cli-');
  });
  afterEach(() => data.cleanup());
  afterAll(stopPostgres);

  const ok = (run: ReturnType<typeof memberkiosk>) => {
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    return run.stdout;
  };

  it('migrate carries the fleet; regions, stores, enrol, devices and config then work on the database', async () => {
    ok(memberkiosk('regions', 'add', '--id', 'east', '--name', 'East', '--data', data.hub));
    ok(memberkiosk('stores', 'add', '--id', 'store-e1', '--name', 'E1', '--region', 'east', '--data', data.hub));
    const url = await freshPostgresDatabase('fleetcli');
    const migrated = memberkiosk('migrate', '--from', `sqlite:${join(data.hub, 'ledger.sqlite')}`, '--to', url, '--work', data.root);
    expect({ code: migrated.code, stderr: migrated.stderr }).toEqual({ code: 0, stderr: '' });
    expect(migrated.stdout).toMatch(/^snapshot of .*fleet\.sqlite at /m);
    expect(migrated.stdout).toMatch(/^fleet_stores +1 +1 +equal \(from fleet\.sqlite stores\)$/m);
    expect(migrated.stdout).toMatch(/^fleet_regions +1 +1 +equal \(from fleet\.sqlite regions\)$/m);

    // The hub now runs on the database: the data directory's fleet.sqlite is history, and nothing reads it.
    rmSync(join(data.hub, 'fleet.sqlite'));
    expect(ok(memberkiosk('stores', 'list', '--data', data.hub, '--db', url))).toBe('store-e1\teast\tE1\n');
    ok(memberkiosk('regions', 'add', '--id', 'west', '--name', 'West', '--data', data.hub, '--db', url));
    ok(memberkiosk('stores', 'add', '--id', 'store-w1', '--name', 'W1', '--region', 'west', '--data', data.hub, '--db', url));
    expect(ok(memberkiosk('regions', 'list', '--data', data.hub, '--db', url))).toBe('east\tEast\nwest\tWest\n');
    const code = ok(memberkiosk('enrol', 'create', '--store', 'store-w1', '--device-id', 'kiosk-w1', '--data', data.hub, '--db', url));
    expect(code).toMatch(/^MK1-[0-9A-Z]{26}-[0-9a-f]{64}\n$/);
    expect(ok(memberkiosk('devices', 'list', '--data', data.hub, '--db', url))).toBe('');
    expect(ok(memberkiosk('devices', '--json', '--data', data.hub, '--db', url))).toContain('"devices": []');
    const revoke = memberkiosk('devices', 'revoke', 'kiosk-w1', '--data', data.hub, '--db', url);
    expect(revoke.code).toBe(1);
    expect(revoke.stderr).toContain('FLEET_UNKNOWN_DEVICE');
    expect(ok(memberkiosk('config', 'list', '--data', data.hub, '--db', url))).toMatch(/^no signing key: /);
    expect(existsSync(join(data.hub, 'fleet.sqlite'))).toBe(false);

    // Each change in the audit log of the ledger on the database.
    const ledger = await openLedger({ kind: 'postgres', url, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 2 });
    try {
      const entries = await ledger.identity.auditEntries({ limit: 20 });
      expect(entries.filter((e) => e.surface === 'cli').map((e) => `${e.action} ${e.target}`)).toEqual(expect.arrayContaining(['region.add west', 'store.add store-w1', 'enrol.create_code kiosk-w1']));
    } finally {
      await ledger.close();
    }
  });

  it('refuses a --db that is not a postgres:// URL, with exit 2', () => {
    const run = memberkiosk('stores', 'list', '--data', data.hub, '--db', 'mysql://x@y/z');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--db must be a postgres://USER@HOST:PORT/DATABASE URL');
  });
});
