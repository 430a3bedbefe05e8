/**
 * `memberkiosk credit` on a hub's data directory, each as a real process: a limit set (audited), a credit sale
 * made through the ledger, the statement shown, the sweep run past the due date charging once and a rerun
 * charging nothing; bad arguments and an unknown member refused. The journal audit after each test.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { demoCreditSale } from '../../hub/testing/demo-credit-sale.ts';
import { memberkiosk } from './test-support/run-memberkiosk.ts';
import { seededHubDataDir, type SeededHubDataDir } from './test-support/seeded-hub-data-dir.ts';

describe('memberkiosk credit (real processes)', () => {
  let data: SeededHubDataDir;

  beforeEach(async () => {
    data = await seededHubDataDir('mk-credit-cli-');
    await data.withLedger((ledger) => ledger.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, credit: { graceDays: 20, lateFeeCents: 1_000, interestBpPerMonth: 150 } }));
  });

  afterEach(async () => {
    expect(await data.audit()).toEqual([]);
    data.cleanup();
  });

  it('sets a limit, shows the statement, sweeps once past the due date', async () => {
    expect(memberkiosk('credit', '--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: memberkiosk credit /) as unknown });
    const limited = memberkiosk('credit', 'limit', 'M0001', '50000', '--data', data.hub);
    expect(limited).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(limited.stdout)).toMatchObject({ memberId: 'M0001', ownLimitCents: 50_000, status: { owedCents: 0, limitCents: 50_000 } });
    const audit = await data.withLedger((ledger) => ledger.identity.auditEntries({ limit: 5, action: 'member.credit_limit' }));
    expect(audit[0]).toMatchObject({ actorKind: 'cli', surface: 'cli', target: 'M0001', after: { limitCents: 50_000 } });

    const sale = await data.withLedger((ledger) =>
      ledger.applyHq(demoCreditSale('RICE-10KG', 20_000)),
    );
    expect(sale.status).toBe('applied');
    const shown = memberkiosk('credit', 'show', 'M0001', '--data', data.hub);
    expect(shown.code).toBe(0);
    const report = JSON.parse(shown.stdout) as { status: { owedCents: number }; statements: { overdueFrom: string; closingCents: number }[] };
    expect(report.status.owedCents).toBe(20_000);
    expect(report.statements[0]!.closingCents).toBe(20_000);

    const past = new Date(Date.parse(report.statements[0]!.overdueFrom) + 3_600_000).toISOString();
    const swept = memberkiosk('credit', 'sweep', '--at', past, '--data', data.hub);
    expect(swept).toMatchObject({ code: 0, stderr: '' });
    // 10.00 late fee + floor(200.00 × 1.5 %) = 3.00 interest.
    expect(JSON.parse(swept.stdout)).toEqual({ statements: 1, lateFeeCents: 1_000, interestCents: 300, refused: 0 });
    expect(JSON.parse(memberkiosk('credit', 'sweep', '--at', past, '--data', data.hub).stdout)).toEqual({ statements: 0, lateFeeCents: 0, interestCents: 0, refused: 0 });
    expect((JSON.parse(memberkiosk('credit', 'show', 'M0001', '--at', past, '--data', data.hub).stdout) as typeof report).status.owedCents).toBe(21_300);
  });

  it('refuses bad arguments (2) and an unknown member (1)', () => {
    expect(memberkiosk('credit', 'limit', 'M0001', '-5', '--data', data.hub).code).toBe(2);
    expect(memberkiosk('credit', 'limit', 'M0001', '--data', data.hub).code).toBe(2);
    expect(memberkiosk('credit', 'sweep', '--at', 'yesterday', '--data', data.hub).code).toBe(2);
    expect(memberkiosk('credit', 'show', 'M0001', '--data', join(data.root, 'nowhere')).code).toBe(2);
    expect(memberkiosk('credit', 'show', 'M9999', '--data', data.hub)).toMatchObject({ code: 1, stderr: expect.stringContaining('MEMBER_UNKNOWN') as unknown });
  });
});
