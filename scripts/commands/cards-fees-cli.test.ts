/**
 * `memberkiosk cards` and `memberkiosk fees` on a hub's data directory, each as a real process: the card types
 * listed, a gold card (金卡) issued by the demo HQ admin logged in here, a made-up fee refused, a repair paid in
 * cash, the fee report, the annual fee sweep charging once and a rerun charging nothing; bad arguments and a
 * wrong password refused. The journal audit after each test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleWithCardTypes } from '../../core/ledger/test-support/card-types-bundle.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD } from '../../hub/demo/seed-demo-data.ts';
import { memberkiosk, memberkioskWithEnv } from './test-support/run-memberkiosk.ts';
import { seededHubDataDir, type SeededHubDataDir } from './test-support/seeded-hub-data-dir.ts';

describe('memberkiosk cards / fees (real processes)', () => {
  let data: SeededHubDataDir;
  const admin = { MEMBERKIOSK_PASSWORD: DEMO_ADMIN_PASSWORD };

  beforeEach(async () => {
    data = await seededHubDataDir('mk-cards-cli-');
    await data.withLedger((ledger) => ledger.saveRulesBundle({ ...bundleWithCardTypes(), version: 2 }));
  });

  afterEach(async () => {
    expect(await data.audit()).toEqual([]);
    data.cleanup();
  });

  it('lists the types, issues a gold card for the schedule’s fee, repairs it, reports the fees, sweeps once', async () => {
    expect(memberkiosk('cards', '--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: memberkiosk cards /) as unknown });
    const types = memberkiosk('cards', 'types', '--data', data.hub);
    expect(types.code).toBe(0);
    expect((JSON.parse(types.stdout) as { types: { typeId: string }[] }).types.map((t) => t.typeId)).toEqual(['plain', 'gold', 'supp']);

    const madeUp = memberkioskWithEnv(admin, 'cards', 'issue', 'M0001', '0C0FFEE00021', '--type', 'gold', '--fee', '100', '--login', DEMO_ADMIN_LOGIN, '--data', data.hub);
    expect(madeUp).toMatchObject({ code: 1, stderr: expect.stringMatching(/FEE_MISMATCH/) as unknown });
    const issued = memberkioskWithEnv(admin, 'cards', 'issue', 'M0001', '0C0FFEE00021', '--type', 'gold', '--fee', '7000', '--login', DEMO_ADMIN_LOGIN, '--data', data.hub);
    expect(issued).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(issued.stdout)).toMatchObject({ status: 'applied' });
    const repaired = memberkioskWithEnv(admin, 'cards', 'service', '0C0FFEE00021', 'repair', '--tender', 'cash', '--login', DEMO_ADMIN_LOGIN, '--data', data.hub);
    expect(repaired).toMatchObject({ code: 0 });
    expect((await data.withLedger((ledger) => ledger.memberViewById('M0001')))!.balances.storedValueCents).toBe(20_000 - 7_000);

    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    const report = memberkiosk('fees', 'report', '--from', from, '--to', to, '--data', data.hub);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({
      rows: [
        { feeKind: 'annual', tender: 'stored_value', count: 1, cents: 5_000 },
        { feeKind: 'issue', tender: 'stored_value', count: 1, cents: 2_000 },
        { feeKind: 'repair', tender: 'cash', count: 1, cents: 500 },
      ],
      totalCents: 7_500,
    });

    // A year on, in the card's month: the gold card's ¥50; the demo cards' plain type has no annual fee. Once.
    const nextYear = new Date();
    nextYear.setUTCFullYear(nextYear.getUTCFullYear() + 1);
    const swept = memberkiosk('fees', 'sweep', '--at', nextYear.toISOString(), '--data', data.hub);
    expect(swept.code).toBe(0);
    expect(JSON.parse(swept.stdout)).toEqual({ cards: 1, cents: 5_000, refused: 0 });
    expect(JSON.parse(memberkiosk('fees', 'sweep', '--at', nextYear.toISOString(), '--data', data.hub).stdout)).toEqual({ cards: 0, cents: 0, refused: 0 });
  });

  it('refuses bad arguments, a missing or wrong password, and an unknown member', () => {
    expect(memberkioskWithEnv(admin, 'cards', 'issue', 'M0001', '0C0FFEE00022', '--login', DEMO_ADMIN_LOGIN, '--data', data.hub).code).toBe(2);
    expect(memberkioskWithEnv({ MEMBERKIOSK_PASSWORD: '' }, 'cards', 'issue', 'M0001', '0C0FFEE00022', '--type', 'gold', '--login', DEMO_ADMIN_LOGIN, '--data', data.hub).code).toBe(2);
    expect(memberkioskWithEnv({ MEMBERKIOSK_PASSWORD: 'wrong-password-1' }, 'cards', 'issue', 'M0001', '0C0FFEE00022', '--type', 'gold', '--login', DEMO_ADMIN_LOGIN, '--data', data.hub)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/LOGIN_FAILED/) as unknown,
    });
    expect(memberkioskWithEnv(admin, 'cards', 'service', '0C0FFEE00022', 'polish', '--login', DEMO_ADMIN_LOGIN, '--data', data.hub).code).toBe(2);
    expect(memberkioskWithEnv(admin, 'cards', 'issue', 'M9999', '0C0FFEE00022', '--type', 'gold', '--login', DEMO_ADMIN_LOGIN, '--data', data.hub)).toMatchObject({ code: 1, stderr: expect.stringMatching(/MEMBER_UNKNOWN/) as unknown });
    expect(memberkiosk('fees', 'report', '--from', 'yesterday', '--to', 'today', '--data', data.hub).code).toBe(2);
    expect(memberkiosk('fees', 'sweep', '--at', 'soon', '--data', data.hub).code).toBe(2);
  });
});
