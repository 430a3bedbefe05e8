/**
 * `memberkiosk staff level` and `memberkiosk commission report` on a hub's data directory, each as a real process:
 * a cashier's level set (audited as the CLI), a sale she served at the counter, and the period's report in JSON and
 * CSV — 5 % of a ¥128 haircut is ¥6.40.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../../hub/demo/seed-demo-data.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import { parseLedgerTransaction } from '../../hub/ledger/ledger-parse.ts';
import { openLedger } from '../../hub/ledger/open-ledger.ts';

function memberkiosk(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['bin/memberkiosk.mjs', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
const SOLD_AT = Date.parse('2025-11-10T01:00:00.000Z');

describe('memberkiosk commission (real processes)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let hub: string;
  let staffId: string;

  const withLedger = async <T>(use: (ledger: Awaited<ReturnType<typeof openLedger>>) => Promise<T>): Promise<T> => {
    const ledger = await openLedger({ kind: 'sqlite', path: join(hub, 'ledger.sqlite'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    try {
      return await use(ledger);
    } finally {
      await ledger.close();
    }
  };

  beforeEach(async () => {
    temp = makeTempDir('mk-commission-cli-');
    hub = join(temp.dir, 'hub');
    mkdirSync(hub, { recursive: true });
    staffId = await withLedger(async (ledger) => {
      await seedDemoData(ledger);
      await ledger.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 9, commission: { levels: { 高级: { 美发: { rate: '0.05' } } } } });
      await ledger.identity.setDeviceMode('kiosk-cli', 'attended');
      await ledger.identity.setDeviceStore('kiosk-cli', DEMO_STORE_ID);
      const identity = createIdentityService({ store: ledger.identity, logger: pino({ level: 'silent' }), now: () => SOLD_AT });
      const account = await identity.addStaff({ name: '王芳', role: 'cashier', storeIds: [DEMO_STORE_ID], cardUid: 'A5C0FFEE01', pin: '8642' }, { kind: 'system', id: 'test', surface: 'cli' });
      const { session } = await identity.signInWithCard('kiosk-cli', 'A5C0FFEE01', '8642');
      const payload = {
        v: TX_FORMAT, id: nextId(), deviceId: 'kiosk-cli', epoch: 'E1', seq: 1, createdAt: new Date(SOLD_AT + 60_000).toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 9,
        kind: 'purchase', cardUid: DEMO_CARDS.standard, lines: [{ lineNo: 1, sku: 'CUT', category: '美发', qty: 1, unitPriceCents: 12_800 }], payments: [{ method: 'cash', amountCents: 12_800 }],
        actor: { staffId: session.staffId, sessionId: session.sessionId },
      };
      const [result] = await ledger.applyBatch([{ topicDeviceId: 'kiosk-cli', parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
      expect(result).toMatchObject({ status: 'applied' });
      return account.staffId;
    });
  });

  afterEach(async () => {
    expect(await withLedger((ledger) => ledger.audit())).toEqual([]);
    temp.cleanup();
  });

  it('sets a level, audited as the CLI, and reports the period in JSON and CSV', async () => {
    const report = ['commission', 'report', '--from', '2025-11-01', '--to', '2025-12-01', '--data', hub];
    // No level yet: the amount is there, no commission.
    const before = memberkiosk(...report);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ staff: [{ staffId, level: null, codes: [{ code: '美发', amountCents: 12_800, count: 1, commissionCents: 0 }] }], totalCents: 0 });

    const set = memberkiosk('staff', 'level', staffId, '--level', '高级', '--data', hub);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ staffId, level: '高级' });
    const log = await withLedger((ledger) => ledger.identity.auditEntries({ limit: 5, action: 'staff.set_level' }));
    expect(log).toEqual([expect.objectContaining({ actorKind: 'cli', surface: 'cli', target: staffId, before: { level: null }, after: { level: '高级' } })]);

    expect(JSON.parse(memberkiosk(...report).stdout)).toMatchObject({ staff: [{ staffId, name: '王芳', level: '高级', totalCents: 640 }], totalCents: 640 });
    const csv = memberkiosk(...report, '--csv', '--store', DEMO_STORE_ID);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe(`staff_id,name,level,code,amount_cents,count,commission_cents\n${staffId},王芳,高级,美发,12800,1,640\n${staffId},王芳,高级,total,,,640\n`);
    // Another store took none of it.
    expect(JSON.parse(memberkiosk(...report, '--store', 'store-002').stdout)).toMatchObject({ staff: [], totalCents: 0 });

    expect(memberkiosk('staff', 'level', staffId, '--clear', '--data', hub).code).toBe(0);
    expect(JSON.parse(memberkiosk(...report).stdout)).toMatchObject({ totalCents: 0 });
  });

  it('refuses bad options with exit 2, and a bad period with exit 1 and its reason', () => {
    expect(memberkiosk('commission', 'report', '--from', '2025-11-01', '--data', hub).code).toBe(2);
    expect(memberkiosk('commission', 'tally', '--data', hub).code).toBe(2);
    expect(memberkiosk('staff', 'level', staffId, '--data', hub).code).toBe(2);
    expect(memberkiosk('commission', 'report', '--from', '2025-11-01', '--to', '2025-12-01', '--data', join(temp.dir, 'nowhere')).code).toBe(2);
    const backwards = memberkiosk('commission', 'report', '--from', '2025-12-01', '--to', '2025-11-01', '--data', hub);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain('BAD_REQUEST');
  });
});
