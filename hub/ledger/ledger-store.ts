/**
 * The ledger port: what every ledger back end (SQLite now, PostgreSQL next) offers the hub for transactions.
 * Its unit of work is a whole batch: `applyBatch` reads the planning context, plans with core's pure planners,
 * writes the effects and records every transaction of the batch inside ONE database transaction, and resolves
 * with one result per item, in order, only once that transaction is durable. Results must not be published
 * before the promise resolves; a rejected promise means nothing of the batch was applied (devices resend).
 * Calls are made one after another by the ingest (never two batches at once); reads may come at any time and
 * see committed state only.
 *
 * This file imports no back end. The other ports of a back end: sweep-store.ts (what the HQ sweeps read),
 * ledger-admin.ts, rules-store.ts, device-registry.ts; ledger.ts bundles them; open-ledger.ts chooses the back
 * end; ledger-store-contract.ts is the suite every back end passes.
 */
import type { MemberScope, MemberStores } from '../../core/identity/member-scope.ts';
import type { MemberState, CardState } from '../../core/ledger/types.ts';
import type { HistoryEntry, MemberView, PurchaseLines } from '../../core/wire/lookup.ts';
import type { HistoryPosition } from '../../core/wire/history-cursor.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { HqOnlyTransactionInput, TransactionInput } from '../../core/wire/transaction.ts';
import type { LedgerParsedTransaction } from './ledger-parse.ts';

export interface ReceivedTransaction {
  /** The device the broker says sent it (from the topic), which the payload must agree with. */
  topicDeviceId: string;
  parsed: LedgerParsedTransaction;
  /** When the hub received it (hub clock, ISO): an impossible kiosk time is replaced by this. */
  receivedAt?: string;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What HQ says of a transaction it makes; the store gives it id, seq (inside its database transaction), time and rules version. */
export type HqTransactionBody = DistributiveOmit<
  TransactionInput | HqOnlyTransactionInput,
  'id' | 'deviceId' | 'seq' | 'epoch' | 'createdAt' | 'bundleVersion' | 'v' | 'clockOffsetMs'
>;

export interface HqApplyOptions {
  /** The time the transactions are dated at (ISO UTC); default: now on the hub's clock. The sweeps date theirs at the time they ran as. */
  createdAt?: string;
  /**
   * The transaction's id (a ULID), derived by the caller from something that must happen once (a flow's
   * idempotency key): when a transaction with this id is already stored, its stored result is answered as
   * `exists` and nothing is applied and no seq taken. One transaction only (applyHq, or a batch of one).
   * Absent: the store makes a fresh id.
   */
  id?: string;
}

export interface AuditFinding {
  memberId: string;
  account: string;
  journalSum: number;
  storedBalance: number;
  lotId?: string;
}

/** A transaction where the kiosk's engine and the hub's disagreed (the hub's figures were applied). */
export interface RuleDisagreement {
  txId: string;
  deviceId: string;
  bundleVersion: number;
  differences: { field: string; claimed: number; computed: number }[];
}

/** A page of a member's history (memberHistory). */
export interface HistoryPage {
  entries: HistoryEntry[];
  /** The position of the page's last entry when older ones exist (the next page starts below it); null: none. */
  next: HistoryPosition | null;
}

export interface LedgerStore {
  /**
   * Applies received transactions in order, in one database transaction, one result per item. A write that
   * fails rolls the whole batch back; the store then applies the items one at a time so only the failing one
   * is recorded (as INTERNAL, payload kept). Rejects only when even that is impossible: nothing is applied.
   */
  applyBatch(batch: ReceivedTransaction[]): Promise<TxResult[]>;
  /** Applies one HQ transaction through the same path, its seq taken inside the database transaction. */
  applyHq(body: HqTransactionBody, options?: HqApplyOptions): Promise<TxResult>;
  /** Several HQ transactions in one database transaction (the sweeps), consecutive HQ seqs, one result each. */
  applyHqBatch(bodies: HqTransactionBody[], options?: HqApplyOptions): Promise<TxResult[]>;

  /**
   * `forDevice`: the kiosk asking. The view's points expiry and tier progress follow the rules the ledger applies
   * to that kiosk's transactions (its newest signed snapshot's); without it, the hub's newest rules.
   */
  memberViewByCard(cardUid: string, historyLimit?: number, forDevice?: string): Promise<MemberView | null>;
  memberViewById(memberId: string, historyLimit?: number): Promise<MemberView | null>;
  /** `limit` entries of the member's history older than `before` (null: from the newest), newest first. */
  memberHistory(memberId: string, before: HistoryPosition | null, limit: number): Promise<HistoryPage>;
  /**
   * The applied purchase `txId` of member `memberId` (its lines, payments, total, date and the lines refunded since),
   * for a refund at a kiosk; null when there is none or it is another member's (the two are not told apart).
   */
  memberPurchase(memberId: string, txId: string): Promise<PurchaseLines | null>;
  member(memberId: string): Promise<MemberState | null>;
  card(uid: string): Promise<CardState | null>;
  /**
   * Where a member is known, for core/identity/member-scope.ts; null: no such member. A transaction is in the
   * store its device is enrolled in now (devices.store_id); HQ's and an unenrolled device's are in none, and a
   * refused one does not count (an attempt, such as a lost card tried in another store, is not shopping there).
   */
  memberStores(memberId: string): Promise<MemberStores | null>;
  /** The ids of the members in `scope` by the same rule (home store or an applied transaction there), in order, at most `limit`. */
  memberIdsInScope(scope: MemberScope, limit: number): Promise<string[]>;
  /** Sums the journal per member and account (and per lot) and lists every place it disagrees with a stored balance. */
  audit(): Promise<AuditFinding[]>;
  transactionCount(): Promise<number>;
  /** The last seq filled in one epoch of a device ('' is format 1's epoch and HQ's). */
  lastSeq(deviceId: string, epoch?: string): Promise<number>;
  /** Seqs filled across all the device's epochs: how many transactions it has had answered for good. */
  consumedSeqs(deviceId: string): Promise<number>;
  /** Newest first. */
  ruleDisagreements(limit: number): Promise<RuleDisagreement[]>;
}
