/**
 * docs/ACCOUNTS.md's worked examples, run: each JSON block marked `<!-- accounts-example: NAME -->` is replayed
 * through a real ledger (SQLite, demo data) and every number it states is checked, so the document says what the
 * ledger does. The journal audit runs after each.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readRedemptionCode, redemptionCodeDigest } from '../../core/codes/redemption-code.ts';
import { instantOutcome, seedCommitment, type DrawDefinitionInput } from '../../core/draws/draw-outcome.ts';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { bundleWithDepositBonus } from '../../core/ledger/test-support/builders.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { createDraw, verifyDraw } from '../draws/draw-admin.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { kioskStaffActor } from '../testing/staff-actor.ts';
import { verifyTypedCode } from './code-batches.ts';

const DOC = readFileSync(new URL('../../docs/ACCOUNTS.md', import.meta.url), 'utf8');

/** The JSON block after `<!-- accounts-example: NAME -->`. */
function example<T>(name: string): T {
  const match = new RegExp(`<!-- accounts-example: ${name} -->\\s*\`\`\`json\\n([\\s\\S]*?)\\n\`\`\``).exec(DOC);
  if (!match) throw new Error(`docs/ACCOUNTS.md has no accounts-example ${name}`);
  return JSON.parse(match[1]!) as T;
}

interface CodeExample {
  code: string;
  batch: { name: string; sku: string; points: number; expiresAt: string };
  member: string;
  pointsBefore: number;
  typos: Record<string, string>;
  steps: ({ do: 'verify'; expect: string } | { do: 'redeem'; expect: string; pointsAfter: number })[];
}

interface DrawExample {
  definition: DrawDefinitionInput;
  seed: string;
  seedSha256: string;
  member: string;
  pointsBefore: number;
  entries: { txId: string; hmacFirst8Bytes: string; ticket: string; pick: number; prize: string | null }[];
  pointsAfter: number;
  secondChanceWinner: string;
  odds: { entries: number; mug: number; p50: number; none: number };
}

interface Balances {
  storedValueCents: number;
  bonusValueCents: number;
  points: number;
}

interface CardReturnExample {
  member: string;
  before: Balances;
  topUp: { amountCents: number; tender: string; after: Balances };
  purchase: { amountCents: number; after: Balances };
  returnInCashAtSelfService: string;
  returnByBankTransfer: { trace: string[]; after: Balances; cardStatus: string };
  purchaseAfter: string;
  returnAgain: string;
}

describe('docs/ACCOUNTS.md worked examples, through the ledger', () => {
  let ledger: Ledger;
  let seq = 0;

  /** A kiosk transaction for the member's card, applied through the ledger's one write path. */
  async function kiosk(body: Record<string, unknown>, id?: string): Promise<TxResult> {
    seq += 1;
    const payload = { v: TX_FORMAT, id: id ?? `01JZ${String(seq).padStart(22, '0')}`, deviceId: 'kiosk-doc', epoch: 'E1', seq, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, ...body };
    const [result] = await ledger.applyBatch([{ topicDeviceId: 'kiosk-doc', parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
    return result!;
  }
  const pointsOf = async (memberId: string) => (await ledger.memberViewById(memberId))!.balances.points;
  const cardOf = async (memberId: string) => (await ledger.memberViewById(memberId))!.card.uid;

  beforeEach(async () => {
    seq = 0;
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
    await seedDemoData(ledger);
  });

  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await ledger.close();
  });

  it('a tea label code: typos refused, checked genuine, redeemed once (+100), then used', async () => {
    const doc = example<CodeExample>('code');
    const reading = readRedemptionCode(doc.code);
    expect(reading.ok).toBe(true);
    const canonical = reading.ok ? reading.code : '';
    await ledger.codes.createCodeBatch({ batchId: 'B-DOC', ...doc.batch, createdAt: new Date().toISOString(), createdBy: 'docs' }, [redemptionCodeDigest(canonical)]);
    for (const [typo, code] of Object.entries(doc.typos)) {
      const refused = await verifyTypedCode(ledger.codes, typo, new Date().toISOString()).catch((error: unknown) => (isCodedError(error) ? error.code : error));
      expect(refused, typo).toBe(code);
    }
    expect(await pointsOf(doc.member)).toBe(doc.pointsBefore);
    const card = await cardOf(doc.member);
    for (const step of doc.steps) {
      if (step.do === 'verify') {
        expect((await verifyTypedCode(ledger.codes, doc.code, new Date().toISOString())).status).toBe(step.expect);
        continue;
      }
      const result = await kiosk({ kind: 'code_redeem', cardUid: card, codeDigest: redemptionCodeDigest(canonical) });
      expect(result.status === 'applied' ? 'applied' : result.code).toBe(step.expect);
      expect(await pointsOf(doc.member)).toBe(step.pointsAfter);
    }
  });

  it('the spring draw: the stated tickets, picks and prizes for four entries, the points after, the second chance, the odds', async () => {
    const doc = example<DrawExample>('draw');
    expect(seedCommitment(doc.seed)).toBe(doc.seedSha256);
    const created = await createDraw(ledger.draws, doc.definition, 'docs', { seedHex: doc.seed });
    expect(created.seedSha256).toBe(doc.seedSha256);
    await ledger.draws.openDraw(created.drawId, new Date().toISOString());
    expect(await pointsOf(doc.member)).toBe(doc.pointsBefore);
    const card = await cardOf(doc.member);
    for (const entry of doc.entries) {
      expect(createHmac('sha256', Buffer.from(doc.seed, 'hex')).update(entry.txId).digest().subarray(0, 8).toString('hex')).toBe(entry.hmacFirst8Bytes);
      const result = await kiosk({ kind: 'draw_enter', cardUid: card, drawId: created.drawId }, entry.txId);
      expect(result.status).toBe('applied');
      expect(result.outcome?.draw?.prize?.prizeId ?? null, entry.txId).toBe(entry.prize);
    }
    const recorded = await ledger.draws.drawEntries(created.drawId);
    expect(recorded.map((e) => ({ txId: e.txId, ticket: e.ticket, pick: e.pick, prize: e.prizeId }))).toEqual(doc.entries.map(({ hmacFirst8Bytes: _, ...e }) => e));
    expect(await pointsOf(doc.member)).toBe(doc.pointsAfter);
    await ledger.draws.closeDraw(created.drawId, new Date().toISOString());
    expect((await ledger.draws.drawWinners(created.drawId)).map((w) => w.entryTxId)).toEqual([doc.secondChanceWinner]);
    expect(await verifyDraw(ledger.draws, created.drawId)).toMatchObject({ ok: true, entriesChecked: doc.entries.length });

    // The odds paragraph: the same seed over 2,000 ids, stock never running out.
    const weights = doc.definition.prizes.map((p) => ({ prizeId: p.prizeId, weight: p.weight, stockLeft: Number.MAX_SAFE_INTEGER }));
    const counts: Record<string, number> = { mug: 0, p50: 0, none: 0 };
    for (let i = 1; i <= doc.odds.entries; i++) counts[instantOutcome(doc.seed, `01JQ${String(i).padStart(22, '0')}`, weights, doc.definition.noPrizeWeight).prizeId ?? 'none']! += 1;
    expect(counts).toEqual({ mug: doc.odds.mug, p50: doc.odds.p50, none: doc.odds.none });
  });
});

describe('docs/ACCOUNTS.md card return example, through the ledger (with the chain top-up bonus)', () => {
  let ledger: Ledger;
  let seq = 0;

  async function kiosk(body: Record<string, unknown>): Promise<TxResult> {
    seq += 1;
    const payload = { v: TX_FORMAT, id: `01JZ${String(seq).padStart(22, '0')}`, deviceId: 'kiosk-doc', epoch: 'E1', seq, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, ...body };
    const [result] = await ledger.applyBatch([{ topicDeviceId: 'kiosk-doc', parsed: parseLedgerTransaction(JSON.stringify(payload)) }]);
    return result!;
  }
  const balancesOf = async (memberId: string) => (await ledger.memberViewById(memberId))!.balances;
  const outcomeOf = (result: TxResult) => (result.status === 'applied' ? 'applied' : result.code);

  beforeEach(async () => {
    seq = 0;
    ledger = await openLedger({ kind: 'sqlite', path: ':memory:', logger: pino({ level: 'silent' }), fallbackBundle: bundleWithDepositBonus() });
    await seedDemoData(ledger);
  });

  afterEach(async () => {
    expect(await ledger.audit()).toEqual([]);
    await ledger.close();
  });

  it('Li Wei returns her card: principal paid back by bank transfer, bonus forfeited, points kept, the card dead', async () => {
    const doc = example<CardReturnExample>('card-return');
    const view = (await ledger.memberViewById(doc.member))!;
    const card = view.card.uid;
    expect(view.balances).toEqual(doc.before);
    const actor = await kioskStaffActor(ledger, 'kiosk-doc');

    expect(outcomeOf(await kiosk({ kind: 'top_up', cardUid: card, amountCents: doc.topUp.amountCents, tender: doc.topUp.tender, actor }))).toBe('applied');
    expect(await balancesOf(doc.member)).toEqual(doc.topUp.after);
    const bought = await kiosk({
      kind: 'purchase',
      cardUid: card,
      lines: [{ lineNo: 1, sku: 'TEA', category: 'grocery', qty: 1, unitPriceCents: doc.purchase.amountCents }],
      payments: [{ method: 'stored_value', amountCents: doc.purchase.amountCents }],
    });
    expect(outcomeOf(bought)).toBe('applied');
    expect(await balancesOf(doc.member)).toEqual(doc.purchase.after);

    expect(outcomeOf(await kiosk({ kind: 'card_return', cardUid: card, refundTender: 'cash', actor }))).toBe(doc.returnInCashAtSelfService);
    expect(await balancesOf(doc.member)).toEqual(doc.purchase.after);
    const returned = await kiosk({ kind: 'card_return', cardUid: card, refundTender: 'bank_transfer', actor });
    expect(outcomeOf(returned)).toBe('applied');
    expect(returned.outcome?.trace).toEqual(doc.returnByBankTransfer.trace);
    expect(await balancesOf(doc.member)).toEqual(doc.returnByBankTransfer.after);
    expect((await ledger.memberViewById(doc.member))!.card.status).toBe(doc.returnByBankTransfer.cardStatus);

    const after = await kiosk({ kind: 'purchase', cardUid: card, lines: [{ lineNo: 1, sku: 'TEA', category: 'grocery', qty: 1, unitPriceCents: 100 }], payments: [{ method: 'cash', amountCents: 100 }] });
    expect(outcomeOf(after)).toBe(doc.purchaseAfter);
    expect(outcomeOf(await kiosk({ kind: 'card_return', cardUid: card, refundTender: 'bank_transfer', actor }))).toBe(doc.returnAgain);
  });
});
