/** What the PostgreSQL ledger has not ported yet says so with NOT_IMPLEMENTED_ON_POSTGRES, and is never a silent stub. */
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import { freshPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import type { Ledger } from '../ledger.ts';
import { openLedger } from '../open-ledger.ts';

describe('the parts of the PostgreSQL ledger not ported yet', () => {
  afterAll(stopPostgres);

  it('throw NOT_IMPLEMENTED_ON_POSTGRES when reached, and the ported ones do not', async () => {
    const store = await openLedger({ kind: 'postgres', url: await freshPostgresDatabase('unported'), logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 2 });
    try {
      const unported = ['commission', 'memberConsole', 'memberProfiles', 'memberImports', 'retention', 'cardFees', 'messaging', 'automation'] as const satisfies readonly (keyof Ledger)[];
      for (const part of unported) expect(() => store[part], part).toThrow(expect.objectContaining({ code: 'NOT_IMPLEMENTED_ON_POSTGRES' }) as Error);
      expect(() => store.identity.auditEntryRows({})).toThrow(expect.objectContaining({ code: 'NOT_IMPLEMENTED_ON_POSTGRES' }) as Error);
      for (const part of ['identity', 'codes', 'draws', 'credit', 'giftStock', 'receipts'] as const) expect(store[part], part).toBeTruthy();
    } finally {
      await store.close();
    }
  });
});
