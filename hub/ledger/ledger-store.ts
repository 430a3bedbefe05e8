/**
 * The contract every ledger back end fulfils (SQLite now; PostgreSQL next). A back end applies a batch of
 * received transactions inside one durable database transaction and returns one result per item, in order.
 * Results must not be published before `applyBatch` returns: only then is the batch durable.
 */
import type { CardState, GiftState, MemberState, StaffState } from '../../core/ledger/types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { AlertCode } from '../../core/wire/alerts.ts';
import type { ParsedTransaction } from '../../core/wire/parse-transaction.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { TransactionInput } from '../../core/wire/transaction.ts';
import type { MemberView } from '../../core/wire/lookup.ts';
import type { TierReviewOutcome } from './sqlite/review-tiers.ts';

export interface ReceivedTransaction {
  /** The device the broker says sent it (from the topic), which the payload must agree with. */
  topicDeviceId: string;
  parsed: ParsedTransaction;
  /** When the hub received it (hub clock, ISO): an impossible kiosk time is replaced by this. */
  receivedAt?: string;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What HQ says of a transaction it makes; the store gives it id, seq (inside its database transaction), time and rules version. */
export type HqTransactionBody = DistributiveOmit<TransactionInput, 'id' | 'deviceId' | 'seq' | 'epoch' | 'createdAt' | 'bundleVersion' | 'v' | 'clockOffsetMs'>;

export interface DeviceAlertRow {
  alertId: number;
  deviceId: string;
  code: AlertCode;
  detail: Record<string, unknown>;
  at: string;
}

export interface AuditFinding {
  memberId: string;
  account: string;
  journalSum: number;
  storedBalance: number;
  lotId?: string;
}

export interface NewMember {
  memberId: string;
  name: string;
  phone: string;
  tier: string;
  creditLimitCents?: number;
  referrerId?: string | null;
  cards: { uid: string; validUntil?: string | null }[];
}

export interface LedgerStore {
  open(): void;
  close(): void;
  applyBatch(batch: ReceivedTransaction[]): TxResult[];
  /** Applies one HQ transaction through the same path, its seq taken inside the database transaction. */
  applyHq(body: HqTransactionBody): TxResult;
  memberViewByCard(cardUid: string, historyLimit?: number): MemberView | null;
  memberViewById(memberId: string, historyLimit?: number): MemberView | null;
  member(memberId: string): MemberState | null;
  card(uid: string): CardState | null;
  /** Sums the journal per member and account (and per lot) and lists every place it disagrees with a stored balance. */
  audit(): AuditFinding[];
  // set-up and administration (HQ actions, demo data)
  createMember(member: NewMember): void;
  upsertStaff(staff: StaffState & { pinHash?: string }): void;
  upsertGift(gift: GiftState): void;
  /** Every gift with its stock left (out-of-stock ones included), cheapest first, then by SKU. */
  listGifts(): GiftState[];
  saveRulesBundle(bundle: RulesBundle): void;
  rulesBundle(version: number): RulesBundle | null;
  latestRulesBundle(): RulesBundle | null;
  /** The last seq filled in one epoch of a device ('' is format 1's epoch and HQ's). */
  lastSeq(deviceId: string, epoch?: string): number;
  /** Seqs filled across all the device's epochs: how many transactions it has had answered for good. */
  consumedSeqs(deviceId: string): number;
  /** hub − kiosk clock offset measured when the kiosk connected. */
  recordClockMeasurement(deviceId: string, offsetMs: number, at: string): void;
  raiseDeviceAlert(deviceId: string, code: AlertCode, detail: Record<string, unknown>): void;
  /** Newest first. */
  deviceAlerts(limit: number, deviceId?: string): DeviceAlertRow[];
  listMemberIds(limit: number): string[];
  /** Under a "reevaluate" tier policy, reviews every member's tier for the period that closed last; once per period. */
  reviewTiers(now: string): TierReviewOutcome;
  /** Takes expired points lots out of the balances with journal entries; idempotent. */
  expirePoints(asOf: string): { members: number; points: number };
  /** Transactions where the kiosk's engine and the hub's disagreed (the hub's figures were applied). */
  ruleDisagreements(limit: number): { txId: string; deviceId: string; bundleVersion: number; differences: { field: string; claimed: number; computed: number }[] }[];
  transactionCount(): number;
}
