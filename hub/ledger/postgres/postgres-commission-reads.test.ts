/**
 * The commission port's reads (commissionSources) on both ledger back ends, one case: the same counter kiosk's
 * sales, refund and top-up, made by a clerk signed in the real way, through each ledger's one write path — and the
 * sources each back end answers, checked against what they must be and against each other.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommissionSource } from '../../../core/commission/commission-items.ts';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { TX_FORMAT } from '../../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../../demo/seed-demo-data.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../../testing/start-postgres.ts';
import { kioskStaffActor } from '../../testing/staff-actor.ts';
import type { Ledger } from '../ledger.ts';
import { parseLedgerTransaction } from '../ledger-parse.ts';
import { openLedger } from '../open-ledger.ts';

const silent = pino({ level: 'silent' });
const KIOSK = 'kiosk-c';

/** The kiosk's transactions on a fresh ledger; the commission sources of the hour from their start. */
async function sourcesOf(ledger: Ledger): Promise<{ sources: CommissionSource[]; staffId: string }> {
  try {
    await seedDemoData(ledger);
    await ledger.identity.setDeviceMode(KIOSK, 'attended');
    await ledger.identity.setDeviceStore(KIOSK, DEMO_STORE_ID);
    const actor = await kioskStaffActor(ledger, KIOSK);
    const start = Date.now();
    let seq = 0;
    const send = async (body: Record<string, unknown>): Promise<TxResult> => {
      seq += 1;
      const payload = { v: TX_FORMAT, id: `01JZD${String(seq).padStart(21, '0')}`, deviceId: KIOSK, epoch: 'E1', seq, createdAt: new Date(start + seq * 1_000).toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, cardUid: DEMO_CARDS.standard, ...body };
      const [result] = await ledger.applyBatch([{ topicDeviceId: KIOSK, parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
      expect(result, JSON.stringify(result)).toMatchObject({ status: 'applied' });
      return result!;
    };
    const lines = [
      { lineNo: 1, sku: 'CUT', category: 'service', qty: 1, unitPriceCents: 8_000 },
      { lineNo: 2, sku: 'GEL', category: 'retail', qty: 2, unitPriceCents: 1_500 },
    ];
    const sale = await send({ kind: 'purchase', lines, payments: [{ method: 'cash', amountCents: 11_000 }], actor });
    // A sale with no clerk is credited to nobody.
    await send({ kind: 'purchase', lines: [lines[0]], payments: [{ method: 'cash', amountCents: 8_000 }] });
    await send({ kind: 'refund', purchaseTxId: sale.id, lineNos: [2], actor });
    await send({ kind: 'top_up', amountCents: 5_000, tender: 'cash', actor });
    // From the first of these: the demo's opening balances (HQ's top-ups, made before) are not in the period.
    const from = new Date(start).toISOString();
    const to = new Date(start + 3_600_000).toISOString();
    return { sources: await ledger.commission.commissionSources(from, to), staffId: actor.staffId };
  } finally {
    expect(await ledger.audit()).toEqual([]);
    await ledger.close();
  }
}

describe('commission sources on SQLite and PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mk-commission-'));
  afterAll(async () => {
    await stopPostgres();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers the clerk's sale, its refund and the top-up, the same on both back ends", async () => {
    const onSqlite = await sourcesOf(await openLedger({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE }));
    const onPostgres = await sourcesOf(await openLedger({ kind: 'postgres', url: await freshMigratedPostgresDatabase('commission'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 }));
    const soldLines = [
      { lineNo: 1, category: 'service', qty: 1, netCents: 8_000 },
      { lineNo: 2, category: 'retail', qty: 2, netCents: 3_000 },
    ];
    for (const { sources, staffId } of [onSqlite, onPostgres]) {
      expect(sources).toEqual([
        { source: 'purchase', staffId, storeId: DEMO_STORE_ID, bundleVersion: 1, lines: soldLines },
        { source: 'refund', staffId, storeId: DEMO_STORE_ID, bundleVersion: 1, lines: soldLines, refundedLineNos: [2] },
        { source: 'staff', kind: 'top_up', staffId, storeId: DEMO_STORE_ID, bundleVersion: 1, amountCents: 5_000, feeCents: 0 },
      ]);
    }
    // The clerk's staff id is made per ledger: the rest is the same on both.
    const clerkNamed = ({ sources, staffId }: typeof onSqlite) => sources.map((s) => ({ ...s, staffId: s.staffId === staffId ? 'the clerk' : s.staffId }));
    expect(clerkNamed(onPostgres)).toEqual(clerkNamed(onSqlite));
  });
});
