/**
 * Brings a ledger database to SCHEMA_VERSION when it opens. A new database gets the current schema at once;
 * an older one runs each missing migration in its own database transaction (all of it or none of it), in
 * order, and then the current schema's IF NOT EXISTS statements. A database written by a newer version is
 * refused rather than guessed at: that hub would have written things this one cannot read.
 */
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { redactStaffCard } from '../../../core/privacy/redact-staff-card.ts';
import { SCHEMA_SQL, SCHEMA_VERSION, TABLES_THROUGH_SCHEMA_7_SQL } from './schema.ts';
import { CODES_AND_DRAWS_SQL } from './schema-codes-draws.ts';
import { ACCOUNT_FEATURES_SQL } from './schema-account-features.ts';
import { MEMBER_PROFILES_SQL } from './schema-member-profiles.ts';
import { CONSOLE_FEATURES_SQL } from './schema-console-features.ts';
import { REPORT_ROLLUP_BACKFILL_SQL, REPORT_ROLLUP_SQL } from './schema-report-rollup.ts';
import { MESSAGING_SQL } from './schema-messaging.ts';
import { staffCardHash } from '../../identity/staff-card-hash.ts';
import { staffCardKey } from './staff-card-key.ts';
import { newStaffId } from '../../identity/new-ids.ts';

interface Migration {
  to: number;
  why: string;
  up(db: Database): void;
}

const MIGRATIONS: readonly Migration[] = [
  {
    to: 2,
    why: 'sequences per device and epoch, slot records, device clocks and alerts',
    up(db) {
      db.exec(`
        CREATE TABLE device_sequences (
          device_id TEXT NOT NULL, epoch TEXT NOT NULL, last_seq INTEGER NOT NULL, closed INTEGER NOT NULL DEFAULT 0, last_effective_at TEXT,
          PRIMARY KEY (device_id, epoch)
        ) WITHOUT ROWID;
        -- Everything a format-1 kiosk sent was in the one epoch '' that format had.
        INSERT INTO device_sequences (device_id, epoch, last_seq) SELECT device_id, '', last_seq FROM devices;
        CREATE TABLE devices_v2 (
          device_id TEXT PRIMARY KEY, clock_offset_ms INTEGER, clock_measured_at TEXT
        ) WITHOUT ROWID;
        INSERT INTO devices_v2 (device_id) SELECT device_id FROM devices;
        DROP TABLE devices;
        ALTER TABLE devices_v2 RENAME TO devices;
        -- The uniqueness of a slot now includes the epoch, which SQLite can only change by rebuilding the table.
        CREATE TABLE transactions_v2 (
          tx_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, seq INTEGER NOT NULL, epoch TEXT NOT NULL DEFAULT '',
          kind TEXT NOT NULL, content_hash TEXT NOT NULL, payload TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status IN ('applied', 'rejected')), code TEXT, member_id TEXT, bundle_version INTEGER,
          created_at TEXT, applied_at TEXT NOT NULL, result TEXT NOT NULL,
          UNIQUE (device_id, epoch, seq)
        ) WITHOUT ROWID;
        INSERT INTO transactions_v2 (tx_id, device_id, seq, epoch, kind, content_hash, payload, status, code, member_id, bundle_version, created_at, applied_at, result)
          SELECT tx_id, device_id, seq, '', kind, content_hash, payload, status, code, member_id, bundle_version, created_at, applied_at, result FROM transactions;
        DROP TABLE transactions;
        ALTER TABLE transactions_v2 RENAME TO transactions;
        CREATE INDEX transactions_by_member ON transactions(member_id, created_at);
      `);
    },
  },
  {
    to: 3,
    why: 'staff found by a keyed hash of their card (no card number in clear), staff sessions, the audit log, kiosk modes',
    up(db) {
      const oldStaff = db.prepare<[], { card_uid: string; name: string; role: string; store_ids: string; active: number }>('SELECT card_uid, name, role, store_ids, active FROM staff').all();
      db.exec(`
        DROP TABLE staff;
        ALTER TABLE devices ADD COLUMN mode TEXT NOT NULL DEFAULT 'unattended' CHECK (mode IN ('unattended', 'attended'));
        ALTER TABLE devices ADD COLUMN store_id TEXT;
      `);
      // The new tables (staff, staff_sessions, audit_log) come from the schema's tables.
      db.exec(TABLES_THROUGH_SCHEMA_7_SQL);
      const key = staffCardKey(db);
      // PINs were never checked before this version: every staff member sets one (memberkiosk staff pin).
      const insert = db.prepare('INSERT INTO staff (staff_id, name, role, store_ids, card_hash, active) VALUES (?, ?, ?, ?, ?, ?)');
      for (const row of oldStaff) insert.run(newStaffId(), row.name, row.role, row.store_ids, staffCardHash(key, row.card_uid), row.active);
      // Staff card numbers in recorded payloads (formats 1–2) are masked: they are not kept in clear anywhere.
      // The same masking as every payload recorded from now on (and as a kiosk's outbox upgrade), so a resend
      // of one of these compares equal to what is stored.
      const masked = db.prepare<[], { tx_id: string; payload: string }>(`SELECT tx_id, payload FROM transactions WHERE payload LIKE '%"staffCardUid"%'`).all();
      const setTx = db.prepare('UPDATE transactions SET payload = ? WHERE tx_id = ?');
      for (const row of masked) setTx.run(redactStaffCard(row.payload), row.tx_id);
      const slots = db.prepare<[], { device_id: string; epoch: string; seq: number; payload: string }>(`SELECT device_id, epoch, seq, payload FROM sequence_slots WHERE payload LIKE '%"staffCardUid"%'`).all();
      const setSlot = db.prepare('UPDATE sequence_slots SET payload = ? WHERE device_id = ? AND epoch = ? AND seq = ?');
      for (const row of slots) setSlot.run(redactStaffCard(row.payload), row.device_id, row.epoch, row.seq);
    },
  },
  {
    to: 4,
    why: "members' home stores (which stores' staff see a member)",
    up(db) {
      // Which store registered a member was never recorded, and no guess is safe (a member's first transaction
      // may have been made anywhere): existing members get none, so only chain-wide staff ('*') see them until
      // they shop in a store, which puts them in that store's scope.
      db.exec('ALTER TABLE members ADD COLUMN home_store_id TEXT');
    },
  },
  {
    to: 5,
    why: 'redemption codes (kept as keyed hashes) and points draws',
    up(db) {
      // New tables only: nothing existing changes.
      db.exec(CODES_AND_DRAWS_SQL);
    },
  },
  {
    to: 6,
    why: 'card types and holders, visit counts, staff levels, fee charges, attached cards\' daily spending, daily deposit bonus',
    up(db) {
      // Existing cards are of the default type (NULL), existing members have made no counted visits (visit-count
      // tiers start counting now), existing staff have no commission level until HQ sets one.
      addColumn(db, 'members', 'visits', 'INTEGER NOT NULL DEFAULT 0');
      addColumn(db, 'cards', 'card_type', 'TEXT');
      addColumn(db, 'cards', 'holder_name', 'TEXT');
      addColumn(db, 'staff', 'level', 'TEXT');
      db.exec(ACCOUNT_FEATURES_SQL);
    },
  },
  {
    to: 7,
    why: "members' profiles (gender, birthday, address, HQ's custom fields), contact log, consent records",
    up(db) {
      // New tables only: existing members have an empty profile until staff fill it in.
      db.exec(MEMBER_PROFILES_SQL);
    },
  },
  {
    to: 8,
    why: 'report indexes (a period of one kind of transaction, per store; members per home store), console tables',
    up(db) {
      // Indexes, new tables and the totals' trigger: building the indexes and the totals of the transactions already
      // recorded reads the existing rows once, in this migration.
      db.exec(CONSOLE_FEATURES_SQL);
      db.exec(REPORT_ROLLUP_BACKFILL_SQL);
    },
  },
  {
    to: 9,
    why: "outbound messages from the hub's flows (SMS to members, the staff webhook), each idempotency key once",
    up(db) {
      // A new table only: no message was ever sent before this version.
      db.exec(MESSAGING_SQL);
    },
  },
  {
    to: 10,
    why: "the reports' hourly totals of the ledger's own batches summed per batch; the trigger counts other rows",
    up(db) {
      // The same totals, kept the same way for every row inserted by anything but the ledger's batches.
      db.exec('DROP TRIGGER IF EXISTS report_hourly_count');
      db.exec(REPORT_ROLLUP_SQL);
    },
  },
];

/** ALTER TABLE … ADD COLUMN unless the column is there (a table an earlier migration created whole already has it). */
function addColumn(db: Database, table: string, column: string, definition: string): void {
  const present = db.prepare<[string, string], { name: string }>('SELECT name FROM pragma_table_info(?) WHERE name = ?').get(table, column);
  if (!present) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}

export function currentSchemaVersion(db: Database): number {
  const hasMeta = db.prepare("SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'schema_meta'").get();
  if (!hasMeta) return 0;
  const row = db.prepare<[], { value: string }>("SELECT value FROM schema_meta WHERE key = 'schema_version'").get();
  return row ? Number(row.value) : 0;
}

export function migrateSchema(db: Database, log: Logger): void {
  const current = currentSchemaVersion(db);
  const setVersion = (version: number) =>
    db.prepare("INSERT INTO schema_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(String(version));
  if (current > SCHEMA_VERSION) {
    throw new Error(`the ledger database is at schema version ${current}, newer than this hub's ${SCHEMA_VERSION}: upgrade the hub`);
  }
  if (current === 0) {
    db.transaction(() => {
      db.exec(SCHEMA_SQL);
      setVersion(SCHEMA_VERSION);
    })();
    return;
  }
  for (const migration of MIGRATIONS) {
    if (migration.to <= current) continue;
    db.transaction(() => {
      migration.up(db);
      setVersion(migration.to);
    })();
    log.info({ to: migration.to, why: migration.why }, 'ledger schema migrated');
  }
  // Tables and indexes added since without a data change are created here (IF NOT EXISTS).
  db.exec(SCHEMA_SQL);
}
