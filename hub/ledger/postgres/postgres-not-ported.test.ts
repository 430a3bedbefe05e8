/**
 * Every part of the PostgreSQL ledger is ported: each sub-store answers on an open ledger, none throws
 * NOT_IMPLEMENTED_ON_POSTGRES (a part not ported would, never a silent stub), and each says the ledger is not open
 * once it is closed.
 */
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { freshPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import type { Ledger } from '../ledger.ts';
import { openLedger } from '../open-ledger.ts';

const PARTS = [
  'identity', 'codes', 'draws', 'credit', 'giftStock', 'receipts', 'memberProfiles', 'messaging', 'automation', 'memberConsole', 'retention', 'cardFees', 'commission', 'memberImports',
] as const satisfies readonly (keyof Ledger)[];

describe('the sub-stores of the PostgreSQL ledger', () => {
  afterAll(stopPostgres);

  it('are all there while it is open, the audit export included, and refuse once it is closed', async () => {
    const store = await openLedger({ kind: 'postgres', url: await freshPostgresDatabase('unported'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 2 });
    try {
      for (const part of PARTS) expect(store[part], part).toBeTruthy();
      await store.identity.appendAudit({ at: new Date().toISOString(), actorKind: 'system', actorId: 'test', surface: 'cli', action: 'test.one', target: null, outcome: 'ok', before: null, after: null, detail: null });
      const rows = [];
      for await (const entry of store.identity.auditEntryRows({ action: 'test.' })) rows.push(entry.action);
      expect(rows).toEqual(['test.one']);
    } finally {
      await store.close();
    }
    for (const part of PARTS) expect(() => store[part], part).toThrow(/not open/);
  });
});
