/**
 * What a soak till asks a kiosk for, and in what mix: cash purchases, small stored-value purchases, staff
 * top-ups over the demo cards, now and then an overdraft the hub must refuse. Each request carries a mark the
 * ledger keeps (a purchase's sku is its key, a top-up's amount is unique in the run), so the file checks can
 * find every ledger transaction a request produced without trusting the kiosk's bookkeeping.
 */
import { DEMO_MEMBERS } from '../../hub/demo/seed-demo-data.ts';
import type { Random } from './random.ts';

/** overdraft_purchase: a stored-value purchase far beyond any balance, which the hub must record as refused. */
export type SoakRequestKind = 'cash_purchase' | 'stored_value_purchase' | 'overdraft_purchase' | 'top_up';

export const SOAK_REQUEST_KINDS: readonly SoakRequestKind[] = ['cash_purchase', 'stored_value_purchase', 'overdraft_purchase', 'top_up'];

/** The bodies name no card and no staff member: the kiosk takes the card from its reader, the actor from its staff session. */
export interface PurchaseRequestBody {
  lines: { sku: string; category: string; qty: number; unitPriceCents: number }[];
  payments: { method: 'cash' | 'stored_value'; amountCents: number }[];
}

export interface TopUpRequestBody {
  amountCents: number;
  tender: 'cash';
}

export interface SoakRequest {
  key: string;
  /** 0, 1, 2… in the order the requests were made. */
  index: number;
  kind: SoakRequestKind;
  kioskId: string;
  path: '/tx/purchase' | '/tx/top-up';
  body: PurchaseRequestBody | TopUpRequestBody;
  memberId: string;
  /** The card the till taps on the kiosk's reader before posting. */
  cardUid: string;
  /** What the request moves: the purchase total, or the top-up amount. */
  amountCents: number;
}

/** The demo members as the tills' customers (LoadDriver.prepare() taps each card on every kiosk first). */
export const DEMO_CUSTOMERS = DEMO_MEMBERS.map((m) => ({ memberId: m.memberId, cardUid: m.card }));

/**
 * The request mix: 1 in 5 top-ups, 3 in 10 small stored-value purchases, 1 in 50 stored-value purchases far
 * beyond any balance (a business refusal the hub records: delivered, never applied), the rest cash purchases.
 */
export function makeRequest(index: number, kioskId: string, keyPrefix: string, random: Random): SoakRequest {
  const customer = random.pick(DEMO_CUSTOMERS);
  const key = `${keyPrefix}-${index}`;
  const roll = random.next();
  if (roll < 0.2) {
    // Unique in the run: the ledger's payload alone then tells which request a top-up came from.
    const amountCents = 1_000 + index;
    return {
      key, index, kind: 'top_up', kioskId, path: '/tx/top-up', memberId: customer.memberId, cardUid: customer.cardUid, amountCents,
      body: { amountCents, tender: 'cash' },
    };
  }
  const kind: SoakRequestKind = roll < 0.5 ? 'stored_value_purchase' : roll < 0.52 ? 'overdraft_purchase' : 'cash_purchase';
  const amountCents = kind === 'stored_value_purchase' ? random.int(1, 6) * 100 : kind === 'overdraft_purchase' ? 100_000_000 : random.int(5, 50) * 100;
  return {
    key, index, kind, kioskId, path: '/tx/purchase', memberId: customer.memberId, cardUid: customer.cardUid, amountCents,
    body: {
      // The sku is the key: the mark by which the ledger's payloads name the request.
      lines: [{ sku: key, category: 'grocery', qty: 1, unitPriceCents: amountCents }],
      payments: [{ method: kind === 'cash_purchase' ? 'cash' : 'stored_value', amountCents }],
    },
  };
}
