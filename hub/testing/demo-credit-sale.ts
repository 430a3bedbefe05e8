/**
 * A sale on credit (赊账) to the demo member Li Wei (her standard demo card) at the demo store, entered at HQ: one
 * line of `sku` for `cents`, every cent of it paid on credit. The credit tests (the sweep, the HTTPS routes, the
 * CLI) each spelled this body out in full; one builder keeps them making the same sale. Needs the demo data.
 */
import { DEMO_CARDS, DEMO_STORE_ID } from '../demo/seed-demo-data.ts';
import type { HqTransactionBody } from '../ledger/ledger-store.ts';

export function demoCreditSale(sku: string, cents: number): HqTransactionBody {
  return {
    kind: 'purchase',
    storeId: DEMO_STORE_ID,
    cardUid: DEMO_CARDS.standard,
    lines: [{ lineNo: 1, sku, category: 'general', qty: 1, unitPriceCents: cents }],
    payments: [{ method: 'credit', amountCents: cents }],
  };
}
