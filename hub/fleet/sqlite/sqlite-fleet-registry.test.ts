/**
 * What only the SQLite fleet registry does: bring an older fleet.sqlite up to date. Everything a fleet registry
 * answers is in the contract (../fleet-registry-contract.ts, run by sqlite-fleet-registry.contract.test.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteFleetRegistry } from './sqlite-fleet-registry.ts';

describe('fleet registry (real SQLite file)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mk-fleet-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the stores of a fleet written before profiles an empty address and phone, in Asia/Shanghai', async () => {
    const old = join(dir, 'old-fleet.sqlite');
    const db = new Database(old);
    // The stores table as schema 1 made it, a store in it, and the file at schema 3 (the last before profiles).
    db.exec(`CREATE TABLE regions (region_id TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE stores (store_id TEXT PRIMARY KEY, name TEXT NOT NULL, region_id TEXT NOT NULL REFERENCES regions(region_id)) WITHOUT ROWID;
      INSERT INTO regions VALUES ('east', 'East'); INSERT INTO stores VALUES ('s-1', '一店', 'east');`);
    db.pragma('user_version = 3');
    db.close();
    const upgraded = new SqliteFleetRegistry(old);
    await upgraded.open();
    try {
      expect(await upgraded.listStores()).toEqual([{ storeId: 's-1', name: '一店', regionId: 'east', address: '', phone: '', timezone: 'Asia/Shanghai' }]);
    } finally {
      await upgraded.close();
    }
  });
});
