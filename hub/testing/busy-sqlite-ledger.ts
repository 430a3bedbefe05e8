/**
 * A SQLite ledger with some history, for the sqlite → postgres migration tests: the demo data, then a few hundred
 * transactions of many kinds through the one write path — kiosk purchases (cash, stored value, points), staff
 * top-ups, gift redemptions, refunds, registrations with consents, card freezes, redemption codes, draw entries,
 * refusals (recorded too), HQ top-ups and manual bonuses — from three kiosks, one of them over two epochs, plus a
 * device alert and clock measurements. Every table the ported ledger uses gets rows.
 */
import { createHash, randomBytes } from 'node:crypto';
import pino from 'pino';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT } from '../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { parseLedgerTransaction } from '../ledger/ledger-parse.ts';
import type { ReceivedTransaction } from '../ledger/ledger-store.ts';
import { openLedger } from '../ledger/open-ledger.ts';
import { hqAdminLogin, kioskStaffActor } from './staff-actor.ts';

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
const DAY = 86_400_000;

/** A kiosk's payloads with its seqs counted per epoch. */
export class TestKiosk {
  private readonly seqs = new Map<string, number>();
  constructor(
    readonly deviceId: string,
    public epoch = 'E1',
  ) {}

  /** The next seq of its epoch, or the one given (a test's gap or resend). */
  item(body: Record<string, unknown>, seq = (this.seqs.get(this.epoch) ?? 0) + 1): ReceivedTransaction {
    this.seqs.set(this.epoch, Math.max(seq, this.seqs.get(this.epoch) ?? 0));
    const payload = { v: TX_FORMAT, id: nextId(), deviceId: this.deviceId, epoch: this.epoch, seq, createdAt: new Date().toISOString(), storeId: DEMO_STORE_ID, bundleVersion: 1, ...body };
    return { topicDeviceId: this.deviceId, parsed: parseLedgerTransaction(JSON.stringify(payload)) };
  }
}

export const sale = (cardUid: string, cents: number, method: 'cash' | 'stored_value' = 'cash', lines = 1) => ({
  kind: 'purchase',
  cardUid,
  lines: Array.from({ length: lines }, (_, i) => ({ lineNo: i + 1, sku: `SKU-${i + 1}`, category: 'grocery', qty: 1, unitPriceCents: cents })),
  payments: [{ method, amountCents: cents * lines }],
});

export interface BusyLedgerSummary {
  results: TxResult[];
  /** Every kiosk's device id and the epoch it ended in. */
  kiosks: { deviceId: string; epoch: string }[];
}

/** Writes the ledger at `path` (a new file), closed again when done. */
export async function writeBusySqliteLedger(path: string, rounds = 30): Promise<BusyLedgerSummary> {
  const ledger = await openLedger({ kind: 'sqlite', path, logger: pino({ level: 'silent' }), fallbackBundle: DEFAULT_RULES_BUNDLE });
  const results: TxResult[] = [];
  try {
    await seedDemoData(ledger);
    const kiosks = [new TestKiosk('kiosk-a'), new TestKiosk('kiosk-b'), new TestKiosk('kiosk-c')];
    for (const k of kiosks) {
      await ledger.identity.setDeviceStore(k.deviceId, DEMO_STORE_ID);
      await ledger.identity.setDeviceMode(k.deviceId, 'attended');
      await ledger.recordClockMeasurement(k.deviceId, 12, new Date().toISOString());
    }
    const [a, b, c] = kiosks as [TestKiosk, TestKiosk, TestKiosk];
    const actorA = await kioskStaffActor(ledger, 'kiosk-a');
    const actorB = await kioskStaffActor(ledger, 'kiosk-b');
    const { actor: hq } = await hqAdminLogin(ledger);

    const digest = (n: number) => createHash('sha256').update(`busy-code-${n}`).digest('hex');
    const now = new Date().toISOString();
    const future = new Date(Date.now() + 30 * DAY).toISOString();
    await ledger.codes.createCodeBatch({ batchId: 'B1', name: 'busy-codes', sku: 'TEA', points: 50, expiresAt: future, createdAt: now, createdBy: 'test' }, Array.from({ length: 10 }, (_, i) => digest(i)));
    await ledger.draws.createDraw(
      { drawId: 'd1', name: 'Busy draw', costPoints: 10, closesAt: future, noPrizeWeight: 1, prizes: [{ prizeId: 'pts', name: '5 points', kind: 'points', points: 5, weight: 1, stock: 3 }], secondChance: [] },
      'cd'.repeat(32), 'test', now,
    );
    await ledger.draws.openDraw('d1', now);
    await ledger.raiseDeviceAlert('kiosk-c', 'CLOCK_SKEW', { offsetMs: 90_000 });

    const apply = async (items: ReceivedTransaction[]) => results.push(...(await ledger.applyBatch(items)));
    for (let round = 0; round < rounds; round++) {
      const sales = [a.item(sale(DEMO_CARDS.gold, 500 + round)), a.item(sale(DEMO_CARDS.silver, 300 + round, 'stored_value', 2)), b.item(sale(DEMO_CARDS.diamond, 1_000, 'cash', 3))];
      await apply(sales);
      await apply([
        b.item({ kind: 'top_up', cardUid: DEMO_CARDS.standard, amountCents: 2_000, tender: 'cash', actor: actorB }),
        c.item(sale(DEMO_CARDS.standard, 700, 'stored_value')),
        // Refused (recorded): more stored value than the member holds.
        c.item(sale(DEMO_CARDS.standard, 9_000_000, 'stored_value')),
        c.item({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: [{ lineNo: 1, sku: 'P', category: 'grocery', qty: 1, unitPriceCents: 200 }], payments: [{ method: 'points', points: 200 }] }),
      ]);
      if (round % 3 === 0) {
        const purchase = sales[0]!.parsed.ok ? sales[0]!.parsed.tx.id : '';
        await apply([a.item({ kind: 'refund', cardUid: DEMO_CARDS.gold, purchaseTxId: purchase, lineNos: [1], actor: actorA })]);
        await apply([b.item({ kind: 'redeem_gift', cardUid: DEMO_CARDS.diamond, giftSku: 'GIFT-MUG', qty: 1 })]);
        await apply([c.item({ kind: 'draw_enter', cardUid: DEMO_CARDS.gold, drawId: 'd1' })]);
      }
      if (round % 5 === 0) {
        const phone = `139${String(round).padStart(8, '0')}`;
        const card = `B0${String(round).padStart(10, '0')}`;
        await apply([a.item({ kind: 'register_member', cardUid: card, name: `新会员 ${round}`, phone, consents: [{ purpose: 'terms', granted: true }, { purpose: 'marketing', granted: round % 2 === 0 }] })]);
        await apply([a.item(sale(card, 1_234))]);
        await apply([b.item({ kind: 'code_redeem', cardUid: DEMO_CARDS.silver, codeDigest: digest(round / 5) })]);
        results.push(await ledger.applyHq({ kind: 'manual_bonus', storeId: 'hq', cardUid: DEMO_CARDS.silver, points: 25, reason: 'busy ledger', actor: hq }));
        results.push(await ledger.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 10_000, tender: 'cash', actor: hq }));
      }
      if (round === Math.floor(rounds / 2)) {
        // Kiosk c starts a new epoch (a reinstall): its seqs count from 1 again.
        c.epoch = 'E2';
        await apply([c.item({ kind: 'card_freeze', cardUid: DEMO_CARDS.silver, actor: await kioskStaffActor(ledger, 'kiosk-c') })]);
        await apply([c.item({ kind: 'card_unfreeze', cardUid: DEMO_CARDS.silver, actor: await kioskStaffActor(ledger, 'kiosk-c') })]);
      }
    }
    return { results, kiosks: kiosks.map((k) => ({ deviceId: k.deviceId, epoch: k.epoch })) };
  } finally {
    await ledger.close();
  }
}
