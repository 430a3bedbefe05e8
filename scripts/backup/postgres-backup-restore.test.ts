/**
 * `memberkiosk backup --db` and `memberkiosk restore --db` against a real PostgreSQL 15 cluster (hub/testing/
 * start-postgres.ts), as an operator runs them: their own processes, pg_dump and pg_restore for real. A ledger with
 * history (hub/testing/report-ledger.ts) is backed up — once while a kiosk keeps buying — and restored into new
 * databases on the same cluster: the restore's comparison with the manifest and its journal audit pass, and the
 * restored ledger answers like the source (every member's balances, every kiosk's last seq). What is refused: a
 * tampered dump (by its SHA-256), a database holding tables (without --force, and with it while someone is
 * connected), a backup of the other kind of hub. A ledger that does not add up fails both, with the differences.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import type { Ledger } from '../../hub/ledger/ledger.ts';
import { compareLedgers } from '../../hub/ledger/migration/ledger-checks.ts';
import { openLedger } from '../../hub/ledger/open-ledger.ts';
import { sale, TestKiosk } from '../../hub/testing/busy-sqlite-ledger.ts';
import { writeReportLedger } from '../../hub/testing/report-ledger.ts';
import { freshPostgresDatabase, startPostgres, stopPostgres, type PostgresCluster } from '../../hub/testing/start-postgres.ts';
import { readManifest } from './backup-manifest.ts';
import { POSTGRES_DUMP_FILE } from './take-backup.ts';
import { memberkioskProcess } from '../build/memberkiosk-under-test.ts';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `memberkiosk …` as its own process, without blocking this one (a test writes to the ledger meanwhile). */
function memberkiosk(...args: string[]): Promise<CliRun> {
  const command = memberkioskProcess(args);
  const child = spawn(process.execPath, command.args, { stdio: ['ignore', 'pipe', 'pipe'], env: command.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const openPostgres = (url: string) => openLedger({ kind: 'postgres', url, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 });

/** The device epochs a ledger's kiosks wrote in (for compareLedgers). */
async function deviceEpochs(url: string): Promise<{ deviceId: string; epoch: string }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ device_id: string; epoch: string }>('SELECT device_id, epoch FROM device_sequences ORDER BY 1, 2')).rows.map((r) => ({ deviceId: r.device_id, epoch: r.epoch }));
  } finally {
    await client.end();
  }
}

async function databaseExists(cluster: PostgresCluster, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: cluster.url('postgres') });
  await client.connect();
  try {
    return ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

// Several CLI processes, pg_dump and pg_restore each: more time than the default on a busy machine.
describe('backup and restore of a hub on PostgreSQL (real PostgreSQL 15, pg_dump, pg_restore, real processes)', { timeout: 180_000 }, () => {
  const temp = makeTempDir('mk-pg-backup-');
  const data = join(temp.dir, 'hub');
  let cluster: PostgresCluster;
  let sourceUrl: string;
  let source: Ledger;

  beforeAll(async () => {
    cluster = await startPostgres();
    sourceUrl = await freshPostgresDatabase('source');
    source = await openPostgres(sourceUrl);
    await writeReportLedger(source, 8);
    // The data directory of a hub on PostgreSQL: its keys and TLS, no ledger.sqlite.
    mkdirSync(join(data, 'tls'), { recursive: true });
    mkdirSync(join(data, 'node-red'));
    for (const [path, text, mode] of [['tls/ca.key', 'the CA key', 0o600], ['tls/ca.crt', 'the CA certificate', 0o644], ['config-signing.key', 'the signing key', 0o600], ['hq-root.pub', 'the HQ root key', 0o644], ['node-red/flows_cred.json', '{"secret":"x"}', 0o600]] as const) {
      writeFileSync(join(data, path), text);
      chmodSync(join(data, path), mode);
    }
  }, 120_000);
  afterAll(async () => {
    await source?.close();
    await stopPostgres();
    temp.cleanup();
  });

  it('backs up while a kiosk keeps buying, restores into a new database with the manifest and the audit equal, and the ledger answers alike', async () => {
    const history = await source.transactionCount();
    const kiosk = new TestKiosk('kiosk-load');
    await source.identity.setDeviceStore(kiosk.deviceId, DEMO_STORE_ID);
    await source.identity.setDeviceMode(kiosk.deviceId, 'attended');
    let stop = false;
    let applied = 0;
    const load = (async () => {
      while (!stop) {
        const [result] = await source.applyBatch([kiosk.item(sale(DEMO_CARDS.gold, 100 + (applied % 50)))]);
        if (result?.status !== 'applied') throw new Error(`not applied: ${JSON.stringify(result)}`);
        applied += 1;
      }
    })();
    while (applied < 5) await new Promise((resolve) => setTimeout(resolve, 10));
    const countBefore = await source.transactionCount();
    const out = join(temp.dir, 'backups');
    mkdirSync(out);
    const backup = await memberkiosk('backup', '--db', sourceUrl, '--data', data, '--to', out);
    const countAfter = await source.transactionCount();
    stop = true;
    await load;

    expect({ code: backup.code, stderr: backup.stderr }).toEqual({ code: 0, stderr: '' });
    const dir = /backup written: (.+)/.exec(backup.stdout)?.[1] ?? '';
    expect(dir).toMatch(/memberkiosk-backup-\d{8}T\d{6}Z$/);
    expect(backup.stdout).toContain('journal audit: every balance matches the journal');
    const manifest = readManifest(dir);
    expect(manifest.postgres?.pgDump).toMatch(/^pg_dump \(PostgreSQL\) 15\./);
    expect(manifest.postgres?.audit).toEqual({ differences: 0, first: [] });
    expect(manifest.files.map((f) => [f.path, f.kind, f.mode])).toEqual([
      [POSTGRES_DUMP_FILE, 'pg_dump', '600'],
      ['config-signing.key', 'file', '600'],
      ['hq-root.pub', 'file', '644'],
      ['node-red/flows_cred.json', 'file', '600'],
      ['tls/ca.crt', 'file', '644'],
      ['tls/ca.key', 'file', '600'],
    ]);
    // The kiosk bought while pg_dump ran: the snapshot holds a count between the two, and the restore below
    // finds exactly that count and those rows (its comparison with the manifest).
    expect(manifest.ledger.transactions).toBeGreaterThanOrEqual(countBefore);
    expect(manifest.ledger.transactions).toBeLessThanOrEqual(countAfter);
    expect(countAfter).toBeGreaterThan(countBefore);

    const restoredUrl = cluster.url(`restored_${process.pid}`);
    const restoredData = join(temp.dir, 'restored');
    const restore = await memberkiosk('restore', '--from', dir, '--db', restoredUrl, '--data', restoredData);
    expect({ code: restore.code, stderr: restore.stderr }).toEqual({ code: 0, stderr: '' });
    expect(restore.stdout).toContain(`created the database ${restoredUrl}`);
    expect(restore.stdout).toContain(`against the manifest: equal (${manifest.ledger.transactions} transactions;`);
    expect(restore.stdout).toContain(`journal audit: ${manifest.ledger.transactions} transactions; every balance matches the journal`);

    for (const path of ['tls/ca.key', 'tls/ca.crt', 'config-signing.key', 'hq-root.pub', 'node-red/flows_cred.json']) {
      expect(readFileSync(join(restoredData, path)), path).toEqual(readFileSync(join(data, path)));
      expect(statSync(join(restoredData, path)).mode & 0o777, path).toBe(statSync(join(data, path)).mode & 0o777);
    }
    expect(existsSync(join(restoredData, POSTGRES_DUMP_FILE))).toBe(false);

    // The restored ledger against the source with nothing after the backup: a second backup of the source now is
    // restored beside it and both compared member by member (balances, points, tier) and kiosk by kiosk.
    const restored = await openPostgres(restoredUrl);
    try {
      expect(await restored.audit()).toEqual([]);
      expect(await restored.transactionCount()).toBe(manifest.ledger.transactions);
      // Every purchase of the snapshot is there, seq 1 to n without a gap: the kiosk's next one finds its slot.
      expect(await restored.lastSeq('kiosk-load', 'E1')).toBe(manifest.ledger.transactions - history);
      const now = join(temp.dir, 'now');
      expect((await memberkiosk('backup', '--db', sourceUrl, '--data', data, '--out', now)).code).toBe(0);
      const againUrl = cluster.url(`again_${process.pid}`);
      const again = await memberkiosk('restore', '--from', now, '--db', againUrl, '--data', join(temp.dir, 'again'));
      expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
      const copy = await openPostgres(againUrl);
      try {
        const checks = await compareLedgers(source, copy, await deviceEpochs(sourceUrl));
        expect(checks.filter((c) => !c.equal)).toEqual([]);
        expect(checks.find((c) => c.check === "members' balances, points, tier")?.sqlite).toMatch(/^\d+ members$/);
      } finally {
        await copy.close();
      }
    } finally {
      await restored.close();
    }
  });

  it('refuses a tampered dump by its checksum, before creating anything', async () => {
    const backup = join(temp.dir, 'to-tamper');
    expect((await memberkiosk('backup', '--db', sourceUrl, '--data', data, '--out', backup)).code).toBe(0);
    const dump = join(backup, POSTGRES_DUMP_FILE);
    const bytes = readFileSync(dump);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
    writeFileSync(dump, bytes);
    const name = `tampered_${process.pid}`;
    const restore = await memberkiosk('restore', '--from', backup, '--db', cluster.url(name), '--data', join(temp.dir, 'tampered'));
    expect(restore.code).toBe(1);
    expect(restore.stderr).toContain(`${POSTGRES_DUMP_FILE} does not match its SHA-256 in the backup (BACKUP_FILE_MISMATCH)`);
    expect(await databaseExists(cluster, name)).toBe(false);
    expect(existsSync(join(temp.dir, 'tampered'))).toBe(false);
  });

  it('refuses a database holding tables without --force, and while anyone is connected with it; with --force renames it aside', async () => {
    const backup = join(temp.dir, 'for-force');
    expect((await memberkiosk('backup', '--db', sourceUrl, '--data', data, '--out', backup)).code).toBe(0);
    const occupiedUrl = await freshPostgresDatabase('occupied');
    const name = new URL(occupiedUrl).pathname.slice(1);
    const held = new pg.Client({ connectionString: occupiedUrl });
    await held.connect();
    try {
      await held.query("CREATE TABLE keep_me (note TEXT); INSERT INTO keep_me VALUES ('was here')");
      const refused = await memberkiosk('restore', '--from', backup, '--db', occupiedUrl, '--data', join(temp.dir, 'occupied-data'));
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('holds 1 tables or sequences (public.keep_me)');
      expect(refused.stderr).toContain('(RESTORE_DATABASE_NOT_EMPTY)');
      const inUse = await memberkiosk('restore', '--from', backup, '--db', occupiedUrl, '--data', join(temp.dir, 'occupied-data'), '--force');
      expect(inUse.code).toBe(2);
      expect(inUse.stderr).toContain('(RESTORE_DATABASE_IN_USE)');
      expect(existsSync(join(temp.dir, 'occupied-data'))).toBe(false);
    } finally {
      await held.end();
    }
    const forced = await memberkiosk('restore', '--from', backup, '--db', occupiedUrl, '--data', join(temp.dir, 'occupied-data'), '--force');
    expect({ code: forced.code, stderr: forced.stderr }).toEqual({ code: 0, stderr: '' });
    const aside = /renamed the database that was there aside to (\S+)/.exec(forced.stdout)?.[1] ?? '';
    expect(aside).toMatch(new RegExp(`^${name}_before_restore_\\d{8}t\\d{6}z$`));
    const old = new pg.Client({ connectionString: cluster.url(aside) });
    await old.connect();
    try {
      expect((await old.query('SELECT note FROM keep_me')).rows).toEqual([{ note: 'was here' }]);
    } finally {
      await old.end();
    }
  });

  it('refuses a backup of the other kind of hub with exit 2, and checks --db', async () => {
    const backup = join(temp.dir, 'kind');
    expect((await memberkiosk('backup', '--db', sourceUrl, '--data', data, '--out', backup)).code).toBe(0);
    const withoutDb = await memberkiosk('restore', '--from', backup, '--data', join(temp.dir, 'kind-data'));
    expect(withoutDb.code).toBe(2);
    expect(withoutDb.stderr).toContain('(BACKUP_KIND_MISMATCH)');
    const badUrl = await memberkiosk('backup', '--db', 'mysql://x@h/db', '--data', data, '--out', join(temp.dir, 'never'));
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr.split('\n')[0]).toBe('memberkiosk backup: --db: a postgres:// URL is needed, not mysql:');
    const unreachable = await memberkiosk('backup', '--db', 'postgres://postgres@127.0.0.1:1/none', '--data', data, '--out', join(temp.dir, 'never'));
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^memberkiosk backup: PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/none: .*\(ECONNREFUSED\)\n$/);
    expect(existsSync(join(temp.dir, 'never'))).toBe(false);
  });

  it('memberkiosk audit --db finds a balance that no longer matches its journal; backup and restore report it and exit non-zero', async () => {
    const brokenUrl = await freshPostgresDatabase('broken');
    const broken = await openPostgres(brokenUrl);
    try {
      await writeReportLedger(broken, 2);
    } finally {
      await broken.close();
    }
    const clean = await memberkiosk('audit', '--db', brokenUrl);
    expect({ code: clean.code, stderr: clean.stderr }).toEqual({ code: 0, stderr: '' });
    expect(clean.stdout).toMatch(/^\d+ transactions; every balance matches the journal\n$/);

    const client = new pg.Client({ connectionString: brokenUrl });
    await client.connect();
    try {
      await client.query("UPDATE accounts SET balance = balance + 1 WHERE member_id = 'M0001' AND account = 'stored_value'");
    } finally {
      await client.end();
    }
    const audit = await memberkiosk('audit', '--db', brokenUrl);
    expect(audit.code).toBe(1);
    expect(audit.stdout).toContain('1 differences');
    expect(audit.stdout).toContain('"memberId":"M0001","account":"stored_value"');

    const backupDir = join(temp.dir, 'broken-backup');
    const backup = await memberkiosk('backup', '--db', brokenUrl, '--data', data, '--out', backupDir);
    expect(backup.code).toBe(3);
    expect(backup.stdout).toContain('journal audit: 1 differences');
    expect(readManifest(backupDir).postgres?.audit.differences).toBe(1);
    const restore = await memberkiosk('restore', '--from', backupDir, '--db', cluster.url(`broken_restored_${process.pid}`), '--data', join(temp.dir, 'broken-data'));
    expect(restore.code).toBe(1);
    expect(restore.stdout).toContain('against the manifest: equal');
    expect(restore.stdout).toContain('the ledger had these differences when the backup was taken, too');

    // A manifest whose numbers the dump does not match (its transaction count edited): the comparison says so.
    const manifestPath = join(backupDir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { postgres: { summary: { transactions: number } } };
    manifest.postgres.summary.transactions += 1;
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const differs = await memberkiosk('restore', '--from', backupDir, '--db', cluster.url(`differs_${process.pid}`), '--data', join(temp.dir, 'differs-data'));
    expect(differs.code).toBe(1);
    expect(differs.stdout).toContain('against the manifest: 1 DIFFER');
    expect(differs.stdout).toMatch(/transactions: the backup's manifest says \d+, the restored database holds \d+/);
  });
});
