/**
 * docs/ACCOUNTS.md's card types and fees worked example, run: the `card-types` JSON block (its card types are the
 * rules) is replayed through a real ledger (SQLite, demo data) — a gold card issued at the hub, a supplementary
 * card spending at a kiosk within its limits, an extension and a repair, the fee report, the annual fee sweep a
 * year on — and every number it states is checked. The journal audit afterwards.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CardTypes } from '../../core/rules/bundle-accounts.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { parseRulesBundle } from '../../core/rules/parse.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT, type StaffActor } from '../../core/wire/transaction.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { chargeAnnualFees } from '../hq/charge-annual-fees.ts';
import { submitHqTransaction } from '../hq/hq-transactions.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { freshMigratedPostgresDatabase, stopPostgres } from '../testing/start-postgres.ts';
import { hqAdminLogin } from '../testing/staff-actor.ts';

const DOC = readFileSync(new URL('../../docs/ACCOUNTS.md', import.meta.url), 'utf8');

function example<T>(name: string): T {
  const match = new RegExp(`<!-- accounts-example: ${name} -->\\s*\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(DOC);
  if (!match) throw new Error(`docs/ACCOUNTS.md has no accounts-example ${name}`);
  return JSON.parse(match[1]!) as T;
}

interface Spend {
  amountCents?: number;
  points?: number;
  expect: string;
  storedValueAfter: number;
}

interface CardTypesExample {
  cardTypes: CardTypes;
  member: string;
  before: { storedValueCents: number; tier: string };
  issueGold: { newCardUid: string; shownWrongFeeCents: number; wrongFee: string; feeCents: number; trace: string[]; after: { storedValueCents: number; tier: string } };
  issueSupplementary: { newCardUid: string; holderName: string; feeCents: number; after: { storedValueCents: number } };
  supplementarySpends: Spend[];
  extendGold: { feeCents: number; validityMonthsAdded: number; storedValueAfter: number };
  repairGoldInCash: { feeCents: number; storedValueAfter: number };
  feeReport: { rows: unknown[]; totalCents: number };
  sweepNextYear: { cards: number; cents: number; storedValueAfter: number };
  sweepAgain: { cards: number; cents: number };
}

const RULES_VERSION = 2;

const silent = pino({ level: 'silent' });
const backends = [
  { name: 'SQLite', open: () => openLedger({ kind: 'sqlite', path: ':memory:', logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE }) },
  { name: 'PostgreSQL', open: async () => openLedger({ kind: 'postgres', url: await freshMigratedPostgresDatabase('cards_doc'), logger: silent, fallbackBundle: DEFAULT_RULES_BUNDLE, poolSize: 4 }) },
];

describe.each(backends)('docs/ACCOUNTS.md card types and fees, through the ledger ($name)', ({ open }) => {
  let ledger: Ledger;
  let actor: StaffActor;
  let seq = 0;

  /** A kiosk transaction under the example's rules, through the ledger's one write path. */
  async function kiosk(body: Record<string, unknown>): Promise<TxResult> {
    seq += 1;
    const payload = { v: TX_FORMAT, id: `01JZC${String(seq).padStart(21, '0')}`, deviceId: 'kiosk-doc', epoch: 'E1', seq, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: RULES_VERSION, ...body };
    const [result] = await ledger.applyBatch([{ topicDeviceId: 'kiosk-doc', parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
    return result!;
  }
  const outcomeOf = (result: TxResult) => (result.status === 'applied' ? 'applied' : result.code);

  beforeEach(async () => {
    seq = 0;
    ledger = await open();
    await seedDemoData(ledger);
    actor = (await hqAdminLogin(ledger)).actor;
  });

  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await ledger.close();
  });
  afterAll(stopPostgres);

  it('Wang Fang’s gold card and her daughter’s supplementary card: every fee, limit and balance as stated', async () => {
    const doc = example<CardTypesExample>('card-types');
    const startedAt = new Date(Date.now() - 60_000).toISOString();
    // The document's card types are valid rules (the bundle checks: default without an issue fee, tier on the ladder…).
    await ledger.saveRulesBundle(parseRulesBundle({ ...DEFAULT_RULES_BUNDLE, version: RULES_VERSION, cardTypes: doc.cardTypes }));
    const view = async () => (await ledger.memberViewById(doc.member))!;
    const before = await view();
    expect({ storedValueCents: before.balances.storedValueCents, tier: before.tier }).toEqual(doc.before);
    const memberCard = before.card.uid;
    const hq = (body: Record<string, unknown>) => submitHqTransaction(ledger, { storeId: DEMO_STORE_ID, actor, ...body } as Parameters<typeof submitHqTransaction>[1]);

    const gold = doc.issueGold;
    const wrong = await hq({ kind: 'card_issue', cardUid: memberCard, newCardUid: gold.newCardUid, cardTypeId: 'gold', feeTender: 'stored_value', feeCents: gold.shownWrongFeeCents });
    expect(outcomeOf(wrong)).toBe(gold.wrongFee);
    const issued = await hq({ kind: 'card_issue', cardUid: memberCard, newCardUid: gold.newCardUid, cardTypeId: 'gold', feeTender: 'stored_value', feeCents: gold.feeCents });
    expect(issued.status).toBe('applied');
    expect(issued.outcome?.trace).toEqual(expect.arrayContaining(gold.trace));
    expect({ storedValueCents: (await view()).balances.storedValueCents, tier: (await view()).tier }).toEqual(gold.after);

    const supp = doc.issueSupplementary;
    const attached = await hq({ kind: 'card_issue', cardUid: memberCard, newCardUid: supp.newCardUid, cardTypeId: 'supp', holderName: supp.holderName, feeTender: 'stored_value', feeCents: supp.feeCents });
    expect(attached.status).toBe('applied');
    expect((await view()).balances.storedValueCents).toBe(supp.after.storedValueCents);
    const suppView = (await ledger.memberViewByCard(supp.newCardUid))!;
    expect(suppView.card).toMatchObject({ cardType: 'supp', cardTypeLabel: '附属卡', holderName: supp.holderName });

    for (const spend of doc.supplementarySpends) {
      const payments = spend.points !== undefined ? [{ method: 'points', points: spend.points }] : [{ method: 'stored_value', amountCents: spend.amountCents }];
      const cents = spend.points !== undefined ? spend.points : spend.amountCents!;
      const result = await kiosk({ kind: 'purchase', cardUid: supp.newCardUid, lines: [{ lineNo: 1, sku: 'DOC-1', category: 'general', qty: 1, unitPriceCents: cents }], payments });
      expect(outcomeOf(result), JSON.stringify(spend)).toBe(spend.expect);
      expect((await view()).balances.storedValueCents).toBe(spend.storedValueAfter);
    }

    const validBefore = (await ledger.card(gold.newCardUid))!.validUntil!;
    const extended = await hq({ kind: 'card_service', cardUid: gold.newCardUid, service: 'extend', feeTender: 'stored_value', feeCents: doc.extendGold.feeCents });
    expect(extended.status).toBe('applied');
    const validAfter = (await ledger.card(gold.newCardUid))!.validUntil!;
    const monthsAdded = (Number(validAfter.slice(0, 4)) - Number(validBefore.slice(0, 4))) * 12 + Number(validAfter.slice(5, 7)) - Number(validBefore.slice(5, 7));
    expect(monthsAdded).toBe(doc.extendGold.validityMonthsAdded);
    expect((await view()).balances.storedValueCents).toBe(doc.extendGold.storedValueAfter);
    const repaired = await hq({ kind: 'card_service', cardUid: gold.newCardUid, service: 'repair', feeTender: 'cash', feeCents: doc.repairGoldInCash.feeCents });
    expect(repaired.status).toBe('applied');
    expect((await view()).balances.storedValueCents).toBe(doc.repairGoldInCash.storedValueAfter);

    const report = await ledger.cardFees.feeReport({ from: startedAt, to: new Date(Date.now() + 60_000).toISOString(), storeIds: '*' });
    expect({ rows: report, totalCents: report.reduce((sum, row) => sum + row.cents, 0) }).toEqual(doc.feeReport);

    const nextYear = new Date();
    nextYear.setUTCFullYear(nextYear.getUTCFullYear() + 1);
    const swept = await chargeAnnualFees(ledger, nextYear.toISOString());
    expect({ cards: swept.cards, cents: swept.cents, storedValueAfter: (await view()).balances.storedValueCents }).toEqual(doc.sweepNextYear);
    const again = await chargeAnnualFees(ledger, nextYear.toISOString());
    expect({ cards: again.cards, cents: again.cents }).toEqual(doc.sweepAgain);
  });
});
