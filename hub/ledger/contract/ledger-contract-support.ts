/**
 * What the ledger contract suite's sections share (../ledger-store-contract.ts registers them): the stores' options,
 * hand-made kiosk payloads, and the cases' helpers bound to the back end under test.
 */
import { randomBytes } from 'node:crypto';
import { createUlidFactory } from '../../../core/ids/ulid.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import { DEFAULT_RULES_BUNDLE } from '../../../core/rules/default-bundle.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import { TX_FORMAT, type HqOnlyTransactionInput, type TransactionInput } from '../../../core/wire/transaction.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../demo/seed-demo-data.ts';
import type { Ledger } from '../ledger.ts';
import type { LedgerFaults } from '../ledger-faults.ts';
import { parseLedgerTransaction } from '../ledger-parse.ts';
import type { ReceivedTransaction } from '../ledger-store.ts';
import type { HistoryEntry, MemberView } from '../../../core/wire/lookup.ts';

export interface ContractStoreOptions {
  faults?: LedgerFaults;
  /** A store that keeps what it holds across close() and open() (a file, not memory): the reopen cases. */
  durable?: boolean;
}

/** A fresh, empty, opened ledger of the back end under test. */
export type MakeContractStore = (options: ContractStoreOptions) => Promise<Ledger>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a (test) kiosk says of a transaction; HQ-only kinds included, to show a kiosk is refused them. */
export type KioskBody = DistributiveOmit<
  TransactionInput | HqOnlyTransactionInput,
  'id' | 'deviceId' | 'seq' | 'epoch' | 'v' | 'createdAt' | 'bundleVersion' | 'storeId' | 'clockOffsetMs'
>;
export type Payload = Record<string, unknown> & { id: string; seq: number; epoch: string; deviceId: string; createdAt: string };

export const nextId = createUlidFactory(Date.now, (n) => randomBytes(n));
export const DAY = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString();

/** The default ladder (silver 1000, gold 2001, diamond 6001 points), re-evaluated every calendar month. */
export const MONTHLY_REVIEW: RulesBundle = { ...DEFAULT_RULES_BUNDLE, version: 2, tiers: { ...DEFAULT_RULES_BUNDLE.tiers!, downgrade: { policy: 'reevaluate', period: 'month' } } };

export const purchase = (cents: number, cardUid: string = DEMO_CARDS.gold, method: 'cash' | 'stored_value' = 'cash'): KioskBody => ({
  kind: 'purchase',
  cardUid,
  lines: [{ lineNo: 1, sku: 'MILK', category: 'grocery', qty: 1, unitPriceCents: cents }],
  payments: [{ method, amountCents: cents }],
});

/** Makes a kiosk's payloads by hand: the exact bytes each case needs, seqs counted per epoch unless given. */
export class Kiosk {
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

export function received(payload: Payload | string, o: { topic?: string; receivedAt?: string } = {}): ReceivedTransaction {
  const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const topic = o.topic ?? (typeof payload === 'string' ? 'kiosk-c' : payload.deviceId);
  return { topicDeviceId: topic, parsed: parseLedgerTransaction(raw), ...(o.receivedAt ? { receivedAt: o.receivedAt } : {}) };
}

/** The back end under test, as each section's cases use it (ledger-store-contract.ts makes it). */
export interface ContractCases {
  /** A fresh ledger with the demo members, cards, staff, gifts and opening balances; audited and closed after the case. */
  open: (options?: ContractStoreOptions) => Promise<Ledger>;
  apply: (store: Ledger, payload: Payload | string, o?: { topic?: string; receivedAt?: string }) => Promise<TxResult>;
  goldBalances: (store: Ledger) => Promise<MemberView['balances']>;
  historyOf: (store: Ledger, txId: string) => Promise<HistoryEntry[]>;
}
