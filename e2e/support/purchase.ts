/** The purchase body the kiosk API takes (POST /api/tx/purchase), and the points the default bundle gives for it. */
export interface PurchaseBody {
  cardUid?: string;
  lines: { sku: string; category: string; qty: number; unitPriceCents: number }[];
  payments: ({ method: 'cash' | 'stored_value'; amountCents: number } | { method: 'points'; points: number })[];
}

/** One line of `cents`, paid with `method`; without cardUid the kiosk uses the member on screen. */
export function purchaseBody(cents: number, opts: { cardUid?: string; method?: 'cash' | 'stored_value' } = {}): PurchaseBody {
  return {
    ...(opts.cardUid ? { cardUid: opts.cardUid } : {}),
    lines: [{ sku: 'SKU-E2E', category: 'grocery', qty: 1, unitPriceCents: cents }],
    payments: [{ method: opts.method ?? 'cash', amountCents: cents }],
  };
}
