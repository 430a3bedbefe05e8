/**
 * The outbox's schema, and how an outbox written by an earlier version is brought to it on open. Queued money
 * survives upgrades: a format-1 outbox (seq as primary key, one implicit epoch) keeps its entries, their exact
 * payloads and their order; they stay in epoch '' (format 1's), and so do new appends until a move to a new
 * epoch, so the hub sees one unbroken sequence across the upgrade.
 *
 * A data file belongs to one device: its seqs mean nothing under another device id.
 */
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { CodedError } from '../../core/errors/coded-error.ts';
import { redactStaffCard } from '../../core/privacy/redact-staff-card.ts';

export const OUTBOX_SCHEMA_VERSION = 3;

const TABLES = `
  CREATE TABLE IF NOT EXISTS outbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  CREATE TABLE IF NOT EXISTS outbox (
    pos INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    epoch TEXT NOT NULL,
    seq INTEGER NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
    created_at TEXT NOT NULL,
    result TEXT,
    done_at TEXT,
    idempotency_key TEXT,
    request_hash TEXT,
    UNIQUE (epoch, seq)
  ) STRICT;
  CREATE INDEX IF NOT EXISTS outbox_pending_by_pos ON outbox (pos) WHERE status = 'pending';
  -- Partial: most entries have no key, and an index page written per append is a cost on every sale.
  CREATE UNIQUE INDEX IF NOT EXISTS outbox_by_idempotency_key ON outbox (idempotency_key) WHERE idempotency_key IS NOT NULL;
`;

export function migrateOutbox(db: Database, opts: { deviceId: string; newEpoch: () => string; logger: Logger }): void {
  db.transaction(() => {
    const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('outbox')`).all().map((c) => c.name);
    const fresh = columns.length === 0;
    if (!fresh && !columns.includes('pos')) {
      // Format 1: seq was the primary key and there was one epoch. Positions keep the seq order.
      db.exec(`
        ALTER TABLE outbox RENAME TO outbox_v1;
        DROP INDEX IF EXISTS outbox_pending;
      `);
      db.exec(TABLES);
      const moved = db
        .prepare(
          `INSERT INTO outbox (pos, id, kind, epoch, seq, payload, status, created_at, result, done_at)
           SELECT seq, id, kind, '', seq, payload, status, created_at, result, done_at FROM outbox_v1 ORDER BY seq`,
        )
        .run().changes;
      db.exec(`DROP TABLE outbox_v1`);
      db.prepare(`INSERT INTO outbox_meta (key, value) VALUES ('epoch', '') ON CONFLICT(key) DO NOTHING`).run();
      opts.logger.info({ entries: moved }, 'outbox upgraded from format 1; its entries keep epoch and seq');
    }
    db.exec(TABLES);
    maskStaffCards(db, opts.logger);
    claimForDevice(db, opts.deviceId);
    // A fresh outbox starts a new epoch: nothing it sends can collide with what this device id sent before.
    db.prepare(`INSERT INTO outbox_meta (key, value) VALUES ('epoch', ?) ON CONFLICT(key) DO NOTHING`).run(opts.newEpoch());
    db.prepare(`INSERT INTO outbox_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(
      String(OUTBOX_SCHEMA_VERSION),
    );
  })();
}

/**
 * Outbox schema 3: formats 1–2 named staff by their card number, which is not kept in clear anywhere any more.
 * Masked exactly as the hub masks what it records (core/privacy/redact-staff-card.ts), so a resend of an entry
 * the hub already holds compares equal to it; such a transaction is refused anyway (STAFF_SESSION_REQUIRED).
 */
function maskStaffCards(db: Database, logger: Logger): void {
  const rows = db.prepare<[], { pos: number; payload: string }>(`SELECT pos, payload FROM outbox WHERE payload LIKE '%"staffCardUid"%'`).all();
  const update = db.prepare('UPDATE outbox SET payload = ? WHERE pos = ?');
  let masked = 0;
  for (const row of rows) {
    const redacted = redactStaffCard(row.payload);
    if (redacted !== row.payload) masked += update.run(redacted, row.pos).changes;
  }
  if (masked > 0) logger.info({ entries: masked }, 'staff card numbers masked in older outbox entries');
}

function claimForDevice(db: Database, deviceId: string): void {
  const row = db.prepare<[], { value: string }>(`SELECT value FROM outbox_meta WHERE key = 'deviceId'`).get();
  if (!row) {
    db.prepare(`INSERT INTO outbox_meta (key, value) VALUES ('deviceId', ?)`).run(deviceId);
    return;
  }
  if (row.value !== deviceId) {
    throw new CodedError('TX_DEVICE_MISMATCH', `outbox file belongs to device '${row.value}', not '${deviceId}'`);
  }
}
