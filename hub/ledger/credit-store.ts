/**
 * Credit (赊账) reads and HQ's credit-limit change, as the hub's API, the CLI and HQ's credit sweep use them.
 * What a member owes is only ever changed by journal entries; the statements are worked out from these entries
 * (core/credit/credit-statements.ts), never stored.
 */
import type { CreditEntry } from '../../core/credit/credit-statements.ts';

/** The credit reads and writes the hub's API, the CLI and HQ's credit sweep use. */
export interface CreditStore {
  /** The member's entries on `credit`, oldest first; null: no such member. */
  creditEntries(memberId: string): Promise<CreditEntry[] | null>;
  /** The member's own limit (0: their card type's) and the type of their own active card; null: no such member. */
  creditProfile(memberId: string): Promise<{ ownLimitCents: number; cardType: string | null } | null>;
  /** Members with any entry on `credit` (the sweep looks at each), in id order. */
  membersWithCredit(): Promise<string[]>;
  /** Sets the member's own limit (0: their card type's); false: no such member. */
  setCreditLimit(memberId: string, cents: number): Promise<boolean>;
}

