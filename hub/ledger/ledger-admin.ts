/** Set-up and administration of the ledger's reference data (HQ actions, demo data): not transactions, no journal. */
import type { GiftState } from '../../core/ledger/types.ts';

export interface NewMember {
  memberId: string;
  name: string;
  phone: string;
  tier: string;
  creditLimitCents?: number;
  referrerId?: string | null;
  /** The store that issued the member's card; absent: none, and only chain-wide staff see the member (core/identity/member-scope.ts). */
  homeStoreId?: string | null;
  cards: { uid: string; validUntil?: string | null }[];
}

export interface LedgerAdmin {
  createMember(member: NewMember): Promise<void>;
  upsertGift(gift: GiftState): Promise<void>;
  /** Every gift with its stock left (out-of-stock ones included), cheapest first, then by SKU. */
  listGifts(): Promise<GiftState[]>;
  /** Member ids in order, at most `limit`. */
  listMemberIds(limit: number): Promise<string[]>;
}
