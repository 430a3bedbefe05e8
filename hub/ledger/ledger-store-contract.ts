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
 *
 * This file registers the sections; their cases live in contract/, a file per theme, and share the helpers of
 * contract/ledger-contract-support.ts.
 */
import { afterEach, describe, expect } from 'vitest';
import type { TxResult } from '../../core/wire/result.ts';
import { DEMO_CARDS, seedDemoData } from '../demo/seed-demo-data.ts';
import type { Ledger } from './ledger.ts';
import { received, type ContractCases, type ContractStoreOptions, type MakeContractStore, type Payload } from './contract/ledger-contract-support.ts';
import { datingCases, batchesCases } from './contract/dating-and-batches.ts';
import { exactlyOnceCases, orderCases } from './contract/exactly-once-and-order.ts';
import { hqTransactionsCases, memberPurchaseCases, membersStoresCases } from './contract/hq-and-members.ts';
import { pointsExpiryCases, tierReviewCases } from './contract/sweeps.ts';
import { codesAndDrawsCases, registrationConsentsCases } from './contract/codes-draws-consents.ts';

export type { ContractStoreOptions, MakeContractStore } from './contract/ledger-contract-support.ts';

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
    const cases: ContractCases = { open, apply, goldBalances, historyOf };

    section('exactly once', 'exactly once', () => exactlyOnceCases(cases));

    section('order', 'order', () => orderCases(cases));

    section('dating', "dating (the kiosk's clock is not trusted)", () => datingCases(cases));

    section('batches', 'batches', () => batchesCases(cases));

    section('hq transactions', 'HQ transactions', () => hqTransactionsCases(cases));

    section('members stores', "members' stores (whose staff see a member)", () => membersStoresCases(cases));

    section('member purchase', "a member's purchase, for a refund at a kiosk (memberPurchase)", () => memberPurchaseCases(cases));

    section('points expiry', 'points expiry through the one write path', () => pointsExpiryCases(cases));

    section('tier review', 'tier review through the one write path', () => tierReviewCases(cases));

    section('codes and draws', 'redemption codes and points draws (codes, draws) through the one write path', () => codesAndDrawsCases(cases));

    section('registration consents', "a registration's consents through the one write path", () => registrationConsentsCases(cases));
  });
}
