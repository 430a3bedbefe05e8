/**
 * `memberkiosk migrate` as an operator meets it: real processes, a real SQLite data directory (the demo data) and a
 * real PostgreSQL cluster. What it prints and its exit codes: 0 checked equal, 1 refused, 2 bad options, 3 a hub
 * had the ledger open (a rehearsal, not the switch). The copy and the checks themselves are
 * hub/ledger/migrate-to-postgres.test.ts.
 */
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { openLedger } from '../../hub/ledger/open-ledger.ts';
import { freePort } from '../../hub/testing/free-port.ts';
import { freshPostgresDatabase, stopPostgres } from '../../hub/testing/start-postgres.ts';
import { memberkiosk } from './test-support/run-memberkiosk.ts';
import { seededHubDataDir, type SeededHubDataDir } from './test-support/seeded-hub-data-dir.ts';

describe('memberkiosk migrate (real processes, real PostgreSQL)', { timeout: 90_000 }, () => {
  let data: SeededHubDataDir;
  let from: string;
  beforeEach(async () => {
    data = await seededHubDataDir('mk-migrate-cli-');
    from = `sqlite:${join(data.hub, 'ledger.sqlite')}`;
  });
  afterEach(() => data.cleanup());
  afterAll(stopPostgres);

  it('copies the ledger, prints every table and check compared, and exits 0; the PostgreSQL ledger audits clean', async () => {
    const url = await freshPostgresDatabase('cli');
    const run = memberkiosk('migrate', '--from', from, '--to', url, '--work', data.root);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^snapshot of .*ledger\.sqlite at .*: \d+ pages, 8 transactions$/m);
    expect(run.stdout).toMatch(/^transactions +8 +8 +equal$/m);
    expect(run.stdout).toMatch(/^journal audit \(differences\) +0 +0 +equal$/m);
    expect(run.stdout).toMatch(/^members' balances, points, tier +4 members +4 members +equal$/m);
    expect(run.stdout).toMatch(/^devices' last seq per epoch .* equal$/m);
    // The hourly report totals are a table like any other now that PostgreSQL keeps them too.
    expect(run.stdout).toMatch(/^report_hourly\b.*equal$/m);
    expect(run.stdout).toContain('migration checked: every table and every check equal');
    const postgres = await openLedger({ kind: 'postgres', url, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 2 });
    try {
      expect(await postgres.audit()).toEqual([]);
      expect(await postgres.transactionCount()).toBe(8);
    } finally {
      await postgres.close();
    }
  });

  it('refuses a target that holds data with exit 1 and one line, and a second run into the same database too', async () => {
    const url = await freshPostgresDatabase('cli_twice');
    expect(memberkiosk('migrate', '--from', from, '--to', url).code).toBe(0);
    const again = memberkiosk('migrate', '--from', from, '--to', url);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^memberkiosk migrate: the PostgreSQL database already holds rows in .*transactions.* \(MIGRATE_TARGET_NOT_EMPTY\)\n$/);
  });

  it('answers bad or missing locations with exit 2 and what is wrong', () => {
    const asked = [
      { args: ['--to', 'postgres://u@h/db'], says: '--from is required' },
      { args: ['--from', from], says: '--to is required' },
      { args: ['--from', 'mysql://h/db', '--to', 'postgres://u@h/db'], says: 'is not sqlite:PATH' },
      { args: ['--from', 'sqlite:', '--to', 'postgres://u@h/db'], says: 'is not sqlite:PATH' },
      { args: ['--from', from, '--to', 'not a url'], says: 'is not a URL' },
      { args: ['--from', from, '--to', 'mysql://u@h/db'], says: 'must be a postgres:// URL' },
      { args: ['--from', from, '--to', 'postgres://u@h'], says: 'names no database' },
      { args: ['--from', from, '--to', 'postgres://u@h/'], says: 'names no database' },
      { args: ['--from', `sqlite:${join(data.root, 'nothing.sqlite')}`, '--to', 'postgres://u@h/db'], says: 'no ledger at' },
      { args: ['--from', from, '--to', 'postgres://u@h/db', '--work', join(data.root, 'missing')], says: 'is not a folder' },
    ];
    for (const { args, says } of asked) {
      const run = memberkiosk('migrate', ...args);
      expect({ args, code: run.code, first: run.stderr.split('\n')[0] }).toEqual({ args, code: 2, first: expect.stringContaining(says) as unknown });
    }
    const help = memberkiosk('migrate', '--help');
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('usage: memberkiosk migrate') as unknown]);
  });

  it('says in one line, exit 1, when PostgreSQL cannot be reached, and leaves no work folder behind', async () => {
    const port = await freePort();
    const run = memberkiosk('migrate', '--from', from, '--to', `postgres://postgres:secret@127.0.0.1:${port}/ledger`, '--work', data.root);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^memberkiosk migrate: PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/ledger: .*\(ECONNREFUSED\)\n$/);
    expect(run.stderr).not.toContain('secret');
    expect(run.stderr).not.toContain('    at ');
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(data.root).filter((name) => name.startsWith('memberkiosk-migrate-'))).toEqual([]);
    // A database that does not exist: PostgreSQL's own refusal, in one line too.
    const url = await freshPostgresDatabase('cli_exists');
    const missing = memberkiosk('migrate', '--from', from, '--to', url.replace(/\/[^/]+$/, '/no_such_database'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^memberkiosk migrate: PostgreSQL at .*\/no_such_database: database "no_such_database" does not exist \(3D000\)\n$/);
  });

  it('migrates a snapshot while a process holds the ledger open, and exits 3 saying the hub must be stopped for the switch', async () => {
    const url = await freshPostgresDatabase('cli_running');
    // This test process stands in for the running hub: it has the ledger open (WAL, a shared lock) throughout.
    await data.withLedger(async () => {
      const run = memberkiosk('migrate', '--from', from, '--to', url);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('has the ledger open');
      expect(run.stdout).toMatch(/^transactions +8 +8 +equal$/m);
      expect(run.stdout).toContain('is still running');
      expect(run.stdout).toContain('stop the hub, drop this database and migrate again');
    });
  });
});
