/**
 * `memberkiosk staff level` and `memberkiosk commission report` on a hub's data directory, each as a real process:
 * a cashier's level set (audited as the CLI), a sale she served at the counter, and the period's report in JSON and
 * CSV — 5 % of a ¥128 haircut is ¥6.40.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { createIdentityService } from '../../hub/identity/identity-service.ts';
import { parseLedgerTransaction } from '../../hub/ledger/ledger-parse.ts';
import { memberkiosk } from './test-support/run-memberkiosk.ts';
import { seededHubDataDir, type SeededHubDataDir } from './test-support/seeded-hub-data-dir.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
const SOLD_AT = Date.parse('2025-11-10T01:00:00.000Z');

describe('memberkiosk commission (real processes)', () => {
  let data: SeededHubDataDir;
  let staffId: string;

  beforeEach(async () => {
    data = await seededHubDataDir('mk-commission-cli-');
    staffId = await data.withLedger(async (ledger) => {
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
    expect(await data.audit()).toEqual([]);
    data.cleanup();
  });

  it('sets a level, audited as the CLI, and reports the period in JSON and CSV', async () => {
    const report = ['commission', 'report', '--from', '2025-11-01', '--to', '2025-12-01', '--data', data.hub];
    // No level yet: the amount is there, no commission.
    const before = memberkiosk(...report);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ staff: [{ staffId, level: null, codes: [{ code: '美发', amountCents: 12_800, count: 1, commissionCents: 0 }] }], totalCents: 0 });

    const set = memberkiosk('staff', 'level', staffId, '--level', '高级', '--data', data.hub);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ staffId, level: '高级' });
    const log = await data.withLedger((ledger) => ledger.identity.auditEntries({ limit: 5, action: 'staff.set_level' }));
    expect(log).toEqual([expect.objectContaining({ actorKind: 'cli', surface: 'cli', target: staffId, before: { level: null }, after: { level: '高级' } })]);

    expect(JSON.parse(memberkiosk(...report).stdout)).toMatchObject({ staff: [{ staffId, name: '王芳', level: '高级', totalCents: 640 }], totalCents: 640 });
    const csv = memberkiosk(...report, '--csv', '--store', DEMO_STORE_ID);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe(`staff_id,name,level,code,amount_cents,count,commission_cents\n${staffId},王芳,高级,美发,12800,1,640\n${staffId},王芳,高级,total,,,640\n`);
    // Another store took none of it.
    expect(JSON.parse(memberkiosk(...report, '--store', 'store-002').stdout)).toMatchObject({ staff: [], totalCents: 0 });

    expect(memberkiosk('staff', 'level', staffId, '--clear', '--data', data.hub).code).toBe(0);
    expect(JSON.parse(memberkiosk(...report).stdout)).toMatchObject({ totalCents: 0 });
  });

  it('refuses bad options with exit 2, and a bad period with exit 1 and its reason', () => {
    expect(memberkiosk('commission', 'report', '--from', '2025-11-01', '--data', data.hub).code).toBe(2);
    expect(memberkiosk('commission', 'tally', '--data', data.hub).code).toBe(2);
    expect(memberkiosk('staff', 'level', staffId, '--data', data.hub).code).toBe(2);
    expect(memberkiosk('commission', 'report', '--from', '2025-11-01', '--to', '2025-12-01', '--data', join(data.root, 'nowhere')).code).toBe(2);
    const backwards = memberkiosk('commission', 'report', '--from', '2025-12-01', '--to', '2025-11-01', '--data', data.hub);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain('BAD_REQUEST');
  });
});
