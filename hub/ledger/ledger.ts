/**
 * One ledger back end as the hub holds it: every port it implements, and its lifecycle. Parts of the hub take
 * only the ports they use (the ingest a LedgerStore, the look-ups a few reads); the composition root, the
 * tests and the tools hold the whole. `open-ledger.ts` makes one.
 */
import type { CommissionReads } from '../commission/commission-reads.ts';
import type { AutomationReads } from '../automation/member-reads.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { CardFeeStore } from './card-fee-store.ts';
import type { CodeStore } from './code-store.ts';
import type { CreditStore } from './credit-store.ts';
import type { DeviceRegistry } from './device-registry.ts';
import type { DrawStore } from './draw-store.ts';
import type { GiftStockStore } from './gift-stock-store.ts';
import type { LedgerAdmin } from './ledger-admin.ts';
import type { LedgerStore } from './ledger-store.ts';
import type { MemberConsoleStore } from './member-console-store.ts';
import type { MemberProfileStore } from './member-profile-store.ts';
import type { MemberImportStore } from './member-import-store.ts';
import type { ReceiptReads } from './receipt-reads.ts';
import type { RetentionStore } from './retention-store.ts';
import type { RulesStore } from './rules-store.ts';
import type { SweepStore } from './sweep-store.ts';
import type { MessagingStore } from '../messaging/outbound-messages.ts';

export interface Ledger extends LedgerStore, SweepStore, LedgerAdmin, RulesStore, DeviceRegistry {
  /** Opens (and migrates) the store; idempotent. */
  open(): Promise<void>;
  /** Staff, sessions, kiosk modes and the audit log, on the same database (open between open() and close()). */
  readonly identity: IdentityStore;
  /** Redemption code batches and the anti-counterfeit check (open between open() and close()). */
  readonly codes: CodeStore;
  /** Points draws: define, open, close, entries and winners (open between open() and close()). */
  readonly draws: DrawStore;
  /** What the staff commission report reads (open between open() and close()). */
  readonly commission: CommissionReads;
  /** Member search and whole member records for the HQ console (open between open() and close()). */
  readonly memberConsole: MemberConsoleStore;
  /** Member profiles beyond name and phone, contact log, consents and erasure (schema 7; open between open() and close()). */
  readonly memberProfiles: MemberProfileStore;
  /** Member files imported from a chain's old system, all or nothing (open between open() and close()). */
  readonly memberImports: MemberImportStore;
  /** HQ's retention rules, the contact-log purge and the erasure of inactive members (schema 8; open between open() and close()). */
  readonly retention: RetentionStore;
  /** Credit (赊账): a member's credit entries, limits, and who owes anything (open between open() and close()). */
  readonly credit: CreditStore;
  /** The fee features' reads: cards an annual fee may fall on, the fee report (open between open() and close()). */
  readonly cardFees: CardFeeStore;
  /** Gift stock per store: read, receive and adjust (schema 8; redemptions take it through the write path). */
  readonly giftStock: GiftStockStore;
  /** One transaction as recorded, for checking a receipt (../receipts/verify-receipt.ts; open between open() and close()). */
  readonly receipts: ReceiptReads;
  /** Messages from the hub's flows and the member reads they need (schema 9, ../messaging/; open between open() and close()). */
  readonly messaging: MessagingStore;
  /** What the hub's flows read of members: summaries and segments, never an erased member (open between open() and close()). */
  readonly automation: AutomationReads;
  /** Closes it; idempotent. Call once the ingest is idle. */
  close(): Promise<void>;
}
