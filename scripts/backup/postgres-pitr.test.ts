/**
 * Point-in-time recovery of a hub's PostgreSQL, done for real with scripts/backup/postgres-pitr.sh (the procedure
 * docs/OPERATIONS.md gives): a PostgreSQL 15 cluster archiving its WAL with the script's settings, a ledger with
 * history, a base backup (pg_basebackup), then more kiosk purchases in two rounds with a moment noted between
 * them. The base backup plus the archive is recovered twice into new data directories on ports of their own — to
 * the end of the archive, and to the noted moment — each started, promoted, and opened as the hub opens its ledger:
 * the journal audit is empty and exactly the purchases up to the end (or the moment) are there.
 *
 * The clusters are this file's own (initdb/pg_ctl as hub/testing/start-postgres.ts does, as the `postgres` user
 * when the test runs as root), since archive_mode must be set before a cluster starts.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import type { Ledger } from '../../hub/ledger/ledger.ts';
import { openLedger } from '../../hub/ledger/open-ledger.ts';
import { sale, TestKiosk } from '../../hub/testing/busy-sqlite-ledger.ts';
import { freePort } from '../../hub/testing/free-port.ts';
import { writeReportLedger } from '../../hub/testing/report-ledger.ts';
import { postgresBin } from '../../hub/testing/start-postgres.ts';

const SCRIPT = resolve('scripts/backup/postgres-pitr.sh');
const asRoot = userInfo().uid === 0;
const bin = postgresBin();

/** A command as the user PostgreSQL runs as (initdb and postgres refuse root), with PG_BIN and libpq's variables. */
function run(command: string, args: string[], env: Record<string, string> = {}): string {
  const full = { ...process.env, PG_BIN: bin, ...env };
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', 'env', ...Object.entries({ PG_BIN: bin, ...env }).map(([k, v]) => `${k}=${v}`), command, ...args]] : [command, args];
  const done = spawnSync(file, argv, { encoding: 'utf8', env: full });
  if (done.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${done.status}): ${done.stderr || done.stdout}`);
  return done.stdout;
}

interface Cluster {
  data: string;
  port: number;
  url: string;
  stop(): void;
}

/** pg_ctl start of the data directory `data` on a free port; waits until it accepts connections. */
async function startCluster(root: string, data: string, name: string): Promise<Cluster> {
  const port = await freePort();
  run(join(bin, 'pg_ctl'), ['-D', data, '-l', join(root, `${name}.log`), '-o', `-p ${port} -k ${root} -c listen_addresses=127.0.0.1`, '-w', '-t', '120', 'start']);
  let stopped = false;
  return {
    data,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/ledger`,
    stop() {
      if (stopped) return;
      stopped = true;
      run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
  };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Until the recovered cluster has replayed what it will and been promoted (it accepts reads before that). */
async function waitForPromotion(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [row] = await query<{ recovering: boolean }>(url, 'SELECT pg_is_in_recovery() AS recovering');
    if (row && !row.recovering) return;
    if (Date.now() > deadline) throw new Error(`${url} still in recovery after 120 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Should this worker be killed before afterAll (vitest ends its forks with a signal), a detached shell stops every
 * cluster under `root` once this process is gone and removes the folder, as start-postgres.ts's watchdog does.
 */
function watchdog(root: string): () => void {
  const stopAll = `for d in "$ROOT"/*/; do [ -f "$d/postmaster.pid" ] && ${asRoot ? 'runuser -u postgres -- ' : ''}"$BIN/pg_ctl" -D "$d" -m immediate -w stop; done`;
  const child = spawn('sh', ['-c', `while kill -0 "$0" 2>/dev/null; do sleep 1; done; ${stopAll} >/dev/null 2>&1; rm -rf "$ROOT"`, String(process.pid)], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, ROOT: root, BIN: bin },
  });
  child.unref();
  return () => {
    try {
      if (child.pid !== undefined) process.kill(child.pid);
    } catch {
      // Gone already.
    }
  };
}

const openPostgres = (url: string) => openLedger({ kind: 'postgres', url, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 2 });

describe('point-in-time recovery with scripts/backup/postgres-pitr.sh (real PostgreSQL 15: WAL archive, pg_basebackup, recovery)', { timeout: 300_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'mk-pitr-'));
  const archive = join(root, 'archive');
  const clusters: Cluster[] = [];
  const stopWatchdog = watchdog(root);
  afterAll(() => {
    stopWatchdog();
    for (const cluster of clusters) {
      try {
        cluster.stop();
      } catch {
        // Already down: nothing to stop.
      }
    }
    rmSync(root, { recursive: true, force: true });
  });

  let original: Cluster;
  let history = 0;
  const kiosk = new TestKiosk('kiosk-pitr');
  let afterFirstRound = 0;
  let afterSecondRound = 0;
  let moment = '';

  beforeAll(async () => {
    mkdirSync(archive);
    if (asRoot) {
      const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())) as [number, number];
      chownSync(root, uid, gid);
      chownSync(archive, uid, gid);
    }
    const data = join(root, 'original');
    run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    appendFileSync(join(data, 'postgresql.conf'), run(SCRIPT, ['archive-settings', archive]));
    original = await startCluster(root, data, 'original');
    clusters.push(original);
    await query(original.url.replace(/\/ledger$/, '/postgres'), 'CREATE DATABASE ledger');

    const ledger = await openPostgres(original.url);
    try {
      await writeReportLedger(ledger, 4);
      await ledger.identity.setDeviceStore(kiosk.deviceId, DEMO_STORE_ID);
      await ledger.identity.setDeviceMode(kiosk.deviceId, 'attended');
      history = await ledger.transactionCount();

      run(SCRIPT, ['base-backup', join(root, 'base')], { PGHOST: '127.0.0.1', PGPORT: String(original.port), PGUSER: 'postgres' });

      // After the base backup: a first round of purchases, the moment, a second round.
      const buy = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const [result] = await ledger.applyBatch([kiosk.item(sale(DEMO_CARDS.gold, 100 + i))]);
          if (result?.status !== 'applied') throw new Error(`not applied: ${JSON.stringify(result)}`);
        }
        return ledger.transactionCount();
      };
      afterFirstRound = await buy(15);
      // The server's clock, as recovery_target_time compares it with commit times; a pause on each side.
      await new Promise((r) => setTimeout(r, 1_100));
      moment = (await query<{ now: string }>(original.url, 'SELECT clock_timestamp()::text AS now'))[0]?.now ?? '';
      await new Promise((r) => setTimeout(r, 1_100));
      afterSecondRound = await buy(15);
    } finally {
      await ledger.close();
    }
    // The current segment holds the second round: switched out, so it is archived (archive_timeout would do it
    // within 5 minutes in production), and waited for.
    const [switched] = await query<{ file: string }>(original.url, 'SELECT pg_walfile_name(pg_switch_wal()) AS file');
    const deadline = Date.now() + 60_000;
    while (!existsSync(join(archive, switched?.file ?? '?'))) {
      if (Date.now() > deadline) throw new Error(`${switched?.file} not archived after 60 s: ${readdirSync(archive).join(', ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 240_000);

  it('has archived segments and a base backup to recover from', () => {
    expect(readdirSync(archive).filter((f) => /^[0-9A-F]{24}$/.test(f)).length).toBeGreaterThan(1);
    expect(readdirSync(join(root, 'base')).sort()).toEqual(expect.arrayContaining(['base.tar.gz', 'pg_wal.tar.gz']));
    expect(afterSecondRound).toBe(afterFirstRound + 15);
    expect(afterFirstRound).toBe(history + 15);
  });

  it('recovers the base backup plus the whole archive: every purchase after the base backup is there, the audit empty', async () => {
    const data = join(root, 'to-the-end');
    run(SCRIPT, ['prepare-recovery', join(root, 'base'), archive, data]);
    const recovered = await startCluster(root, data, 'to-the-end');
    clusters.push(recovered);
    await waitForPromotion(recovered.url);
    const ledger: Ledger = await openPostgres(recovered.url);
    try {
      expect(await ledger.audit()).toEqual([]);
      expect(await ledger.transactionCount()).toBe(afterSecondRound);
      expect(await ledger.lastSeq(kiosk.deviceId, kiosk.epoch)).toBe(30);
    } finally {
      await ledger.close();
    }
  });

  it('recovers to the moment between the two rounds: the first round is there, the second is not, the audit empty', async () => {
    const data = join(root, 'to-the-moment');
    run(SCRIPT, ['prepare-recovery', join(root, 'base'), archive, data, moment]);
    const recovered = await startCluster(root, data, 'to-the-moment');
    clusters.push(recovered);
    await waitForPromotion(recovered.url);
    const ledger: Ledger = await openPostgres(recovered.url);
    try {
      expect(await ledger.audit()).toEqual([]);
      expect(await ledger.transactionCount()).toBe(afterFirstRound);
      expect(await ledger.lastSeq(kiosk.deviceId, kiosk.epoch)).toBe(15);
    } finally {
      await ledger.close();
    }
  });

  it('refuses to prepare a recovery into a data directory that is not empty', () => {
    expect(() => run(SCRIPT, ['prepare-recovery', join(root, 'base'), archive, original.data])).toThrow(/is not empty/);
  });
});
