/**
 * A real SQLite ledger (in memory, demo data) under one rules bundle, for tests that run a docs/RULES.md example
 * through the ledger: a counter kiosk that sends transactions through the one write path, and fresh members
 * with nothing on their accounts so the example's numbers are the member's numbers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import { openLedger } from '../ledger/open-ledger.ts';

export const RULES_KIOSK = 'kiosk-rules';

export interface RulesLedger {
  ledger: Ledger;
  /** The ledger's database file. */
  path: string;
  /** A transaction from the counter kiosk (attended: it takes cash), dated `at` (default now). */
  kiosk(body: Record<string, unknown>, at?: string): Promise<TxResult>;
  /** A new member of `tier` with one card and nothing on their accounts: returns the card UID. */
  freshMember(memberId: string, tier: string): Promise<string>;
  /** Rows the ledger wrote (lots, journal, accounts), read on a read-only connection of its own. */
  rows<T>(sql: string, ...params: (string | number)[]): T[];
  /** Closes the ledger and deletes its database. */
  close(): Promise<void>;
}

export async function openRulesLedger(bundle: RulesBundle): Promise<RulesLedger> {
  // A file, not :memory:, so that a test can read the rows through a connection of its own.
  const dir = mkdtempSync(join(tmpdir(), 'rules-ledger-'));
  const path = join(dir, 'ledger.db');
  const ledger = await openLedger({ kind: 'sqlite', path, logger: pino({ level: 'silent' }), fallbackBundle: bundle });
  await seedDemoData(ledger);
  await ledger.identity.setDeviceMode(RULES_KIOSK, 'attended');
  let seq = 0;
  let cards = 0;
  return {
    ledger,
    path,
    async kiosk(body, at) {
      seq += 1;
      const payload = {
        v: TX_FORMAT,
        id: `01JR${String(seq).padStart(22, '0')}`,
        deviceId: RULES_KIOSK,
        epoch: 'E1',
        seq,
        createdAt: at ?? new Date().toISOString(),
        storeId: DEMO_STORE_ID,
        bundleVersion: bundle.version,
        ...body,
      };
      const [result] = await ledger.applyBatch([{ topicDeviceId: RULES_KIOSK, parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
      return result!;
    },
    async freshMember(memberId, tier) {
      cards += 1;
      const uid = `E${String(cards).padStart(10, '0')}E`;
      await ledger.createMember({ memberId, name: memberId, phone: `1390000${String(cards).padStart(4, '0')}`, tier, homeStoreId: DEMO_STORE_ID, cards: [{ uid }] });
      return uid;
    },
    rows<T>(sql: string, ...params: (string | number)[]): T[] {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare<(string | number)[], T>(sql).all(...params);
      } finally {
        db.close();
      }
    },
    async close() {
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A one-line cash purchase of `yuan` whole yuan. */
export function cashPurchase(cardUid: string, yuan: number): Record<string, unknown> {
  return { kind: 'purchase', cardUid, lines: [{ lineNo: 1, sku: 'GOODS', category: 'grocery', qty: 1, unitPriceCents: yuan * 100 }], payments: [{ method: 'cash', amountCents: yuan * 100 }] };
}
