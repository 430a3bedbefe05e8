/**
 * Prices a basket for one member with the hub's latest rules, so the kiosk charges what the hub will apply:
 * member prices and discounts change the total, and a purchase whose payments do not add up to the hub's
 * total is refused (PAYMENT_MISMATCH).
 */
import { quoteBasket } from '../../core/rules/quote-basket.ts';
import type { PurchaseLineInput } from '../../core/rules/types.ts';
import type { Quote } from '../../core/wire/lookup.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';

/** `bundleVersion`: the rules the kiosk will name on the purchase (0 or unknown: the hub's latest), so the
 * quote and the hub's recomputation of the purchase use the very same rules. */
export async function buildQuote(
  store: Pick<LedgerStore, 'member'> & Pick<RulesStore, 'latestRulesBundle' | 'rulesBundle'>,
  memberId: string,
  lines: PurchaseLineInput[],
  storeId: string,
  bundleVersion = 0,
  /** The store's region in the fleet: region-scoped rules price the basket as the ledger will apply them. */
  regionId?: string,
): Promise<Quote | null> {
  const member = await store.member(memberId);
  const bundle = (bundleVersion > 0 ? await store.rulesBundle(bundleVersion) : null) ?? (await store.latestRulesBundle());
  if (!member || !bundle) return null;
  return quoteBasket(bundle, { at: new Date().toISOString(), storeId, ...(regionId === undefined ? {} : { regionId }), member }, lines);
}
