/**
 * A member's history carries each transaction's rule trace as stored (English) and in Chinese: the lines the
 * rules engine keyed (outcome.traceText) rendered, HQ's labels kept with their amounts worded in Chinese.
 */
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { seedDemoData } from '../../demo/seed-demo-data.ts';
import type { Ledger } from '../ledger.ts';
import { openLedger } from '../open-ledger.ts';

describe('member history trace in Chinese', () => {
  let ledger: Ledger;

  beforeEach(async () => {
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
  });

  afterEach(async () => {
    await ledger.close();
  });

  it('gives the gold member’s opening purchase (800 yuan) in English as stored and in Chinese', async () => {
    const record = await ledger.memberConsole.memberRecord('M0003', 10);
    const purchase = record?.history.find((tx) => tx.kind === 'purchase');
    expect(purchase?.trace).toEqual(['1 pt/yuan  +800 pts', 'gold ×1.5  +400 pts']);
    // The default bundle's base rate carries no label of HQ's: the engine's own words, in Chinese too.
    expect(purchase?.traceZh).toEqual(['每元1积分  +800积分', '金卡积分×1.5  +400积分']);
  });
});
