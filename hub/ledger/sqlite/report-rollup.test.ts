import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { cashPurchase, openRulesLedger, RULES_KIOSK, type RulesLedger } from '../../testing/rules-ledger.ts';
import { kioskStaffActor } from '../../testing/staff-actor.ts';
import { currentSchemaVersion, migrateSchema } from './migrate-schema.ts';
import { REPORT_ROLLUP_BACKFILL_SQL } from './schema-report-rollup.ts';
import { SCHEMA_VERSION } from './schema.ts';

interface HourRow { store_id: string; hour: string; purchases: number; purchase_cents: number; top_ups: number; top_up_cents: number; points_issued: number; points_redeemed: number; points_expired: number }
const ALL_HOURS = 'SELECT * FROM report_hourly ORDER BY store_id, hour';

/** The totals as the migration would compute them from the transactions, on a scratch copy of the table. */
function recomputed(path: string): HourRow[] {
  const db = new Database(path);
  try {
    db.exec('BEGIN; DELETE FROM report_hourly;');
    db.exec(REPORT_ROLLUP_BACKFILL_SQL);
    return db.prepare<[], HourRow>(ALL_HOURS).all();
  } finally {
    db.exec('ROLLBACK');
    db.close();
  }
}

describe("the reports' hourly totals (schema 8)", () => {
  let env: RulesLedger;
  beforeEach(async () => {
    env = await openRulesLedger(DEFAULT_RULES_BUNDLE);
  });
  afterEach(async () => env.close());

  it('the trigger counts each applied purchase, refund and top-up in its store and UTC hour, as a recount from the transactions does; a refused one counts nothing', async () => {
    const card = await env.freshMember('R1', 'gold');
    expect((await env.kiosk(cashPurchase(card, 120), '2026-03-01T01:15:00.000Z')).status).toBe('applied');
    expect((await env.kiosk(cashPurchase(card, 30), '2026-03-01T01:45:00.000Z')).status).toBe('applied');
    expect((await env.kiosk(cashPurchase(card, 7), '2026-03-01T02:05:00.000Z')).status).toBe('applied');
    expect((await env.kiosk(cashPurchase('FFFFFFFF', 999), '2026-03-01T02:30:00.000Z')).status).toBe('rejected');
    // Staff transactions are dated now: a staff session is not open in the past.
    const actor = await kioskStaffActor(env.ledger, RULES_KIOSK);
    const now = new Date().toISOString();
    const hourNow = () => env.rows<HourRow>('SELECT * FROM report_hourly WHERE hour = ?', now.slice(0, 13))[0]!;
    // The demo data was made this hour too.
    const demo = hourNow();
    const sale = await env.kiosk(cashPurchase(card, 20), now);
    expect((await env.kiosk({ kind: 'top_up', cardUid: card, amountCents: 50_000, tender: 'cash', actor }, now)).status).toBe('applied');
    expect((await env.kiosk({ kind: 'refund', cardUid: card, purchaseTxId: sale.id, lineNos: [1], actor }, now)).status).toBe('applied');

    // Gold earns 1.5 points a yuan (the default bundle): 180 + 45 in the first hour, 10 in the second; the refund
    // takes back the 30 of the sale it refunds, in its own hour.
    expect(env.rows<HourRow>(`${ALL_HOURS.replace('ORDER BY', "WHERE hour LIKE '2026-03-01%' ORDER BY")}`)).toEqual([
      { store_id: 'store-001', hour: '2026-03-01T01', purchases: 2, purchase_cents: 15_000, top_ups: 0, top_up_cents: 0, points_issued: 225, points_redeemed: 0, points_expired: 0 },
      { store_id: 'store-001', hour: '2026-03-01T02', purchases: 1, purchase_cents: 700, top_ups: 0, top_up_cents: 0, points_issued: 10, points_redeemed: 0, points_expired: 0 },
    ]);
    const after = hourNow();
    expect({ purchases: after.purchases - demo.purchases, purchaseCents: after.purchase_cents - demo.purchase_cents, topUps: after.top_ups - demo.top_ups, topUpCents: after.top_up_cents - demo.top_up_cents, issued: after.points_issued - demo.points_issued, redeemed: after.points_redeemed - demo.points_redeemed })
      .toEqual({ purchases: 1, purchaseCents: 2_000, topUps: 1, topUpCents: 50_000, issued: 30, redeemed: 30 });
    expect(env.rows<HourRow>(ALL_HOURS)).toEqual(recomputed(env.path));
  });

  it('a schema 7 ledger gets the totals of the transactions it already holds when it opens as schema 8', async () => {
    const card = await env.freshMember('R2', 'standard');
    for (const [hour, yuan] of [['03', 10], ['03', 20], ['05', 40]] as const) await env.kiosk(cashPurchase(card, yuan), `2026-04-02T${hour}:30:00.000Z`);
    const before = env.rows<HourRow>(ALL_HOURS);
    expect(before.filter((r) => r.hour.startsWith('2026-04-02'))).toHaveLength(2);
    await env.ledger.close();

    const db = new Database(env.path);
    db.exec("DROP TABLE report_hourly; DROP TRIGGER report_hourly_count; UPDATE schema_meta SET value = '7' WHERE key = 'schema_version';");
    expect(currentSchemaVersion(db)).toBe(7);
    migrateSchema(db, pino({ level: 'silent' }));
    expect(currentSchemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(db.prepare<[], HourRow>(ALL_HOURS).all()).toEqual(before);
    db.close();
    // afterEach closes the ledger again: closing a closed ledger does nothing.
  });

  it("counts the ledger's batches once, in code, and a row inserted by anything else by the trigger (schema 10)", async () => {
    const card = await env.freshMember('R3', 'gold');
    // Several sales of one store and hour in one batch: one upsert, the same totals as a recount.
    await env.kiosk(cashPurchase(card, 10), '2026-05-03T07:10:00.000Z');
    await env.kiosk(cashPurchase(card, 20), '2026-05-03T07:20:00.000Z');
    // No marker is left behind by a batch: it lives only inside the batch's database transaction.
    expect(env.rows<{ n: number }>("SELECT count(*) AS n FROM schema_meta WHERE key = 'report_rollup_in_batch'")[0]!.n).toBe(0);
    // A tool writing a transaction row by itself (another connection, no marker): the trigger counts it.
    const other = new Database(env.path);
    other.pragma('busy_timeout = 5000');
    other
      .prepare(
        `INSERT INTO transactions (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, member_id, created_at, applied_at, result)
         VALUES ('01JROLLUPTOOL0000000000000', 'tool', 1, '', 'top_up', 'x', '{"storeId":"store-009","amountCents":700}', 'applied', NULL, '2026-05-03T07:30:00.000Z', '2026-05-03T07:30:00.000Z', '{}')`,
      )
      .run();
    other.close();
    expect(env.rows<HourRow>("SELECT * FROM report_hourly WHERE hour = '2026-05-03T07' ORDER BY store_id")).toEqual([
      { store_id: 'store-001', hour: '2026-05-03T07', purchases: 2, purchase_cents: 3_000, top_ups: 0, top_up_cents: 0, points_issued: 45, points_redeemed: 0, points_expired: 0 },
      { store_id: 'store-009', hour: '2026-05-03T07', purchases: 0, purchase_cents: 0, top_ups: 1, top_up_cents: 700, points_issued: 0, points_redeemed: 0, points_expired: 0 },
    ]);
    expect(env.rows<HourRow>(ALL_HOURS)).toEqual(recomputed(env.path));
  });

  it('a schema 9 ledger trades its trigger for the one that leaves the batches to the ledger when it opens as schema 10', async () => {
    await env.ledger.close();
    const db = new Database(env.path);
    const trigger = () => db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'report_hourly_count'").get()!.sql;
    db.exec(`DROP TRIGGER report_hourly_count;
      CREATE TRIGGER report_hourly_count AFTER INSERT ON transactions WHEN NEW.status = 'applied' AND NEW.created_at IS NOT NULL BEGIN SELECT 1; END;
      UPDATE schema_meta SET value = '9' WHERE key = 'schema_version';`);
    expect(trigger()).not.toContain('report_rollup_in_batch');
    migrateSchema(db, pino({ level: 'silent' }));
    expect(currentSchemaVersion(db)).toBe(10);
    expect(trigger()).toContain('report_rollup_in_batch');
    db.close();
  });
});
