/**
 * `memberkiosk backup` against a real hub (embedded aedes, real SQLite) while a kiosk keeps buying, then
 * `memberkiosk restore` into a fresh folder: the restored ledger opens, its journal audit is empty, and it holds
 * at least every transaction applied before the backup started. Backup and restore run as their own processes,
 * as an operator runs them beside the hub.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { DEMO_CARDS } from '../../hub/demo/seed-demo-data.ts';
import { openLedger } from '../../hub/ledger/open-ledger.ts';
import { enrolForTest } from '../../hub/testing/enrol-for-test.ts';
import { RawDeviceClient } from '../../hub/testing/raw-device-client.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { readManifest } from './backup-manifest.ts';
import { memberkioskProcess } from '../build/memberkiosk-under-test.ts';

/** `memberkiosk …` as its own process, without blocking this one: the hub under test runs in it and must go on. */
function memberkiosk(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const command = memberkioskProcess(args);
  const child = spawn(process.execPath, command.args, { stdio: ['ignore', 'pipe', 'pipe'], env: command.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const purchase = (cents: number) => ({
  kind: 'purchase' as const,
  cardUid: DEMO_CARDS.gold,
  lines: [{ lineNo: 1, sku: 'SKU-1', category: 'grocery', qty: 1, unitPriceCents: cents }],
  payments: [{ method: 'stored_value' as const, amountCents: cents }],
});

// A hub, a kiosk and two CLI processes: more time than the default on a busy machine.
describe('backup of a hub under load, restored and audited (real hub, real SQLite, real processes)', { timeout: 90_000 }, () => {
  const temp = makeTempDir('mk-backup-');
  let env: TestHub | null = null;
  afterEach(async () => {
    await env?.dispose();
    temp.cleanup();
  });

  it('copies a consistent ledger and fleet while purchases are applied, and restores them with an empty audit', async () => {
    env = await startTestHub();
    // A file that is not SQLite, in a folder, as Node-RED keeps its flows and credentials.
    mkdirSync(join(env.dataDir, 'node-red'));
    writeFileSync(join(env.dataDir, 'node-red', 'flows_cred.json'), '{"secret":"x"}');
    chmodSync(join(env.dataDir, 'node-red', 'flows_cred.json'), 0o600);
    const device = await RawDeviceClient.connect(env.brokerUrl, 'kiosk-b1', await enrolForTest(env, 'kiosk-b1'));
    const hub = env.hub;

    // The kiosk buys one thing after another, each waiting for its answer, until told to stop.
    let applied = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const result = await device.send(device.make(purchase(100 + (applied % 50))));
        if (result.status !== 'applied') throw new Error(`purchase not applied: ${JSON.stringify(result)}`);
        applied += 1;
      }
    })();
    while (applied < 30) await new Promise((resolve) => setTimeout(resolve, 10));

    const countBefore = await hub.store.transactionCount();
    const appliedBefore = applied;
    const out = join(temp.dir, 'backup');
    const backup = await memberkiosk('backup', '--data', env.dataDir, '--out', out);
    const appliedDuring = applied - appliedBefore;
    const countAfter = await hub.store.transactionCount();
    stop = true;
    await load;
    await device.close();

    expect({ code: backup.code, stderr: backup.stderr }).toEqual({ code: 0, stderr: '' });
    expect(backup.stdout).toContain(`backup written: ${out}`);
    // The hub kept applying while the backup process ran: the backup never held it up.
    expect(appliedDuring).toBeGreaterThan(0);

    const manifest = readManifest(out);
    expect(manifest.files.filter((f) => f.kind === 'sqlite').map((f) => f.path)).toEqual(['ledger.sqlite', 'fleet.sqlite']);
    expect(manifest.files.map((f) => f.path)).toEqual(expect.arrayContaining(['tls/ca.key', 'tls/ca.crt', 'tls/server.key', 'config-signing.key', 'hq-root.pub', 'node-red/flows_cred.json']));
    expect(manifest.files.map((f) => f.path).filter((p) => /-(wal|shm|journal)$/.test(p))).toEqual([]);
    expect(manifest.files.find((f) => f.path === 'tls/ca.key')?.mode).toBe('600');
    expect(manifest.ledger.transactions).toBeGreaterThanOrEqual(countBefore);
    expect(manifest.ledger.transactions).toBeLessThanOrEqual(countAfter);

    const restoredDir = join(temp.dir, 'restored');
    const restore = await memberkiosk('restore', '--from', out, '--data', restoredDir);
    expect({ code: restore.code, stderr: restore.stderr }).toEqual({ code: 0, stderr: '' });
    expect(restore.stdout).toContain(`journal audit: ${manifest.ledger.transactions} transactions; every balance matches the journal`);

    // Opened here as well, the way the hub opens it.
    const ledger = await openLedger({ kind: 'sqlite', path: join(restoredDir, 'ledger.sqlite'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    try {
      expect(await ledger.audit()).toEqual([]);
      expect(await ledger.transactionCount()).toBeGreaterThanOrEqual(countBefore);
      expect(await ledger.lastSeq('kiosk-b1')).toBeGreaterThanOrEqual(appliedBefore);
    } finally {
      await ledger.close();
    }
    const fleet = new Database(join(restoredDir, 'fleet.sqlite'), { readonly: true });
    try {
      expect(fleet.prepare("SELECT device_id FROM devices WHERE device_id = 'kiosk-b1'").get()).toEqual({ device_id: 'kiosk-b1' });
    } finally {
      fleet.close();
    }
    for (const path of ['tls/ca.key', 'tls/ca.crt', 'config-signing.key', 'node-red/flows_cred.json']) {
      expect(readFileSync(join(restoredDir, path)), path).toEqual(readFileSync(join(env.dataDir, path)));
      expect(statSync(join(restoredDir, path)).mode & 0o777, path).toBe(statSync(join(env.dataDir, path)).mode & 0o777);
    }
  });
});
