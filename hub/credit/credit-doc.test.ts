/**
 * docs/ACCOUNTS.md's credit (赊账) worked example, run: every step goes through a real ledger (SQLite, demo data)
 * as a kiosk transaction (purchases, the refund, the repayments) or an HQ one (the sweep's charge), checking what
 * is owed and the refusal after each. A ledger's transactions are dated when they are made (now), so the
 * statements are then worked out from the ledger's own credit entries re-dated to the example's dates, one for
 * one and in order, and checked against the example's statements; the sweep's charge is what those statements
 * say is due on the sweep's date. The journal audit after the test.
 */
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { creditChargeFor, creditReport, creditStatements, type CreditEntry } from '../../core/credit/credit-statements.ts';
import type { CreditTerms } from '../../core/rules/bundle-accounts.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { HQ_DEVICE_ID } from '../hq/hq-transactions.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { kioskStaffActor } from '../testing/staff-actor.ts';
import { memberCredit } from './member-credit.ts';

const DOC = readFileSync(new URL('../../docs/ACCOUNTS.md', import.meta.url), 'utf8');

function example<T>(name: string): T {
  const match = new RegExp(`<!-- accounts-example: ${name} -->\\s*\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(DOC);
  if (!match) throw new Error(`docs/ACCOUNTS.md has no accounts-example ${name}`);
  return JSON.parse(match[1]!) as T;
}

type Step = { at?: string; owedAfter?: number; warning?: string | null; refused?: string } & (
  | { do: 'purchase'; lines: number[] }
  | { do: 'refund'; purchase: number; lineNos: number[] }
  | { do: 'repay'; amountCents: number; tender: 'cash' | 'stored_value'; storedValueAfter?: number }
  | { do: 'sweep'; statement: string; lateFeeCents: number; interestCents: number }
);

interface CreditExample {
  member: string;
  terms: CreditTerms;
  limitCents: number;
  timezone: string;
  steps: Step[];
  asOf: string;
  statements: Record<string, unknown>[];
  status: { owedCents: number; limitCents: number; availableCents: number; warning: string | null };
}

const doc = example<CreditExample>('credit');
const iso = (at: string) => new Date(at).toISOString();

describe('docs/ACCOUNTS.md credit example, through the ledger', () => {
  let ledger: Ledger;
  let seq = 0;

  async function kiosk(body: Record<string, unknown>): Promise<TxResult> {
    seq += 1;
    const payload = { v: TX_FORMAT, id: `01JZC${String(seq).padStart(21, '0')}`, deviceId: 'kiosk-doc', epoch: 'E1', seq, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, ...body };
    const [result] = await ledger.applyBatch([{ topicDeviceId: 'kiosk-doc', parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
    return result!;
  }

  beforeEach(async () => {
    seq = 0;
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: { ...DEFAULT_RULES_BUNDLE, credit: doc.terms, timezone: doc.timezone } });
    await seedDemoData(ledger);
    // A counter kiosk: the cash repayment needs a person to take it.
    await ledger.identity.setDeviceMode('kiosk-doc', 'attended');
  });

  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await ledger.close();
  });

  it("Li Wei's March on credit: limit, tender, refusal, refund, repayments, the sweep's charge, the statements", async () => {
    const bundle = (await ledger.latestRulesBundle())!;
    expect(await ledger.credit.setCreditLimit(doc.member, doc.limitCents)).toBe(true);
    const card = (await ledger.memberViewById(doc.member))!.card.uid;
    const actor = await kioskStaffActor(ledger, 'kiosk-doc');
    const purchases: (string | undefined)[] = [];
    /** The example's date of each step that made a credit entry, in order. */
    const datesOfEntries: string[] = [];
    const redatedEntries = async () => {
      const entries = (await ledger.credit.creditEntries(doc.member))!;
      expect(entries).toHaveLength(datesOfEntries.length);
      return entries.map((e, i): CreditEntry => ({ ...e, at: iso(datesOfEntries[i]!) }));
    };

    for (const step of doc.steps) {
      let result: TxResult;
      if (step.do === 'purchase') {
        const lines = step.lines.map((cents, i) => ({ lineNo: i + 1, sku: `DOC-${i + 1}`, category: 'general', qty: 1, unitPriceCents: cents }));
        const total = step.lines.reduce((s, c) => s + c, 0);
        result = await kiosk({ kind: 'purchase', cardUid: card, lines, payments: [{ method: 'credit', amountCents: total }] });
        purchases.push(result.status === 'applied' ? (result.id ?? undefined) : undefined);
      } else if (step.do === 'refund') {
        result = await kiosk({ kind: 'refund', cardUid: card, purchaseTxId: purchases[step.purchase - 1], lineNos: step.lineNos, actor });
      } else if (step.do === 'repay') {
        result = await kiosk({ kind: 'credit_repay', cardUid: card, amountCents: step.amountCents, tender: step.tender, actor });
      } else {
        // The sweep on the example's date: the charge its statements say is due, applied as HQ's transaction.
        const due = creditStatements(await redatedEntries(), doc.terms, doc.timezone, iso(step.at!)).find((s) => s.month === step.statement)!;
        expect(due).toMatchObject({ status: 'overdue', charged: false });
        expect(creditChargeFor(due, doc.terms)).toEqual({ lateFeeCents: step.lateFeeCents, interestCents: step.interestCents });
        result = await ledger.applyHq({ kind: 'credit_charge', storeId: HQ_DEVICE_ID, memberId: doc.member, statement: step.statement, lateFeeCents: step.lateFeeCents, interestCents: step.interestCents });
      }
      expect(result.status === 'applied' ? 'applied' : result.code, JSON.stringify(step)).toBe(step.refused ?? 'applied');
      if (step.refused) continue;
      datesOfEntries.push(step.at!);
      const view = (await ledger.memberViewById(doc.member))!;
      if (step.owedAfter !== undefined) expect(view.credit?.owedCents, JSON.stringify(step)).toBe(step.owedAfter);
      if (step.do === 'repay' && step.storedValueAfter !== undefined) expect(view.balances.storedValueCents).toBe(step.storedValueAfter);
      if (step.warning !== undefined) {
        // The warning as of the step's date (overdue depends on it): the example's dates, the ledger's entries.
        expect(creditReport(await redatedEntries(), doc.limitCents, doc.terms, doc.timezone, iso(step.at!)).status.warning, JSON.stringify(step)).toBe(step.warning);
      }
    }

    const entries = await redatedEntries();
    const report = creditReport(entries, doc.limitCents, doc.terms, doc.timezone, iso(doc.asOf));
    expect(report.statements).toHaveLength(doc.statements.length);
    doc.statements.forEach((expected, i) => expect(report.statements[i]).toMatchObject(expected));
    expect(report.status).toMatchObject(doc.status);
    // The hub's own reading (dated now) agrees on what is owed and the limit.
    expect((await memberCredit(ledger.credit, bundle, doc.member, new Date().toISOString())).status).toMatchObject({ owedCents: doc.status.owedCents, limitCents: doc.limitCents });
  });
});
