/**
 * The sqlite → postgres migration on real SQLite files and a real PostgreSQL cluster (hub/testing/start-postgres.ts):
 * a ledger with a few hundred transactions of many kinds copied whole and checked equal; the PostgreSQL ledger
 * taking over where SQLite stopped (each kiosk's next seq, a resend answered from the migrated row, HQ's seq,
 * journal numbering, the staff-card and redemption-code keys); the checks failing when the two differ; and every
 * refusal leaving the target without a row.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import { DEMO_CARDS, DEMO_OPENING, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import { sale, TestKiosk, writeBusySqliteLedger, type BusyLedgerSummary } from '../testing/busy-sqlite-ledger.ts';
import { freshPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { hqAdminLogin, kioskStaffActor } from '../testing/staff-actor.ts';
import type { Ledger } from './ledger.ts';
import { parseLedgerTransaction } from './ledger-parse.ts';
import { migrateSqliteToPostgres, type MigrationReport } from './migrate-to-postgres.ts';
import { compareLedgers } from './migration/ledger-checks.ts';
import { tablesHoldingRows } from './migration/copy-into-postgres.ts';
import { postgresTargetTables } from './migration/postgres-target-tables.ts';
import { planSqliteCopy } from './migration/sqlite-copy-plan.ts';
import { postgresTableDigests, sqliteTableDigest, TEXT_AS_SENT } from './migration/table-digests.ts';
import { openLedger } from './open-ledger.ts';
import { POSTGRES_REPORT_ROLLUP_BACKFILL_SQL } from './postgres/postgres-schema-v7-report-rollup.ts';

const logger = pino({ level: 'silent' });
const migrate = (sqlitePath: string, postgresUrl: string, batchRows?: number) =>
  migrateSqliteToPostgres({ sqlitePath, postgresUrl, logger, fallbackBundle: DEFAULT_RULES_BUNDLE, ...(batchRows ? { batchRows } : {}) });
const openSqlite = (path: string) => openLedger({ kind: 'sqlite', path, logger, fallbackBundle: DEFAULT_RULES_BUNDLE });
const openPostgres = (url: string) => openLedger({ kind: 'postgres', url, logger, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 });

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** The target's tables holding any row: [] after every refusal. */
const rowsInTarget = (url: string) => withClient(url, async (client) => tablesHoldingRows(client, (await postgresTargetTables(client)).map((t) => t.name)));

describe('migrating a SQLite ledger into PostgreSQL', { timeout: 120_000 }, () => {
  let dir: string;
  let busy: string;
  let summary: BusyLedgerSummary;
  const open: Ledger[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mk-migrate-'));
    busy = join(dir, 'busy.sqlite');
    summary = await writeBusySqliteLedger(busy);
  });
  afterEach(async () => {
    for (const ledger of open.splice(0)) await ledger.close();
  });
  afterAll(async () => {
    await stopPostgres();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the busy ledger to change for one test. */
  function busyCopy(name: string): string {
    const path = join(dir, `${name}.sqlite`);
    const db = new Database(busy, { readonly: true });
    try {
      db.prepare('VACUUM INTO ?').run(path);
    } finally {
      db.close();
    }
    return path;
  }

  it('copies every table of a busy ledger and finds both ledgers equal: audit, transactions, members, seqs', async () => {
    // The history has what a ledger meets: refusals recorded beside applied transactions, several kinds.
    const statuses = new Set(summary.results.map((r) => `${r.status}:${r.code ?? ''}`));
    expect(statuses).toEqual(new Set(['applied:', 'rejected:INSUFFICIENT_STORED_VALUE', 'rejected:INSUFFICIENT_POINTS']));
    expect(summary.results.length).toBeGreaterThan(250);

    const url = await freshPostgresDatabase('migrated');
    // Small batches: the journal and the transactions each cross many batch boundaries.
    const report = await migrate(busyCopy('whole'), url, 7);

    expect(report.ok).toBe(true);
    expect(report.tables.filter((t) => !t.equal)).toEqual([]);
    expect(report.checks.map((c) => [c.check, c.equal])).toEqual([
      ['journal audit (differences)', true],
      ['transactions', true],
      ["members' balances, points, tier", true],
      ["devices' last seq per epoch", true],
    ]);
    const source = new Database(busy, { readonly: true });
    try {
      // Every SQLite table the PostgreSQL ledger has is copied row for row; the rest is listed with why.
      for (const t of report.tables.filter((x) => x.table !== 'schema_meta' && x.note === undefined)) {
        expect({ table: t.table, rows: t.postgresRows }).toEqual({ table: t.table, rows: (source.prepare(`SELECT count(*) AS n FROM "${t.table}"`).get() as { n: number }).n });
      }
      const rowsOf = (table: string) => report.tables.find((t) => t.table === table)?.postgresRows;
      // The demo's opening top-ups and purchases, then every result of the busy history: all recorded.
      expect(rowsOf('transactions')).toBe(DEMO_OPENING.length * 2 + summary.results.length);
      expect(rowsOf('journal')).toBeGreaterThan(300);
      for (const table of ['draw_entries', 'redemption_codes', 'refunded_lines', 'member_consents', 'device_alerts', 'staff_sessions', 'audit_log', 'point_lots']) expect(rowsOf(table), table).toBeGreaterThan(0);
      // The reports' hourly totals are copied like any table (PostgreSQL keeps them by trigger too), and equal what
      // PostgreSQL's own migration counts from the copied transactions.
      expect(report.leftBehind.find((l) => l.table === 'report_hourly')).toBeUndefined();
      expect(rowsOf('report_hourly')).toBeGreaterThan(0);
      const recount = await withClient(url, async (client) => {
        const totals = (from: string) =>
          client.query(`SELECT store_id, hour, sum(purchases)::text AS p, sum(purchase_cents)::text AS pc, sum(top_ups)::text AS t, sum(top_up_cents)::text AS tc,
            sum(points_issued)::text AS i, sum(points_redeemed)::text AS r, sum(points_expired)::text AS e FROM ${from} GROUP BY store_id, hour ORDER BY store_id, hour`);
        const copied = (await totals('report_hourly')).rows;
        await client.query('BEGIN');
        await client.query('CREATE TEMP TABLE recounted (LIKE report_hourly INCLUDING ALL) ON COMMIT DROP');
        await client.query(POSTGRES_REPORT_ROLLUP_BACKFILL_SQL.replaceAll('report_hourly', 'recounted'));
        const counted = (await totals('recounted')).rows;
        await client.query('ROLLBACK');
        return { copied, counted };
      });
      expect(recount.copied).toEqual(recount.counted);
    } finally {
      source.close();
    }

    // Read through the ledgers themselves, independently of the report.
    const [sqlite, postgres] = [await openSqlite(busy), await openPostgres(url)];
    open.push(sqlite, postgres);
    expect(await postgres.audit()).toEqual([]);
    expect(await postgres.transactionCount()).toBe(await sqlite.transactionCount());
    for (const card of Object.values(DEMO_CARDS)) {
      const [s, p] = [await sqlite.memberViewByCard(card, 20), await postgres.memberViewByCard(card, 20)];
      expect({ card, balances: p?.balances, history: p?.history.map((h) => h.txId) }).toEqual({ card, balances: s?.balances, history: s?.history.map((h) => h.txId) });
    }
    for (const { deviceId, epoch } of summary.kiosks) expect(await postgres.lastSeq(deviceId, epoch)).toBe(await sqlite.lastSeq(deviceId, epoch));
  });

  it('lets the PostgreSQL ledger carry on where SQLite stopped: next seq, resends, HQ seq, journal numbers, staff cards, codes', async () => {
    const url = await freshPostgresDatabase('carry_on');
    expect((await migrate(busyCopy('carry'), url)).ok).toBe(true);
    const source = new Database(busy, { readonly: true });
    const lastOf = (deviceId: string, epoch: string) =>
      source.prepare('SELECT payload FROM transactions WHERE device_id = ? AND epoch = ? ORDER BY seq DESC LIMIT 1').get(deviceId, epoch) as { payload: string };
    const kioskC = summary.kiosks.find((k) => k.deviceId === 'kiosk-c')!;
    const lastC = lastOf('kiosk-c', kioskC.epoch);
    const lastA = lastOf('kiosk-a', 'E1');
    const maxEntry = (source.prepare('SELECT max(entry_id) AS n FROM journal').get() as { n: number }).n;
    source.close();

    const postgres = await openPostgres(url);
    open.push(postgres);
    const seqC = await postgres.lastSeq('kiosk-c', kioskC.epoch);
    const hqSeq = await postgres.lastSeq(HQ_DEVICE_ID);
    expect(seqC).toBeGreaterThan(0);

    // A resend of the last migrated transaction is answered from its migrated row, not applied again.
    const resend = (await postgres.applyBatch([{ topicDeviceId: 'kiosk-a', parsed: parseLedgerTransaction(lastA.payload) }]))[0]!;
    expect(resend).toMatchObject({ status: 'exists', recorded: true });

    // Kiosk c's next transaction takes the slot after its migrated one; one that skips a slot waits.
    expect((JSON.parse(lastC.payload) as { seq: number }).seq).toBe(seqC);
    const kiosk = new TestKiosk('kiosk-c', kioskC.epoch);
    const tx = (seq: number, body: Record<string, unknown>) => kiosk.item(body, seq);
    const skipping = (await postgres.applyBatch([tx(seqC + 2, sale(DEMO_CARDS.gold, 100))]))[0]!;
    expect(skipping).toMatchObject({ status: 'rejected', code: 'TX_OUT_OF_ORDER', recorded: false });
    const [applied, after] = await postgres.applyBatch([tx(seqC + 1, sale(DEMO_CARDS.gold, 1_000)), tx(seqC + 2, sale(DEMO_CARDS.gold, 100))]);
    expect([applied?.status, applied?.seq, after?.status, after?.seq]).toEqual(['applied', seqC + 1, 'applied', seqC + 2]);
    expect(await postgres.lastSeq('kiosk-c', kioskC.epoch)).toBe(seqC + 2);

    // The staff card key came along: the demo manager's card and PIN still sign in, on the kiosk and at HQ.
    const actor = await kioskStaffActor(postgres, 'kiosk-c');
    const topUp = await postgres.applyBatch([tx(seqC + 3, { kind: 'top_up', cardUid: DEMO_CARDS.silver, amountCents: 500, tender: 'cash', actor })]);
    expect(topUp[0]).toMatchObject({ status: 'applied' });
    const { actor: hq } = await hqAdminLogin(postgres);
    const hqTopUp = await postgres.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 100, tender: 'cash', actor: hq });
    expect([hqTopUp.status, hqTopUp.seq]).toEqual(['applied', hqSeq + 1]);
    // So did the redemption code key: an unused code of the migrated batch redeems; a used one stays used.
    const code = (n: number) => createHash('sha256').update(`busy-code-${n}`).digest('hex');
    const codes = await postgres.applyBatch([
      tx(seqC + 4, { kind: 'code_redeem', cardUid: DEMO_CARDS.gold, codeDigest: code(9) }),
      tx(seqC + 5, { kind: 'code_redeem', cardUid: DEMO_CARDS.gold, codeDigest: code(0) }),
    ]);
    expect(codes.map((r) => [r.status, r.code])).toEqual([['applied', undefined], ['rejected', 'CODE_USED']]);

    // The journal's numbering went on past the migrated entries (its sequence was set, not left at 1).
    const entries = await withClient(url, async (client) => (await client.query<{ entry_id: string }>('SELECT entry_id FROM journal WHERE tx_id = $1', [applied!.id])).rows);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(Number(e.entry_id)).toBeGreaterThan(maxEntry);
    expect(await postgres.audit()).toEqual([]);
  });

  it('reports a PostgreSQL ledger that differs from the SQLite one: a balance, a seq', async () => {
    const url = await freshPostgresDatabase('tampered');
    const path = busyCopy('tampered');
    expect((await migrate(path, url)).ok).toBe(true);
    await withClient(url, async (client) => {
      await client.query("UPDATE accounts SET balance = balance + 1 WHERE member_id = 'M0002' AND account = 'stored_value'");
      await client.query("UPDATE device_sequences SET last_seq = last_seq + 1 WHERE device_id = 'kiosk-b'");
    });
    const [sqlite, postgres] = [await openSqlite(path), await openPostgres(url)];
    open.push(sqlite, postgres);
    const checks = await compareLedgers(sqlite, postgres, [{ deviceId: 'kiosk-b', epoch: 'E1' }, { deviceId: 'kiosk-a', epoch: 'E1' }]);
    expect(checks.map((c) => [c.check, c.equal])).toEqual([
      ['journal audit (differences)', false],
      ['transactions', true],
      ["members' balances, points, tier", false],
      ["devices' last seq per epoch", false],
    ]);
    expect(checks[2]!.detail).toContain('M0002');
    expect(checks[3]!.detail).toContain('kiosk-b/E1');

    // The tables' digests see it too: the changed tables differ (same row counts), the others do not.
    const db = new Database(path, { readonly: true });
    try {
      const plan = await withClient(url, async (client) => planSqliteCopy(db, await postgresTargetTables(client)));
      const reader = new pg.Client({ connectionString: url, types: TEXT_AS_SENT });
      await reader.connect();
      const digests = await postgresTableDigests(reader, plan.tables).finally(() => reader.end());
      const differing = plan.tables.filter((t) => !isDeepStrictEqual(sqliteTableDigest(db, t), digests.get(t.name))).map((t) => t.name);
      expect(differing.sort()).toEqual(['accounts', 'device_sequences']);
      expect(digests.get('accounts')!.rows).toBe(sqliteTableDigest(db, plan.tables.find((t) => t.name === 'accounts')!).rows);
    } finally {
      db.close();
    }
  });

  it('refuses a target that already holds a ledger, writing nothing more into it', async () => {
    const url = await freshPostgresDatabase('taken');
    // A hub worker opened it once: keys and a rules bundle are in it, no transactions.
    await (await openPostgres(url)).close();
    const before = await rowsInTarget(url);
    expect(before.length).toBeGreaterThan(0);
    await expect(migrate(busyCopy('taken'), url)).rejects.toMatchObject({ code: 'MIGRATE_TARGET_NOT_EMPTY', message: expect.stringContaining('schema_meta') as unknown });
    expect(await rowsInTarget(url)).toEqual(before);
    expect(await withClient(url, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM transactions')).rows[0])).toEqual({ n: 0 });
  });

  it('refuses rows in a table or a column PostgreSQL has no place for, listing them; empty ones are only reported', async () => {
    const path = busyCopy('unported');
    const db = new Database(path);
    db.exec("CREATE TABLE loyalty_stamps (member_id TEXT PRIMARY KEY, stamps INTEGER); INSERT INTO loyalty_stamps VALUES ('M0001', 3)");
    db.exec("ALTER TABLE members ADD COLUMN nickname TEXT; UPDATE members SET nickname = 'Wei' WHERE member_id = 'M0001'");
    db.exec('CREATE TABLE empty_extra (x INTEGER); ALTER TABLE cards ADD COLUMN colour TEXT');
    db.close();
    const url = await freshPostgresDatabase('unported');
    const refused = migrate(path, url);
    await expect(refused).rejects.toMatchObject({ code: 'NOT_IMPLEMENTED_ON_POSTGRES', details: { unported: ['table loyalty_stamps (1 rows)', 'column members.nickname (1 values)'] } });
    await expect(refused).rejects.toThrow(/loyalty_stamps \(1 rows\)[\s\S]*members\.nickname/);
    expect(await rowsInTarget(url)).toEqual([]);

    // Emptied, the same ledger migrates; the empty table and column are named in the report, not copied.
    const fixed = new Database(path);
    fixed.exec('DELETE FROM loyalty_stamps; UPDATE members SET nickname = NULL');
    fixed.close();
    const report: MigrationReport = await migrate(path, url);
    expect(report.ok).toBe(true);
    expect(report.leftBehind).toEqual(expect.arrayContaining([
      { table: 'loyalty_stamps', rows: 0, why: expect.stringContaining('empty') as unknown },
      { table: 'empty_extra', rows: 0, why: expect.stringContaining('empty') as unknown },
      { table: 'cards.colour', rows: 0, why: expect.stringContaining('no value') as unknown },
      { table: 'members.nickname', rows: 0, why: expect.stringContaining('no value') as unknown },
    ]));
  });

  it('refuses a source whose journal audit finds differences, and values PostgreSQL would change, leaving the target empty', async () => {
    const unaudited = busyCopy('unaudited');
    const a = new Database(unaudited);
    a.exec("UPDATE accounts SET balance = balance + 1 WHERE member_id = 'M0003' AND account = 'stored_value'");
    a.close();
    const url = await freshPostgresDatabase('refusals');
    await expect(migrate(unaudited, url)).rejects.toMatchObject({ code: 'MIGRATE_SOURCE_AUDIT_FAILED' });
    expect(await rowsInTarget(url)).toEqual([]);

    // A NUL inside a text (PostgreSQL's text cannot hold one) and a fraction in an integer column: refused, rolled back.
    for (const [name, change, says] of [
      ['nul', "UPDATE members SET name = 'Li' || char(0) || 'Wei' WHERE member_id = 'M0001'", /members\.name of row M0001/],
      ['real', "UPDATE members SET visits = 1.5 WHERE member_id = 'M0004'", /members\.visits of row M0004 holds number 1\.5/],
    ] as const) {
      const path = busyCopy(name);
      const db = new Database(path);
      db.exec(change);
      db.close();
      // Batches of 1: the bad row comes after others of its table were already sent.
      await expect(migrate(path, url, 1)).rejects.toMatchObject({ code: 'MIGRATE_VALUE_UNCONVERTIBLE', message: expect.stringMatching(says) as unknown });
      expect(await rowsInTarget(url)).toEqual([]);
    }
  });
});
