import Database from 'better-sqlite3';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { currentSchemaVersion, migrateSchema } from './migrate-schema.ts';
import { SCHEMA_VERSION } from './schema.ts';

const silent = pino({ level: 'silent' });
const columnsOf = (db: Database.Database, table: string) => db.prepare<[], { name: string; type: string }>(`SELECT name, type FROM pragma_table_info('${table}')`).all();

/** A ledger at schema 3: today's, with schema 3's members table (without home_store_id). */
function schema3Ledger(): Database.Database {
  const db = new Database(':memory:');
  migrateSchema(db, silent);
  db.exec(`
    DROP TABLE members;
    CREATE TABLE members (
      member_id TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT NOT NULL, tier TEXT NOT NULL, referrer_id TEXT,
      credit_limit_cents INTEGER NOT NULL DEFAULT 0, cumulative_spend_cents INTEGER NOT NULL DEFAULT 0,
      cumulative_points_earned INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX members_by_phone ON members(phone);
    UPDATE schema_meta SET value = '3' WHERE key = 'schema_version';
  `);
  db.prepare("INSERT INTO members (member_id, name, phone, tier, created_at) VALUES ('M0001', 'Li Wei', '13800138001', 'gold', '2026-01-01T00:00:00.000Z')").run();
  return db;
}

describe('ledger schema 4: home stores', () => {
  it('gives existing members no home store, keeps them, and ends with the columns a new ledger has', async () => {
    const fresh = new Database(':memory:');
    migrateSchema(fresh, silent);
    const db = schema3Ledger();
    expect(columnsOf(db, 'members').map((c) => c.name)).not.toContain('home_store_id');
    migrateSchema(db, silent);
    expect(currentSchemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(4);
    expect(db.prepare('SELECT member_id, name, tier, home_store_id FROM members').all()).toEqual([{ member_id: 'M0001', name: 'Li Wei', tier: 'gold', home_store_id: null }]);
    expect(columnsOf(db, 'members')).toEqual(columnsOf(fresh, 'members'));
    // Opening it again changes nothing.
    migrateSchema(db, silent);
    expect(currentSchemaVersion(db)).toBe(SCHEMA_VERSION);
    db.close();
    fresh.close();
  });
});

describe('ledger schema 5: redemption codes and points draws', () => {
  it('adds the code and draw tables to a schema 4 ledger, as a new ledger has them, and keeps what was there', () => {
    const tables = ['code_batches', 'redemption_codes', 'draws', 'draw_prizes', 'draw_entries', 'draw_winners'];
    const fresh = new Database(':memory:');
    migrateSchema(fresh, silent);
    const db = new Database(':memory:');
    migrateSchema(db, silent);
    db.exec(`${tables.map((t) => `DROP TABLE ${t};`).join('\n')} UPDATE schema_meta SET value = '4' WHERE key = 'schema_version';`);
    db.prepare("INSERT INTO members (member_id, name, phone, tier, created_at) VALUES ('M0001', 'Li Wei', '13800138001', 'gold', '2026-01-01T00:00:00.000Z')").run();
    expect(currentSchemaVersion(db)).toBe(4);
    migrateSchema(db, silent);
    expect(currentSchemaVersion(db)).toBe(SCHEMA_VERSION);
    for (const table of tables) expect(columnsOf(db, table)).toEqual(columnsOf(fresh, table));
    expect(db.prepare('SELECT member_id FROM members').all()).toEqual([{ member_id: 'M0001' }]);
    db.close();
    fresh.close();
  });
});

describe('ledger schema 6: card types, visits, staff levels, fee charges', () => {
  it('adds the columns and tables to a schema 5 ledger as a new ledger has them, existing cards of the default type', () => {
    const fresh = new Database(':memory:');
    migrateSchema(fresh, silent);
    const db = schema3Ledger();
    db.exec(`
      DROP TABLE cards;
      CREATE TABLE cards (
        uid TEXT PRIMARY KEY, member_id TEXT NOT NULL REFERENCES members(member_id), status TEXT NOT NULL,
        valid_from TEXT, valid_until TEXT, replaced_by TEXT, issued_at TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX cards_by_member ON cards(member_id);
      DROP TABLE fee_charges;
    `);
    expect(columnsOf(db, 'cards').map((c) => c.name)).not.toContain('card_type');
    db.prepare("INSERT INTO cards (uid, member_id, status, issued_at) VALUES ('04A1B2C3', 'M0001', 'active', '2026-01-01T00:00:00.000Z')").run();
    migrateSchema(db, silent);
    expect(currentSchemaVersion(db)).toBe(SCHEMA_VERSION);
    for (const table of ['members', 'cards', 'staff', 'fee_charges', 'card_daily_spend', 'member_daily_deposit_bonus']) {
      expect(columnsOf(db, table)).toEqual(columnsOf(fresh, table));
    }
    expect(db.prepare('SELECT uid, card_type, holder_name FROM cards').all()).toEqual([{ uid: '04A1B2C3', card_type: null, holder_name: null }]);
    expect(db.prepare('SELECT visits FROM members').all()).toEqual([{ visits: 0 }]);
    db.close();
    fresh.close();
  });
});

describe('ledger schema 7: member profiles, contact log, consents', () => {
  it('adds the profile tables to a schema 6 ledger as a new ledger has them, and keeps members and journal as they were', () => {
    const tables = ['member_profiles', 'member_field_defs', 'member_contacts', 'member_consents'];
    const fresh = new Database(':memory:');
    migrateSchema(fresh, silent);
    const db = new Database(':memory:');
    migrateSchema(db, silent);
    db.exec(`${tables.map((t) => `DROP TABLE ${t};`).join('\n')} UPDATE schema_meta SET value = '6' WHERE key = 'schema_version';`);
    db.prepare("INSERT INTO members (member_id, name, phone, tier, created_at) VALUES ('M0001', 'Li Wei', '13800138001', 'gold', '2026-01-01T00:00:00.000Z')").run();
    db.prepare("INSERT INTO journal (tx_id, member_id, account, amount) VALUES ('T1', 'M0001', 'stored_value', 500)").run();
    expect(currentSchemaVersion(db)).toBe(6);
    migrateSchema(db, silent);
    expect(currentSchemaVersion(db)).toBe(SCHEMA_VERSION);
    for (const table of tables) expect(columnsOf(db, table)).toEqual(columnsOf(fresh, table));
    expect(db.prepare('SELECT member_id, name FROM members').all()).toEqual([{ member_id: 'M0001', name: 'Li Wei' }]);
    expect(db.prepare('SELECT tx_id, amount FROM journal').all()).toEqual([{ tx_id: 'T1', amount: 500 }]);
    // Consent records are append-only.
    db.prepare("INSERT INTO member_consents (member_id, purpose, granted, at, staff_id) VALUES ('M0001', 'marketing', 1, '2026-01-02T00:00:00.000Z', 'S1')").run();
    expect(() => db.prepare('DELETE FROM member_consents').run()).toThrow(/append-only/);
    db.close();
    fresh.close();
  });
});
