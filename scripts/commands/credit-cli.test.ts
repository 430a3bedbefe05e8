/**
 * `memberkiosk credit` on a hub's data directory, each as a real process: a limit set (audited), a credit sale
 * made through the ledger, the statement shown, the sweep run past the due date charging once and a rerun
 * charging nothing; bad arguments and an unknown member refused. The journal audit after each test.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../../hub/demo/seed-demo-data.ts';
import { openLedger } from '../../hub/ledger/open-ledger.ts';

function memberkiosk(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['bin/memberkiosk.mjs', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('memberkiosk credit (real processes)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let hub: string;

  const withLedger = async <T>(use: (ledger: Awaited<ReturnType<typeof openLedger>>) => Promise<T>): Promise<T> => {
    const ledger = await openLedger({ kind: 'sqlite', path: join(hub, 'ledger.sqlite'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    try {
      return await use(ledger);
    } finally {
      await ledger.close();
    }
  };

  beforeEach(async () => {
    temp = makeTempDir('mk-credit-cli-');
    hub = join(temp.dir, 'hub');
    mkdirSync(hub, { recursive: true });
    await withLedger(async (ledger) => {
      await seedDemoData(ledger);
      await ledger.saveRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: 2, credit: { graceDays: 20, lateFeeCents: 1_000, interestBpPerMonth: 150 } });
    });
  });

  afterEach(async () => {
    expect(await withLedger((ledger) => ledger.audit())).toEqual([]);
    temp.cleanup();
  });

  it('sets a limit, shows the statement, sweeps once past the due date', async () => {
    expect(memberkiosk('credit', '--help')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: memberkiosk credit /) as unknown });
    const limited = memberkiosk('credit', 'limit', 'M0001', '50000', '--data', hub);
    expect(limited).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(limited.stdout)).toMatchObject({ memberId: 'M0001', ownLimitCents: 50_000, status: { owedCents: 0, limitCents: 50_000 } });
    const audit = await withLedger((ledger) => ledger.identity.auditEntries({ limit: 5, action: 'member.credit_limit' }));
    expect(audit[0]).toMatchObject({ actorKind: 'cli', surface: 'cli', target: 'M0001', after: { limitCents: 50_000 } });

    const sale = await withLedger((ledger) =>
      ledger.applyHq({
        kind: 'purchase',
        storeId: DEMO_STORE_ID,
        cardUid: DEMO_CARDS.standard,
        lines: [{ lineNo: 1, sku: 'RICE-10KG', category: 'general', qty: 1, unitPriceCents: 20_000 }],
        payments: [{ method: 'credit', amountCents: 20_000 }],
      }),
    );
    expect(sale.status).toBe('applied');
    const shown = memberkiosk('credit', 'show', 'M0001', '--data', hub);
    expect(shown.code).toBe(0);
    const report = JSON.parse(shown.stdout) as { status: { owedCents: number }; statements: { overdueFrom: string; closingCents: number }[] };
    expect(report.status.owedCents).toBe(20_000);
    expect(report.statements[0]!.closingCents).toBe(20_000);

    const past = new Date(Date.parse(report.statements[0]!.overdueFrom) + 3_600_000).toISOString();
    const swept = memberkiosk('credit', 'sweep', '--at', past, '--data', hub);
    expect(swept).toMatchObject({ code: 0, stderr: '' });
    // 10.00 late fee + floor(200.00 × 1.5 %) = 3.00 interest.
    expect(JSON.parse(swept.stdout)).toEqual({ statements: 1, lateFeeCents: 1_000, interestCents: 300, refused: 0 });
    expect(JSON.parse(memberkiosk('credit', 'sweep', '--at', past, '--data', hub).stdout)).toEqual({ statements: 0, lateFeeCents: 0, interestCents: 0, refused: 0 });
    expect((JSON.parse(memberkiosk('credit', 'show', 'M0001', '--at', past, '--data', hub).stdout) as typeof report).status.owedCents).toBe(21_300);
  });

  it('refuses bad arguments (2) and an unknown member (1)', () => {
    expect(memberkiosk('credit', 'limit', 'M0001', '-5', '--data', hub).code).toBe(2);
    expect(memberkiosk('credit', 'limit', 'M0001', '--data', hub).code).toBe(2);
    expect(memberkiosk('credit', 'sweep', '--at', 'yesterday', '--data', hub).code).toBe(2);
    expect(memberkiosk('credit', 'show', 'M0001', '--data', join(temp.dir, 'nowhere')).code).toBe(2);
    expect(memberkiosk('credit', 'show', 'M9999', '--data', hub)).toMatchObject({ code: 1, stderr: expect.stringContaining('MEMBER_UNKNOWN') as unknown });
  });
});
