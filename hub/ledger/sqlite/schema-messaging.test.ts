/** Ledger schema 9: a schema 8 ledger gets outbound_messages as a new ledger has it; an idempotency key is taken once. */
import Database from 'better-sqlite3';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { currentSchemaVersion, migrateSchema } from './migrate-schema.ts';
import { SCHEMA_VERSION } from './schema.ts';

const silent = pino({ level: 'silent' });
const shapeOf = (db: Database.Database) => ({
  columns: db.prepare("SELECT name, type, \"notnull\", pk FROM pragma_table_info('outbound_messages')").all(),
  indexes: db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbound_messages' ORDER BY name").all(),
});

describe('ledger schema 9: outbound messages', () => {
  it('adds the table to a schema 8 ledger exactly as a new ledger has it, keeping what was there', () => {
    const fresh = new Database(':memory:');
    migrateSchema(fresh, silent);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(9);
    const db = new Database(':memory:');
    migrateSchema(db, silent);
    db.exec("DROP TABLE outbound_messages; UPDATE schema_meta SET value = '8' WHERE key = 'schema_version';");
    db.prepare("INSERT INTO members (member_id, name, phone, tier, created_at) VALUES ('M0001', 'Li Wei', '13800138001', 'gold', '2026-01-01T00:00:00.000Z')").run();
    expect(currentSchemaVersion(db)).toBe(8);
    migrateSchema(db, silent);
    expect(currentSchemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(shapeOf(db)).toEqual(shapeOf(fresh));
    expect(shapeOf(db).columns.length).toBeGreaterThan(10);
    expect(db.prepare('SELECT member_id FROM members').all()).toEqual([{ member_id: 'M0001' }]);
    db.close();
    fresh.close();
  });

  it('takes an idempotency key once and keeps a record to one kind of recipient', () => {
    const db = new Database(':memory:');
    migrateSchema(db, silent);
    const insert = db.prepare(
      "INSERT INTO outbound_messages (message_id, idempotency_key, recipient_kind, member_id, store_id, purpose, channel, text, status, created_at) VALUES (?, ?, ?, ?, ?, 'service', 'sms', 'x', 'sending', '2026-01-01T00:00:00Z')",
    );
    insert.run('01A', 'k1', 'member', 'M0001', null);
    expect(() => insert.run('01B', 'k1', 'member', 'M0001', null)).toThrow(/UNIQUE/);
    expect(() => insert.run('01C', 'k2', 'member', null, 'store-001')).toThrow(/CHECK/);
    expect(() => insert.run('01D', 'k3', 'store_managers', 'M0001', null)).toThrow(/CHECK/);
    db.close();
  });
});
