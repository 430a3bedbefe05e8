/**
 * The ledger contract suite, in the style of aedes-persistence's abstract suite: a function that registers
 * describe/it blocks against whatever back end it is given. Every ledger back end runs it from a test file of
 * its own (SQLite: sqlite/sqlite-ledger-store.contract.test.ts; PostgreSQL will do the same):
 *
 *     describeLedgerStoreContract('sqlite', (options) => openLedger({ kind: 'sqlite', path: ':memory:', …, ...options }));
 *
 * It works on the ports directly (no broker, no hub): the exactly-once and in-order decisions, what is recorded
 * and what is not, dating, batch rollback and per-item replay, HQ transactions, and the points expiry sweep and
 * tier reviews applied through the one write path. After every case the journal audit must find nothing.
 *
 * `makeStore` returns a fresh, empty, opened ledger; the suite closes it. Its options: `faults`
 * (ledger-faults.ts): a write that fails inside a batch is the one case no payload produces on purpose, so the
 * back end must fail one on request; `durable`: the store must keep what it holds across close() and open()
 * (an in-memory back end gives a file or a database that outlives the connection for those cases).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { memberInScope, type MemberScope } from '../../core/identity/member-scope.ts';
import { createUlidFactory } from '../../core/ids/ulid.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../core/rules/default-bundle.ts';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import { MAX_TX_BYTES } from '../../core/wire/limits.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { TX_FORMAT, type HqOnlyTransactionInput, type TransactionInput } from '../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID, seedDemoData } from '../demo/seed-demo-data.ts';
import { hqAdminLogin, kioskStaffActor } from '../testing/staff-actor.ts';
import { expirePoints } from '../hq/expire-points.ts';
import { reviewTiers } from '../hq/review-tiers.ts';
import type { Ledger } from './ledger.ts';
import type { LedgerFaults } from './ledger-faults.ts';
import { parseLedgerTransaction } from './ledger-parse.ts';
import type { ReceivedTransaction } from './ledger-store.ts';

export interface ContractStoreOptions {
  faults?: LedgerFaults;
  /** A store that keeps what it holds across close() and open() (a file, not memory): the reopen cases. */
  durable?: boolean;
}

/** A fresh, empty, opened ledger of the back end under test. */
export type MakeContractStore = (options: ContractStoreOptions) => Promise<Ledger>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a (test) kiosk says of a transaction; HQ-only kinds included, to show a kiosk is refused them. */
type KioskBody = DistributiveOmit<
  TransactionInput | HqOnlyTransactionInput,
  'id' | 'deviceId' | 'seq' | 'epoch' | 'v' | 'createdAt' | 'bundleVersion' | 'storeId' | 'clockOffsetMs'
>;
type Payload = Record<string, unknown> & { id: string; seq: number; epoch: string; deviceId: string; createdAt: string };

const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The default ladder (silver 1000, gold 2001, diamond 6001 points), re-evaluated every calendar month. */
const MONTHLY_REVIEW: RulesBundle = { ...DEFAULT_RULES_BUNDLE, version: 2, tiers: { ...DEFAULT_RULES_BUNDLE.tiers!, downgrade: { policy: 'reevaluate', period: 'month' } } };

const purchase = (cents: number, cardUid: string = DEMO_CARDS.gold, method: 'cash' | 'stored_value' = 'cash'): KioskBody => ({
  kind: 'purchase',
  cardUid,
  lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: cents }],
  payments: [{ method, amountCents: cents }],
});

/** Makes a kiosk's payloads by hand: the exact bytes each case needs, seqs counted per epoch unless given. */
class Kiosk {
  private readonly seqs = new Map<string, number>();
  constructor(
    readonly deviceId: string,
    public epoch = 'E1',
    /** The store its transactions name: the one it is enrolled in, if it is. */
    readonly storeId = DEMO_STORE_ID,
  ) {}

  make(body: KioskBody, o: { seq?: number; id?: string; epoch?: string; createdAt?: string; clockOffsetMs?: number; bundleVersion?: number } = {}): Payload {
    const epoch = o.epoch ?? this.epoch;
    const seq = o.seq ?? (this.seqs.get(epoch) ?? 0) + 1;
    this.seqs.set(epoch, Math.max(seq, this.seqs.get(epoch) ?? 0));
    return {
      v: TX_FORMAT,
      id: o.id ?? nextId(),
      deviceId: this.deviceId,
      epoch,
      seq,
      ...(o.clockOffsetMs === undefined ? {} : { clockOffsetMs: o.clockOffsetMs }),
      createdAt: o.createdAt ?? new Date().toISOString(),
      storeId: this.storeId,
      bundleVersion: o.bundleVersion ?? 1,
      ...body,
    };
  }
}

function received(payload: Payload | string, o: { topic?: string; receivedAt?: string } = {}): ReceivedTransaction {
  const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const topic = o.topic ?? (typeof payload === 'string' ? 'kiosk-c' : payload.deviceId);
  return { topicDeviceId: topic, parsed: parseLedgerTransaction(raw), ...(o.receivedAt ? { receivedAt: o.receivedAt } : {}) };
}

/** The suite's sections, in order: a back end being ported runs the ones it passes (all, by default). */
export const LEDGER_CONTRACT_SECTIONS = [
  'exactly once',
  'order',
  'dating',
  'batches',
  'hq transactions',
  'members stores',
  'member purchase',
  'points expiry',
  'tier review',
  'codes and draws',
  'registration consents',
] as const;
export type LedgerContractSection = (typeof LEDGER_CONTRACT_SECTIONS)[number];

/**
 * Registers the suite for one back end. `sections`: the parts it runs — every one by default (SQLite); a back end
 * ported a part at a time (PostgreSQL) names the ones it passes, and its test's name says which, so nothing is
 * skipped in silence.
 */
export function describeLedgerStoreContract(name: string, makeStore: MakeContractStore, sections: readonly LedgerContractSection[] = LEDGER_CONTRACT_SECTIONS): void {
  /** A describe block of the suite, registered only when the back end runs that section. */
  const section = (key: LedgerContractSection, title: string, body: () => void) => {
    if (sections.includes(key)) describe(title, body);
  };
  describe(`ledger store contract: ${name}`, () => {
    let current: Ledger | null = null;

    /** A fresh ledger with the demo members, cards, staff, gifts and opening balances (HQ transactions). */
    async function open(options: ContractStoreOptions = {}): Promise<Ledger> {
      const store = await makeStore(options);
      current = store;
      await seedDemoData(store);
      // The contract's kiosks are counter devices: their purchases pay cash (unattended kiosks are refused it, tested on their own).
      for (const id of ['kiosk-c', 'kiosk-d', 'kiosk-t']) await store.identity.setDeviceMode(id, 'attended');
      return store;
    }

    afterEach(async () => {
      const store = current;
      current = null;
      if (!store) return;
      const findings = await store.audit();
      await store.close();
      // Balances are a cache of the journal, whatever the case did.
      expect(findings).toEqual([]);
    });

    async function apply(store: Ledger, payload: Payload | string, o: { topic?: string; receivedAt?: string } = {}): Promise<TxResult> {
      const [result] = await store.applyBatch([received(payload, o)]);
      return result!;
    }
    const goldBalances = async (store: Ledger) => (await store.memberViewByCard(DEMO_CARDS.gold))!.balances;
    const historyOf = async (store: Ledger, txId: string) => (await store.memberViewByCard(DEMO_CARDS.gold, 100))!.history.filter((h) => h.txId === txId);

    section('exactly once', 'exactly once', () => {
      it('answers a resend (byte-identical or keys reordered) as exists with the stored result, applied once', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const tx = kiosk.make(purchase(1_000));
        const first = await apply(store, tx);
        expect(first).toMatchObject({ id: tx.id, seq: 1, epoch: 'E1', status: 'applied', recorded: true, outcome: { kind: 'purchase', cardUid: DEMO_CARDS.gold } });
        const balances = await goldBalances(store);
        const count = await store.transactionCount();
        const reordered = JSON.stringify(Object.fromEntries(Object.entries(tx).reverse()));
        for (const again of [JSON.stringify(tx), reordered]) {
          expect(await apply(store, again, { topic: 'kiosk-c' })).toEqual({ ...first, status: 'exists', original: 'applied', recorded: true });
        }
        expect(await goldBalances(store)).toEqual(balances);
        expect(await store.transactionCount()).toBe(count);
        expect(await historyOf(store, tx.id)).toHaveLength(1);
      });

      it('refuses the same id with other content in the slot it holds, unrecorded', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const original = kiosk.make(purchase(100));
        expect((await apply(store, original)).status).toBe('applied');
        const impostor = kiosk.make(purchase(999), { id: original.id, seq: 1 });
        expect(await apply(store, impostor)).toMatchObject({ id: original.id, seq: 1, status: 'rejected', code: 'TX_ID_CONFLICT', recorded: false });
        expect(await store.lastSeq('kiosk-c', 'E1')).toBe(1);
        expect(await apply(store, original)).toMatchObject({ status: 'exists', original: 'applied' });
      });

      it('records the same id with other content in the next slot as TX_ID_CONFLICT, filling that slot', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const original = kiosk.make(purchase(100));
        expect((await apply(store, original)).status).toBe('applied');
        const balances = await goldBalances(store);
        const impostor = kiosk.make(purchase(999), { id: original.id });
        expect(await apply(store, impostor)).toMatchObject({ id: original.id, seq: 2, status: 'rejected', code: 'TX_ID_CONFLICT', recorded: true });
        expect(await store.lastSeq('kiosk-c', 'E1')).toBe(2);
        expect(await apply(store, impostor)).toMatchObject({ seq: 2, status: 'exists', original: 'rejected', code: 'TX_ID_CONFLICT', recorded: true });
        expect(await goldBalances(store)).toEqual(balances);
        expect((await apply(store, kiosk.make(purchase(100)))).status).toBe('applied');
        expect((await store.deviceAlerts(10, 'kiosk-c')).map((a) => a.code)).toContain('TX_CLOSED_BY_REFUSAL');
      });
    });

    section('order', 'order', () => {
      it('answers a seq gap with TX_OUT_OF_ORDER (retry, unrecorded) and applies the seqs once the gap is filled', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const one = kiosk.make(purchase(100));
        const two = kiosk.make(purchase(200));
        expect(await apply(store, two)).toMatchObject({ id: two.id, seq: 2, status: 'rejected', code: 'TX_OUT_OF_ORDER', retry: true, recorded: false });
        expect(await store.lastSeq('kiosk-c', 'E1')).toBe(0);
        const results = await store.applyBatch([received(one), received(two)]);
        expect(results.map((r) => [r.id, r.status])).toEqual([
          [one.id, 'applied'],
          [two.id, 'applied'],
        ]);
        expect(await store.lastSeq('kiosk-c', 'E1')).toBe(2);
      });

      it('refuses a seq another sender took (TX_SEQ_REUSED, unrecorded), closes the epoch (TX_EPOCH_CLOSED), and applies the moved entries once', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c', 'EPOCHONE');
        expect((await apply(store, kiosk.make(purchase(100)))).status).toBe('applied');
        expect((await apply(store, kiosk.make(purchase(200)))).status).toBe('applied');
        const mine = kiosk.make(purchase(300), { seq: 2 });
        expect(await apply(store, mine)).toMatchObject({ id: mine.id, seq: 2, epoch: 'EPOCHONE', status: 'rejected', code: 'TX_SEQ_REUSED', recorded: false });
        const next = kiosk.make(purchase(400), { seq: 3 });
        expect(await apply(store, next)).toMatchObject({ status: 'rejected', code: 'TX_EPOCH_CLOSED', recorded: false });
        expect(await store.lastSeq('kiosk-c', 'EPOCHONE')).toBe(2);
        expect((await store.deviceAlerts(10, 'kiosk-c')).map((a) => a.code)).toContain('SEQ_EPOCH_MOVED');
        // The kiosk moves its pending entries to a new epoch: same ids, same content, new seqs.
        const moved = await store.applyBatch([received({ ...mine, epoch: 'EPOCHTWO', seq: 1 }), received({ ...next, epoch: 'EPOCHTWO', seq: 2 })]);
        expect(moved).toMatchObject([
          { id: mine.id, status: 'applied', epoch: 'EPOCHTWO', seq: 1 },
          { id: next.id, status: 'applied', epoch: 'EPOCHTWO', seq: 2 },
        ]);
        expect(await store.consumedSeqs('kiosk-c')).toBe(4);
      });

      it('fills a new epoch\'s slot with a transaction applied in an earlier one as a duplicate (exists), applied once', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c', 'EPOCHA');
        const first = kiosk.make(purchase(100));
        expect((await apply(store, first)).status).toBe('applied');
        const balances = await goldBalances(store);
        // The kiosk never heard the result and moved the entry to a new epoch.
        const again = { ...first, epoch: 'EPOCHB', seq: 1 };
        expect(await apply(store, again)).toMatchObject({ id: first.id, status: 'exists', original: 'applied', epoch: 'EPOCHB', seq: 1, recorded: true });
        expect(await store.lastSeq('kiosk-c', 'EPOCHB')).toBe(1);
        expect((await apply(store, kiosk.make(purchase(100), { epoch: 'EPOCHB', seq: 2 }))).status).toBe('applied');
        // Answered the same way in either place, for ever.
        expect(await apply(store, again)).toMatchObject({ status: 'exists', original: 'applied' });
        expect(await apply(store, first)).toMatchObject({ status: 'exists', original: 'applied' });
        expect(await historyOf(store, first.id)).toHaveLength(1);
        expect((await goldBalances(store)).points).toBe(balances.points + 1);
      });

      it('records a business refusal, which consumes its seq so the queue behind it goes on', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const balances = await goldBalances(store);
        const tooMuch = kiosk.make(purchase(balances.storedValueCents + 1, DEMO_CARDS.gold, 'stored_value'));
        const unknownCard = kiosk.make(purchase(100, 'FFFF0000FFFF'));
        const fine = kiosk.make(purchase(100));
        const results = await store.applyBatch([received(tooMuch), received(unknownCard), received(fine)]);
        expect(results).toMatchObject([
          { id: tooMuch.id, seq: 1, status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE', recorded: true },
          { id: unknownCard.id, seq: 2, status: 'rejected', code: 'CARD_UNKNOWN', recorded: true },
          { id: fine.id, seq: 3, status: 'applied' },
        ]);
        expect(await store.lastSeq('kiosk-c', 'E1')).toBe(3);
        expect(await apply(store, tooMuch)).toMatchObject({ status: 'exists', original: 'rejected', code: 'INSUFFICIENT_STORED_VALUE', recorded: true });
        expect((await goldBalances(store)).storedValueCents).toBe(balances.storedValueCents);
        expect(await historyOf(store, tooMuch.id)).toMatchObject([{ status: 'rejected' }]);
      });

      it('records payloads that can never apply (too large, invalid, unknown kind or format), each filling its slot', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const lines = Array.from({ length: 200 }, (_, i) => ({ lineNo: i + 1, sku: '鲜'.repeat(63) + String(i % 10), category: '乳制品'.repeat(21), qty: 1, unitPriceCents: 100 }));
        const oversize = kiosk.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines, payments: [{ method: 'cash', amountCents: 20_000 }] });
        expect(Buffer.byteLength(JSON.stringify(oversize))).toBeGreaterThan(MAX_TX_BYTES);
        const line = { lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: 100 };
        const invalid = kiosk.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: [line, { ...line, sku: 'BREAD' }], payments: [{ method: 'cash', amountCents: 200 }] });
        const unknownKind = { ...kiosk.make(purchase(100)), kind: 'teleport' };
        const futureFormat = { ...kiosk.make(purchase(100)), v: 99 };
        const next = kiosk.make(purchase(100));
        const results = await store.applyBatch([oversize, invalid, unknownKind, futureFormat, next].map((p) => received(p)));
        expect(results).toMatchObject([
          { id: oversize.id, seq: 1, status: 'rejected', code: 'TX_TOO_LARGE', recorded: true },
          { id: invalid.id, seq: 2, status: 'rejected', code: 'TX_INVALID', recorded: true },
          { id: unknownKind.id, seq: 3, status: 'rejected', code: 'TX_UNKNOWN_KIND', recorded: true },
          { id: futureFormat.id, seq: 4, status: 'rejected', code: 'TX_FORMAT_UNSUPPORTED', recorded: true },
          { id: next.id, seq: 5, status: 'applied' },
        ]);
        expect(await apply(store, oversize)).toMatchObject({ status: 'exists', original: 'rejected', code: 'TX_TOO_LARGE' });
        const alerts = await store.deviceAlerts(10, 'kiosk-c');
        expect(alerts.filter((a) => a.code === 'TX_CLOSED_BY_REFUSAL').map((a) => a.detail.code)).toEqual(['TX_FORMAT_UNSUPPORTED', 'TX_UNKNOWN_KIND', 'TX_INVALID', 'TX_TOO_LARGE']);
      });

      it('answers what it cannot record (no readable slot, another device\'s payload) without filling any slot', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const mismatch = kiosk.make(purchase(100));
        const results = await store.applyBatch([received('not json', { topic: 'kiosk-c' }), received(mismatch, { topic: 'kiosk-other' })]);
        expect(results).toMatchObject([
          { id: null, status: 'rejected', code: 'TX_MALFORMED', recorded: false },
          { id: mismatch.id, status: 'rejected', code: 'TX_DEVICE_MISMATCH', recorded: false },
        ]);
        expect(await store.consumedSeqs('kiosk-c')).toBe(0);
        expect(await store.consumedSeqs('kiosk-other')).toBe(0);
      });
    });

    section('dating', "dating (the kiosk's clock is not trusted)", () => {
      const atOf = async (store: Ledger, txId: string) => (await historyOf(store, txId))[0]?.at;

      it('dates a possible time at the kiosk time corrected by its offset', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const receivedAt = iso(Date.now() - 60_000);
        // The kiosk's clock runs two hours slow; the hub measured +2 h when it connected.
        const slow = kiosk.make(purchase(100), { createdAt: iso(Date.parse(receivedAt) - 2 * 3_600_000 - 1_000), clockOffsetMs: 2 * 3_600_000 });
        const result = await apply(store, slow, { receivedAt });
        expect(result.status).toBe('applied');
        expect(result.clock).toBeUndefined();
        expect(await atOf(store, slow.id)).toBe(iso(Date.parse(receivedAt) - 1_000));
      });

      it('dates an impossible time (future, before 2024, before the previous one) at its receive time, and says so', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const now = Date.now();
        const cases = [
          { tx: kiosk.make(purchase(100), { createdAt: iso(now - 4 * DAY) }), receivedAt: iso(now - 3 * DAY), reason: null },
          { tx: kiosk.make(purchase(100), { createdAt: '9999-12-31T23:59:59.000Z' }), receivedAt: iso(now - 2 * DAY), reason: 'future' },
          { tx: kiosk.make(purchase(100), { createdAt: '1970-01-01T00:00:05.000Z' }), receivedAt: iso(now - DAY), reason: 'before_earliest' },
          { tx: kiosk.make(purchase(100), { createdAt: iso(now - 5 * DAY) }), receivedAt: iso(now - 1_000), reason: 'before_previous' },
        ] as const;
        for (const c of cases) {
          const result = await apply(store, c.tx, { receivedAt: c.receivedAt });
          expect(result.status).toBe('applied');
          if (c.reason === null) {
            expect(result.clock).toBeUndefined();
            expect(await atOf(store, c.tx.id)).toBe(c.tx.createdAt);
          } else {
            expect(result.clock).toMatchObject({ usedHubTime: true, reason: c.reason });
            expect(await atOf(store, c.tx.id)).toBe(c.receivedAt);
          }
        }
        const alerts = (await store.deviceAlerts(10, 'kiosk-c')).filter((a) => a.code === 'CLOCK_IMPLAUSIBLE_TX');
        expect(alerts.map((a) => a.detail.reason)).toEqual(['before_previous', 'before_earliest', 'future']);
      });
    });

    section('batches', 'batches', () => {
      it('applies a batch in order: later items see what earlier ones wrote', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const before = await goldBalances(store);
        const topUp = kiosk.make({ kind: 'top_up', cardUid: DEMO_CARDS.gold, amountCents: 50_000, tender: 'cash', actor: await kioskStaffActor(store, 'kiosk-c') });
        const spend = kiosk.make(purchase(before.storedValueCents + 40_000, DEMO_CARDS.gold, 'stored_value'));
        const results = await store.applyBatch([received(topUp), received(spend)]);
        expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
        expect((await goldBalances(store)).storedValueCents).toBe(10_000);
      });

      it('rolls back a batch whose write fails and replays it: only the failing transaction is recorded, as INTERNAL', async () => {
        const failing = new Set<string>();
        const store = await open({ faults: { failEffectWrite: (tx) => failing.has(tx.id) } });
        const kiosk = new Kiosk('kiosk-c');
        const other = new Kiosk('kiosk-d');
        const before = await goldBalances(store);
        const a = kiosk.make(purchase(1_000));
        const bad = kiosk.make(purchase(2_000));
        const c = kiosk.make(purchase(4_000));
        const d = other.make(purchase(8_000));
        failing.add(bad.id);
        const results = await store.applyBatch([a, bad, c, d].map((p) => received(p)));
        expect(results).toMatchObject([
          { id: a.id, seq: 1, status: 'applied' },
          { id: bad.id, seq: 2, status: 'rejected', code: 'INTERNAL', recorded: true },
          { id: c.id, seq: 3, status: 'applied' },
          { id: d.id, seq: 1, status: 'applied' },
        ]);
        // The failing write was undone whole (the audit after the case checks the journal too).
        const gold = 1.5; // points per yuan for a gold member under the default rules
        expect((await goldBalances(store)).points).toBe(before.points + Math.floor(10 * gold) + Math.floor(40 * gold) + Math.floor(80 * gold));
        expect(await store.lastSeq('kiosk-c', 'E1')).toBe(3);
        // Recorded for good: a resend is answered from the ledger (its payload is kept for re-application).
        expect(await apply(store, bad)).toMatchObject({ status: 'exists', original: 'rejected', code: 'INTERNAL', recorded: true });
        expect((await store.deviceAlerts(10, 'kiosk-c')).map((a) => [a.code, a.detail.code])).toContainEqual(['TX_CLOSED_BY_REFUSAL', 'INTERNAL']);
      });

      it('rejects a batch it can neither write nor record, having applied none of it, and applies it once it can', async () => {
        const failing = new Set<string>();
        const store = await open({ faults: { failEffectWrite: (tx) => failing.has(tx.id), failDefectRecord: (txId) => failing.has(txId) } });
        const kiosk = new Kiosk('kiosk-c');
        const before = await goldBalances(store);
        const count = await store.transactionCount();
        const a = kiosk.make(purchase(1_000));
        const bad = kiosk.make(purchase(2_000));
        failing.add(bad.id);
        await expect(store.applyBatch([received(a), received(bad)])).rejects.toThrow();
        expect(await store.lastSeq('kiosk-c', 'E1')).toBe(0);
        expect(await store.transactionCount()).toBe(count);
        expect(await goldBalances(store)).toEqual(before);
        expect(await store.deviceAlerts(10, 'kiosk-c')).toEqual([]);
        // The devices resend; the store has forgotten nothing it did not commit.
        failing.clear();
        expect((await store.applyBatch([received(a), received(bad)])).map((r) => r.status)).toEqual(['applied', 'applied']);
        expect(await store.lastSeq('kiosk-c', 'E1')).toBe(2);
      });

      it('replays HQ transactions the same way: only the failing one is recorded as INTERNAL, under its own HQ seq', async () => {
        const failing = new Set<string>();
        const store = await open({ faults: { failEffectWrite: (tx) => tx.deviceId === HQ_DEVICE_ID && failing.has(tx.kind) } });
        const hqBefore = await store.lastSeq(HQ_DEVICE_ID);
        const { actor } = await hqAdminLogin(store);
        failing.add('card_freeze');
        const results = await store.applyHqBatch([
          { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 100, tender: 'cash', actor },
          { kind: 'card_freeze', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.silver, actor },
          { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 200, tender: 'cash', actor },
        ]);
        expect(results).toMatchObject([
          { seq: hqBefore + 1, status: 'applied' },
          { seq: hqBefore + 2, status: 'rejected', code: 'INTERNAL', recorded: true },
          { seq: hqBefore + 3, status: 'applied' },
        ]);
        expect((await store.card(DEMO_CARDS.silver))?.status).toBe('active');
        expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 3);
      });
    });

    section('hq transactions', 'HQ transactions', () => {
      it('applies them through the same path under HQ\'s own seq, taken inside the database transaction', async () => {
        const store = await open();
        const hqBefore = await store.lastSeq(HQ_DEVICE_ID);
        expect(hqBefore).toBeGreaterThan(0); // the demo's opening balances are HQ transactions
        const { actor } = await hqAdminLogin(store);
        const before = await goldBalances(store);
        const one = await store.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 100, tender: 'cash', actor });
        expect(one).toMatchObject({ seq: hqBefore + 1, epoch: '', status: 'applied', recorded: true });
        const two = await store.applyHqBatch([
          { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 200, tender: 'cash', actor },
          { kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 300, tender: 'cash', actor },
        ]);
        expect(two.map((r) => [r.seq, r.status])).toEqual([
          [hqBefore + 2, 'applied'],
          [hqBefore + 3, 'applied'],
        ]);
        expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 3);
        expect((await goldBalances(store)).storedValueCents).toBe(before.storedValueCents + 600);
        expect(await historyOf(store, one.id!)).toHaveLength(1);
        // A business refusal of an HQ transaction is recorded and consumes its seq like any other.
        const refused = await store.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: 'FFFF0000FFFF', amountCents: 100, tender: 'cash', actor });
        expect(refused).toMatchObject({ seq: hqBefore + 4, status: 'rejected', code: 'CARD_UNKNOWN', recorded: true });
      });

      it('applies a caller-given id once: the same id again, also after a reopen, answers the stored result as exists and takes no seq', async () => {
        const store = await open({ durable: true });
        const { actor } = await hqAdminLogin(store);
        const bonus = { kind: 'manual_bonus', storeId: HQ_DEVICE_ID, cardUid: DEMO_CARDS.gold, points: 150, reason: 'birthday', actor } as const;
        const pointsBefore = (await goldBalances(store)).points;
        const id = nextId();
        const first = await store.applyHq(bonus, { id });
        expect(first).toMatchObject({ id, status: 'applied', recorded: true });
        const hqSeq = await store.lastSeq(HQ_DEVICE_ID);
        const count = await store.transactionCount();
        expect(await store.applyHq(bonus, { id })).toMatchObject({ id, seq: first.seq, status: 'exists', original: 'applied', recorded: true });
        await store.close();
        await store.open();
        // A re-run after a restart, even with other words, is the same grant: the id decides.
        const again = await store.applyHq({ ...bonus, reason: 'birthday (re-run)' }, { id });
        expect(again).toMatchObject({ id, seq: first.seq, status: 'exists', original: 'applied', recorded: true, outcome: { pointsEarned: 150 } });
        expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqSeq);
        expect(await store.transactionCount()).toBe(count);
        expect((await goldBalances(store)).points).toBe(pointsBefore + 150);
        expect(await historyOf(store, id)).toHaveLength(1);
        // A refusal recorded under an id is its outcome for good: answered as exists, original rejected.
        const refusedId = nextId();
        const refused = await store.applyHq({ ...bonus, cardUid: 'FFFF0000FFFF' }, { id: refusedId });
        expect(refused).toMatchObject({ id: refusedId, status: 'rejected', code: 'CARD_UNKNOWN', recorded: true });
        expect(await store.applyHq(bonus, { id: refusedId })).toMatchObject({ id: refusedId, seq: refused.seq, status: 'exists', original: 'rejected', code: 'CARD_UNKNOWN' });
        // An id a kiosk's transaction holds is not HQ's to answer: refused, unrecorded, nothing applied.
        const kioskTx = new Kiosk('kiosk-c').make(purchase(100));
        const kioskResult = await apply(store, kioskTx);
        expect(kioskResult).toMatchObject({ status: 'applied' });
        const hqSeqBefore = await store.lastSeq(HQ_DEVICE_ID);
        expect(await store.applyHq(bonus, { id: kioskTx.id })).toMatchObject({ id: kioskTx.id, status: 'rejected', code: 'TX_ID_CONFLICT', recorded: false });
        expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqSeqBefore);
        expect((await goldBalances(store)).points).toBe(pointsBefore + 150 + kioskResult.outcome!.pointsEarned);
      });

      it('refuses HQ-only kinds and manual bonuses from a kiosk with TX_NOT_ALLOWED_FROM_DEVICE, recorded', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const before = await store.member('M0003');
        const asOf = iso(Date.now() + 400 * DAY);
        const attempts = [
          kiosk.make({ kind: 'manual_bonus', cardUid: DEMO_CARDS.gold, points: 100, reason: 'goodwill', actor: await kioskStaffActor(store, 'kiosk-c') }),
          kiosk.make({ kind: 'points_expiry', memberId: 'M0003', asOf }),
          kiosk.make({ kind: 'tier_review', memberId: 'M0003', period: '2026-10', figure: 0, tierBefore: 'gold', tierAfter: 'standard' }),
        ];
        const results = await store.applyBatch(attempts.map((p) => received(p)));
        expect(results.map((r) => [r.status, r.code, r.recorded])).toEqual([
          ['rejected', 'TX_NOT_ALLOWED_FROM_DEVICE', true],
          ['rejected', 'TX_NOT_ALLOWED_FROM_DEVICE', true],
          ['rejected', 'TX_NOT_ALLOWED_FROM_DEVICE', true],
        ]);
        expect(await store.lastSeq('kiosk-c', 'E1')).toBe(3);
        expect(await store.member('M0003')).toEqual(before);
      });
    });

    section('members stores', "members' stores (whose staff see a member)", () => {
      const STORE_A = DEMO_STORE_ID;
      const STORE_B = 'store-002';
      /** A counter kiosk enrolled in `storeId` (the contract's other kiosks are enrolled nowhere). */
      async function kioskIn(store: Ledger, deviceId: string, storeId: string): Promise<Kiosk> {
        await store.identity.setDeviceStore(deviceId, storeId);
        await store.identity.setDeviceMode(deviceId, 'attended');
        return new Kiosk(deviceId, 'E1', storeId);
      }
      async function register(store: Ledger, kiosk: Kiosk, cardUid: string, phone: string): Promise<string> {
        const result = await apply(store, kiosk.make({ kind: 'register_member', cardUid, name: 'New Member', phone }));
        expect(result.status).toBe('applied');
        return result.outcome!.memberId;
      }

      it('knows a member in the store that registered them and in every store where a transaction of theirs was applied', async () => {
        const store = await open();
        const inA = await kioskIn(store, 'kiosk-a', STORE_A);
        const inB = await kioskIn(store, 'kiosk-b', STORE_B);
        // The demo store issued the demo cards; the demo's opening transactions are HQ's, made in no store.
        expect(await store.memberStores('M0003')).toEqual({ homeStoreId: STORE_A, shoppedAtStoreIds: [] });
        expect(await store.memberStores('NOBODY')).toBeNull();
        const memberId = await register(store, inB, 'B0000000000B', '13900000002');
        expect(await store.memberStores(memberId)).toEqual({ homeStoreId: STORE_B, shoppedAtStoreIds: [STORE_B] });
        // A refusal at A (no stored value) and a purchase by a kiosk enrolled nowhere put them in no other store.
        expect(await apply(store, inA.make(purchase(100, 'B0000000000B', 'stored_value')))).toMatchObject({ status: 'rejected', code: 'INSUFFICIENT_STORED_VALUE' });
        expect((await apply(store, new Kiosk('kiosk-c').make(purchase(100, 'B0000000000B')))).status).toBe('applied');
        expect(await store.memberStores(memberId)).toEqual({ homeStoreId: STORE_B, shoppedAtStoreIds: [STORE_B] });
        // A purchase at A does.
        expect((await apply(store, inA.make(purchase(100, 'B0000000000B')))).status).toBe('applied');
        expect(await store.memberStores(memberId)).toEqual({ homeStoreId: STORE_B, shoppedAtStoreIds: [STORE_A, STORE_B] });
      });

      it('lists the members of a scope by the same rule, in order, at most the limit', async () => {
        const store = await open();
        const inA = await kioskIn(store, 'kiosk-a', STORE_A);
        const inB = await kioskIn(store, 'kiosk-b', STORE_B);
        const ofB = await register(store, inB, 'B0000000000B', '13900000002');
        const ofBBuyingAtA = await register(store, inB, 'C0000000000C', '13900000003');
        expect((await apply(store, inA.make(purchase(100, 'C0000000000C')))).status).toBe('applied');
        // A member from before home stores were recorded, who has shopped nowhere.
        await store.createMember({ memberId: 'M-OLD', name: 'Old Member', phone: '13900000009', tier: 'standard', cards: [{ uid: '0D0000000000' }] });
        expect(await store.memberStores('M-OLD')).toEqual({ homeStoreId: null, shoppedAtStoreIds: [] });
        const demo = ['M0001', 'M0002', 'M0003', 'M0004'];
        const everyone = [...demo, ofB, ofBBuyingAtA, 'M-OLD'].sort();
        expect(await store.memberIdsInScope({ kind: 'chain' }, 100)).toEqual(everyone);
        expect(await store.memberIdsInScope({ kind: 'chain' }, 2)).toEqual(everyone.slice(0, 2));
        const inScopeOfA = [...demo, ofBBuyingAtA].sort();
        expect(await store.memberIdsInScope({ kind: 'stores', storeIds: [STORE_A] }, 100)).toEqual(inScopeOfA);
        expect(await store.memberIdsInScope({ kind: 'stores', storeIds: [STORE_A] }, 3)).toEqual(inScopeOfA.slice(0, 3));
        expect(await store.memberIdsInScope({ kind: 'stores', storeIds: [STORE_B] }, 100)).toEqual([ofB, ofBBuyingAtA].sort());
        expect(await store.memberIdsInScope({ kind: 'stores', storeIds: [STORE_A, STORE_B] }, 100)).toEqual(everyone.filter((id) => id !== 'M-OLD'));
        expect(await store.memberIdsInScope({ kind: 'stores', storeIds: ['store-999'] }, 100)).toEqual([]);
        expect(await store.memberIdsInScope({ kind: 'stores', storeIds: [] }, 100)).toEqual([]);
        // The listing agrees with core's rule applied to each member's stores, for every scope.
        const scopes: MemberScope[] = [{ kind: 'chain' }, { kind: 'stores', storeIds: [STORE_A] }, { kind: 'stores', storeIds: [STORE_B] }, { kind: 'stores', storeIds: ['store-999'] }];
        for (const scope of scopes) {
          const listed = await store.memberIdsInScope(scope, 100);
          for (const id of everyone) expect({ scope, id, listed: listed.includes(id) }).toEqual({ scope, id, listed: memberInScope(scope, (await store.memberStores(id))!) });
        }
      });
    });

    section('member purchase', "a member's purchase, for a refund at a kiosk (memberPurchase)", () => {
      it('reads a purchase of its member with the lines refunded since; another member\'s, a refused one and an unknown one read as none', async () => {
        const store = await open();
        const kiosk = new Kiosk('kiosk-c');
        const gold = (await store.card(DEMO_CARDS.gold))!.memberId;
        const silver = (await store.card(DEMO_CARDS.silver))!.memberId;
        const lines = [
          { lineNo: 1, sku: 'MILK', category: 'grocery', qty: 2, unitPriceCents: 300 },
          { lineNo: 2, sku: 'EGGS', category: 'grocery', qty: 1, unitPriceCents: 900 },
        ];
        const sale = kiosk.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines, payments: [{ method: 'cash', amountCents: 1_500 }] });
        const applied = await apply(store, sale);
        expect(applied.status).toBe('applied');
        const expected = { txId: sale.id, lines, payments: [{ method: 'cash', amountCents: 1_500 }], totalCents: applied.outcome!.purchase!.totalCents };
        expect(await store.memberPurchase(gold, sale.id)).toEqual({ ...expected, at: (await historyOf(store, sale.id))[0]!.at, refundedLineNos: [] });

        const refund = kiosk.make({ kind: 'refund', cardUid: DEMO_CARDS.gold, purchaseTxId: sale.id, lineNos: [2], actor: await kioskStaffActor(store, 'kiosk-c') });
        expect((await apply(store, refund)).status).toBe('applied');
        expect(await store.memberPurchase(gold, sale.id)).toMatchObject({ ...expected, refundedLineNos: [2] });

        expect(await store.memberPurchase(silver, sale.id)).toBeNull();
        expect(await store.memberPurchase(gold, nextId())).toBeNull();
        // A refused sale (no such card) left no purchase to refund.
        const refused = kiosk.make({ kind: 'purchase', cardUid: 'FFFF0001', lines, payments: [{ method: 'cash', amountCents: 1_500 }] });
        expect((await apply(store, refused)).status).toBe('rejected');
        expect(await store.memberPurchase(gold, refused.id)).toBeNull();
      });
    });

    section('points expiry', 'points expiry through the one write path', () => {
      it('takes expired lots out of the balance, one HQ transaction per member, and does it once', async () => {
        const store = await open();
        // The gold member's opening purchase earned 1200 points (800 yuan × 1.5), expiring 365 days later.
        const before = (await store.memberViewByCard(DEMO_CARDS.gold))!;
        expect(before.balances.points).toBe(1200);
        expect(await expirePoints(store, new Date().toISOString())).toEqual({ members: 0, points: 0 });
        const hqBefore = await store.lastSeq(HQ_DEVICE_ID);
        // A purchase now earns a lot that expires in 365 days: also before the sweep's time.
        const bought = await store.applyHq({
          kind: 'purchase',
          storeId: DEMO_STORE_ID,
          cardUid: DEMO_CARDS.gold,
          lines: [{ lineNo: 1, sku: 'X', category: 'general', qty: 1, unitPriceCents: 10_000 }],
          payments: [{ method: 'cash', amountCents: 10_000 }],
        });
        expect(bought.outcome?.pointsEarned).toBe(150);
        const farFuture = iso(Date.now() + 400 * DAY);
        const swept = await expirePoints(store, farFuture);
        // Every demo member's opening lot (50, 360, 1200, 3000) and the new one (150).
        expect(swept).toEqual({ members: 4, points: 50 + 360 + 1200 + 150 + 3000 });
        expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 1 + 4);
        const after = (await store.memberViewByCard(DEMO_CARDS.gold))!;
        expect(after.balances.points).toBe(0);
        expect(after.history[0]).toMatchObject({ kind: 'points_expiry', status: 'applied', pointsDelta: -1350, at: farFuture });
        expect(await expirePoints(store, farFuture)).toEqual({ members: 0, points: 0 });
        expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 1 + 4);
        // A points_expiry planned against lots another writer swept meanwhile is refused, never applied twice.
        const stale = await store.applyHq({ kind: 'points_expiry', storeId: HQ_DEVICE_ID, memberId: 'M0003', asOf: farFuture });
        expect(stale).toMatchObject({ status: 'rejected', code: 'POINTS_EXPIRY_NOTHING_DUE', recorded: true });
      });

      it('shares one HQ sequence with other HQ transactions', async () => {
        const store = await open();
        expect((await expirePoints(store, iso(Date.now() + 400 * DAY))).members).toBe(4);
        const { actor } = await hqAdminLogin(store);
        const after = await store.applyHq({ kind: 'top_up', storeId: DEMO_STORE_ID, cardUid: DEMO_CARDS.gold, amountCents: 100, tender: 'cash', actor });
        expect(after.status).toBe('applied');
      });

      it('leaves lots alone that are not due yet, and spent points gone', async () => {
        const store = await open();
        // Half a year on, nothing earned today has expired.
        expect(await expirePoints(store, iso(Date.now() + 180 * DAY))).toEqual({ members: 0, points: 0 });
        const kiosk = new Kiosk('kiosk-c');
        // The gold member pays 10 yuan with 1000 points: the sweep takes only what is left in the lot.
        const paid = await apply(store, kiosk.make({ kind: 'purchase', cardUid: DEMO_CARDS.gold, lines: [{ lineNo: 1, sku: 'X', category: 'general', qty: 1, unitPriceCents: 1_000 }], payments: [{ method: 'points', points: 1_000 }] }));
        expect(paid.status).toBe('applied');
        const swept = await expirePoints(store, iso(Date.now() + 400 * DAY));
        expect(swept).toEqual({ members: 4, points: 50 + 360 + 200 + 3000 });
      });
    });

    section('tier review', 'tier review through the one write path', () => {
      /** A cash purchase made by kiosk "kiosk-t" at a chosen time and received then. */
      async function buy(store: Ledger, kiosk: Kiosk, cardUid: string, cents: number, createdAt: string) {
        const result = await apply(store, kiosk.make(purchase(cents, cardUid), { createdAt, bundleVersion: 2 }), { receivedAt: createdAt });
        expect(result.status).toBe('applied');
      }

      it('moves every member to the tier their month earned, once, with one HQ transaction per change', async () => {
        const store = await open();
        await store.saveRulesBundle(MONTHLY_REVIEW);
        const kiosk = new Kiosk('kiosk-t');
        // January 2027 (Shanghai): the gold member earns 1500 × 1.5 = 2250 (stays gold); the diamond member
        // 100 × 2 = 200 (drops to standard); the silver member buys nothing (drops to standard).
        await buy(store, kiosk, DEMO_CARDS.gold, 150_000, '2027-01-10T04:00:00.000Z');
        await buy(store, kiosk, DEMO_CARDS.diamond, 10_000, '2027-01-20T04:00:00.000Z');
        // The silver member buys 5000 yuan on 2 February (× 1.2 = 6000: gold by this month's figure; diamond
        // for now by lifetime points). February does not count for January, but the review does not push them
        // below what February already earned them: gold.
        await buy(store, kiosk, DEMO_CARDS.silver, 500_000, '2027-02-02T04:00:00.000Z');
        expect((await store.member('M0002'))?.tier).toBe('diamond');
        const hqBefore = await store.lastSeq(HQ_DEVICE_ID);

        const review = await reviewTiers(store, '2027-02-05T00:00:00.000Z');
        expect(review).toEqual({ status: 'reviewed', period: '2027-01', members: 4, changed: 2 });
        const tiers = await Promise.all(['M0001', 'M0002', 'M0003', 'M0004'].map(async (id) => (await store.member(id))?.tier));
        expect(tiers).toEqual(['standard', 'gold', 'gold', 'standard']);
        expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 2);
        expect((await store.memberViewById('M0004'))?.history[0]).toMatchObject({ kind: 'tier_review', status: 'applied', at: '2027-02-05T00:00:00.000Z' });
        expect(await reviewTiers(store, '2027-02-20T00:00:00.000Z')).toEqual({ status: 'already_reviewed', period: '2027-01' });
        expect(await store.lastSeq(HQ_DEVICE_ID)).toBe(hqBefore + 2);
        // A review planned against a tier that has changed since is refused, never applied twice.
        const stale = await store.applyHq({ kind: 'tier_review', storeId: HQ_DEVICE_ID, memberId: 'M0004', period: '2027-01', figure: 200, tierBefore: 'diamond', tierAfter: 'standard' });
        expect(stale).toMatchObject({ status: 'rejected', code: 'TIER_REVIEW_STALE', recorded: true });
      });

      it('does not review a period the ledger did not track from its first day', async () => {
        const store = await open();
        await store.saveRulesBundle(MONTHLY_REVIEW);
        // Nothing tracked yet: the November review cannot know what anyone earned, so nobody is downgraded.
        expect(await reviewTiers(store, '2026-12-03T00:00:00.000Z')).toEqual({ status: 'skipped_not_fully_tracked', period: '2026-11' });
        expect((await store.member('M0004'))?.tier).toBe('diamond');
        expect(await reviewTiers(store, '2026-12-04T00:00:00.000Z')).toEqual({ status: 'already_reviewed', period: '2026-11' });
      });

      it('has nothing to do when the rules never downgrade', async () => {
        const store = await open();
        expect(await reviewTiers(store, '2027-02-05T00:00:00.000Z')).toEqual({ status: 'nothing_due' });
      });
    });

    section('codes and draws', 'redemption codes and points draws (codes, draws) through the one write path', () => {
      const FUTURE = iso(Date.now() + 30 * DAY);
      const digest = (n: number) => createHash('sha256').update(`contract-code-${n}`).digest('hex');
      const batch = { batchId: 'B1', name: 'label-1', sku: 'TEA', points: 100, expiresAt: FUTURE, createdAt: iso(Date.now()), createdBy: 'contract' };

      it('stores a batch by digest, verifies without using, redeems a code once, and refuses a second batch of the name', async () => {
        const store = await open();
        expect(await store.codes.createCodeBatch(batch, [digest(1), digest(2)])).toMatchObject({ batchId: 'B1', count: 2, used: 0 });
        await expect(store.codes.createCodeBatch({ ...batch, batchId: 'B2' }, [digest(3)])).rejects.toMatchObject({ code: 'CODE_BATCH_EXISTS' });
        const now = iso(Date.now());
        expect(await store.codes.verifyCode(digest(1), now)).toMatchObject({ status: 'genuine', batch: { batchId: 'B1', sku: 'TEA', points: 100 } });
        expect(await store.codes.verifyCode(digest(3), now)).toEqual({ status: 'unknown' });
        expect(await store.codes.verifyCode(digest(1), FUTURE)).toMatchObject({ status: 'expired' });
        const kiosk = new Kiosk('kiosk-c');
        const before = (await goldBalances(store)).points;
        // Two redemptions of one code in one batch: the second reads it used.
        const [first, second] = await store.applyBatch([
          received(kiosk.make({ kind: 'code_redeem', cardUid: DEMO_CARDS.gold, codeDigest: digest(1) })),
          received(kiosk.make({ kind: 'code_redeem', cardUid: DEMO_CARDS.silver, codeDigest: digest(1) })),
        ]);
        expect(first).toMatchObject({ status: 'applied', outcome: { pointsEarned: 100 } });
        expect(second).toMatchObject({ status: 'rejected', code: 'CODE_USED', recorded: true });
        expect((await goldBalances(store)).points).toBe(before + 100);
        expect(await store.codes.verifyCode(digest(1), now)).toMatchObject({ status: 'used', usedAt: expect.any(String) as unknown });
        expect(await store.codes.listCodeBatches()).toEqual([expect.objectContaining({ batchId: 'B1', count: 2, used: 1 })]);
      });

      it('keeps a draw from draft to open to closed, records entries in order, draws the second chance once and hands over what the audit needs', async () => {
        const store = await open();
        const seed = 'ab'.repeat(32);
        const definition = {
          drawId: 'd1', name: 'Draw', costPoints: 10, closesAt: FUTURE, noPrizeWeight: 0,
          prizes: [{ prizeId: 'pts', name: '5 points', kind: 'points' as const, points: 5, weight: 1, stock: 1 }],
          secondChance: [{ prizeId: 'tv', name: 'TV', count: 1 }],
        };
        const draft = await store.draws.createDraw(definition, seed, 'contract', iso(Date.now()));
        expect(draft).toMatchObject({ drawId: 'd1', status: 'draft', seed: null, totalWeight: 1, entries: 0 });
        await expect(store.draws.createDraw(definition, seed, 'contract', iso(Date.now()))).rejects.toMatchObject({ code: 'DRAW_EXISTS' });
        await expect(store.draws.closeDraw('d1', iso(Date.now()))).rejects.toMatchObject({ code: 'DRAW_BAD_STATE' });
        await expect(store.draws.openDraw('nope', iso(Date.now()))).rejects.toMatchObject({ code: 'DRAW_UNKNOWN' });
        expect(await store.draws.openDraw('d1', iso(Date.now()))).toMatchObject({ status: 'open' });
        expect((await store.draws.listDraws('open')).map((d) => d.drawId)).toEqual(['d1']);
        const kiosk = new Kiosk('kiosk-c');
        const results = await store.applyBatch([1, 2, 3].map(() => received(kiosk.make({ kind: 'draw_enter', cardUid: DEMO_CARDS.gold, drawId: 'd1' }))));
        expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
        // One prize in stock, every pick on it: the first entry wins it, the others find none left.
        expect(results.map((r) => r.outcome?.draw?.prize?.prizeId ?? null)).toEqual(['pts', null, null]);
        const entries = await store.draws.drawEntries('d1');
        expect(entries.map((e) => [e.txId, e.prizeId, e.outOfStockPrizeId])).toEqual([[results[0]!.id, 'pts', null], [results[1]!.id, null, 'pts'], [results[2]!.id, null, 'pts']]);
        expect((await store.draws.draw('d1'))!.prizes.find((p) => p.prizeId === 'pts')).toMatchObject({ stock: 1, stockLeft: 0 });
        const closed = await store.draws.closeDraw('d1', iso(Date.now()));
        expect(closed).toMatchObject({ status: 'closed', seed, entries: 3 });
        await expect(store.draws.closeDraw('d1', iso(Date.now()))).rejects.toMatchObject({ code: 'DRAW_BAD_STATE' });
        const winners = await store.draws.drawWinners('d1');
        expect(winners).toEqual([expect.objectContaining({ prizeId: 'tv', k: 0, memberId: 'M0003' })]);
        const input = await store.draws.drawAuditInput('d1');
        expect(input).toMatchObject({ seedHex: seed, noPrizeWeight: 0, prizes: [{ prizeId: 'pts', weight: 1, stock: 1 }], secondChance: [{ prizeId: 'tv', count: 1 }] });
        expect(input!.entries.map((e) => e.txId)).toEqual(entries.map((e) => e.txId));
        expect(input!.secondChanceWinners).toEqual([{ prizeId: 'tv', k: 0, entryTxId: winners[0]!.entryTxId }]);
        expect(await store.draws.drawAuditInput('nope')).toBeNull();
      });
    });

    section('registration consents', "a registration's consents through the one write path", () => {
      it('records the consents given on the kiosk with the registration, once: a resend adds none, a refusal leaves none', async () => {
        const store = await open();
        await store.identity.setDeviceStore('kiosk-c', DEMO_STORE_ID);
        const kiosk = new Kiosk('kiosk-c');
        const consents = [{ purpose: 'terms', granted: true }, { purpose: 'marketing', granted: false }] as const;
        const tx = kiosk.make({ kind: 'register_member', cardUid: 'C0C0C0C0C0C0', name: '白露', phone: '13900000021', consents: [...consents] });
        const first = await apply(store, tx);
        expect(first.status).toBe('applied');
        const memberId = first.outcome!.memberId;
        const recorded = await store.memberProfiles.consents(memberId);
        expect(recorded.map((c) => [c.purpose, c.granted, c.at, c.staffId])).toEqual([
          ['membership', true, tx.createdAt, 'device:kiosk-c'],
          ['marketing_sms', false, tx.createdAt, 'device:kiosk-c'],
        ]);
        expect(recorded.every((c) => c.note?.includes(tx.id))).toBe(true);
        expect(await apply(store, tx)).toMatchObject({ status: 'exists', original: 'applied' });
        expect(await store.memberProfiles.consents(memberId)).toEqual(recorded);

        // The same phone again: refused (recorded), and no member, so no consent of theirs either.
        const refused = kiosk.make({ kind: 'register_member', cardUid: 'C1C1C1C1C1C1', name: '白露', phone: '13900000021', consents: [...consents] });
        expect(await apply(store, refused)).toMatchObject({ status: 'rejected', code: 'MEMBER_PHONE_TAKEN' });
        expect(await store.memberProfiles.consents(`M-${refused.id}`)).toEqual([]);
        // A registration from a kiosk that sends no consents (an older one) records none.
        const older = await apply(store, kiosk.make({ kind: 'register_member', cardUid: 'C2C2C2C2C2C2', name: 'Old Kiosk', phone: '13900000022' }));
        expect(older.status).toBe('applied');
        expect(await store.memberProfiles.consents(older.outcome!.memberId)).toEqual([]);
      });
    });
  });
}
