/**
 * A kiosk the registry has never heard of, reported by two hub workers at the same moment (PostgreSQL only: SQLite
 * has one writer). The other writer is a transaction held open on its own connection, so the moment is exact: it has
 * made the kiosk's record and not committed yet when this store applies its own report of the kiosk.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { storesUnderTest } from '../db/hub-stores-contract-support.ts';
import { freshPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';

afterAll(stopPostgres);

describe('the device registry on PostgreSQL: a new kiosk reported by two writers at once', () => {
  it("keeps the other writer's record and adds this one's change to it (waits on the row, does not overwrite it)", async () => {
    const url = await freshPostgresDatabase('registry-first');
    const under = await storesUnderTest({ kind: 'postgres', url });
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query("INSERT INTO device_status (device_id, software, online, online_changed_at, updated_at) VALUES ('k9', '9.9.9', 1, 't0', 't0')");
      const applying = under.stores.deviceStatus.apply([{ deviceId: 'k9', seenAt: 't1' }], 'u1');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await other.query('COMMIT');
      await applying;
      const k9 = await under.stores.deviceStatus.get('k9');
      // The other writer's record survives (software, online), with this writer's sighting merged in.
      expect(k9).toMatchObject({ software: '9.9.9', online: true, lastSeen: 't1' });
    } finally {
      await other.end();
      await under.dispose();
    }
  });
});
