/**
 * What only the PostgreSQL configuration store does: keep snapshotRulesVersion's answers in step with other
 * processes through a listening connection — and, when that connection is lost (a server restart, a network cut,
 * killed here with pg_terminate_backend), listen again and load every snapshot again, so what was saved meanwhile
 * (its notification lost with the connection) is known too. A throwaway cluster for this file.
 */
import { generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { signSnapshot } from '../../core/config/sign-config-documents.ts';
import { storesUnderTest, type StoresUnderTest } from '../db/hub-stores-contract-support.ts';
import { freshPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { SNAPSHOTS_SAVED_CHANNEL } from './postgres-config-store.ts';

afterAll(stopPostgres);

const { privateKey } = generateKeyPairSync('ed25519');
function snapshot(version: number, deviceId: string, rulesVersion: number) {
  const signed = signSnapshot(privateKey, { type: 'snapshot', deviceId, storeId: 'store-1', regionId: null, version, rulesVersion, issuedAt: '2026-01-01T00:00:00.000Z', expires: '2026-02-01T00:00:00.000Z', scopes: [] });
  return { row: { version, deviceId, rulesVersion, signed, keyId: 'k', issuedAt: signed.signed.issuedAt, expires: signed.signed.expires }, set: { signingKey: signed as never, snapshot: signed, bundles: [] } };
}

describe('the PostgreSQL configuration store follows other processes’ snapshots', () => {
  let under: StoresUnderTest | null = null;

  afterEach(async () => {
    await under?.dispose();
    under = null;
  });

  it('listens again after its connection is killed, and then knows what was saved while it was gone', async () => {
    const url = await freshPostgresDatabase('follow');
    under = await storesUnderTest({ kind: 'postgres', url });
    const follower = under.stores.config;
    const writer = (await under.another()).config;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const listeners = async () => (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1`, [`LISTEN ${SNAPSHOTS_SAVED_CHANNEL}`])).rows.map((r) => r.pid);
      await vi.waitFor(async () => expect(await listeners()).toHaveLength(2), { timeout: 5_000, interval: 50 });
      const before = await listeners();
      // Kill both listening connections: the follower's loses its notifications until it listens again.
      for (const pid of before) await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await writer.saveSnapshots([snapshot(7, 'kiosk-1', 3)]);
      expect(writer.snapshotRulesVersion('kiosk-1', 7)).toBe(3);
      await vi.waitFor(() => expect(follower.snapshotRulesVersion('kiosk-1', 7)).toBe(3), { timeout: 10_000, interval: 50 });
      // The follower caught up on its own reconnect; the writer's store listens again on its own clock (1 s, later
      // under load): wait for both, as for the first two.
      await vi.waitFor(async () => expect(await listeners()).toHaveLength(2), { timeout: 5_000, interval: 50 });
      const after = await listeners();
      expect(after).toHaveLength(2);
      expect(after.filter((pid) => before.includes(pid))).toEqual([]);
      // And follows again by notification once it listens.
      await writer.saveSnapshots([snapshot(8, 'kiosk-1', 4)]);
      await vi.waitFor(() => expect(follower.snapshotRulesVersion('kiosk-1', 'newest')).toBe(4), { timeout: 5_000, interval: 20 });
    } finally {
      await admin.end();
    }
  });
});
