/**
 * The purchase body the kiosk API takes (POST /api/tx/purchase), and the points the default bundle gives for it.
 * It names no card: the kiosk charges the card tapped on its reader (support/kiosk-api.ts taps it first).
 */
export interface PurchaseBody {
  lines: { sku: string; category: string; qty: number; unitPriceCents: number }[];
  payments: ({ method: 'cash' | 'stored_value'; amountCents: number } | { method: 'points'; points: number })[];
}

/**
 * One line of `cents`, paid with `method` (default stored value: a test kiosk is unattended, as every kiosk the
 * hub was not told otherwise about, and an unattended kiosk takes no cash).
 */
export function purchaseBody(cents: number, opts: { method?: 'cash' | 'stored_value' } = {}): PurchaseBody {
  return {
    lines: [{ sku: 'SKU-E2E', category: 'grocery', qty: 1, unitPriceCents: cents }],
    payments: [{ method: opts.method ?? 'stored_value', amountCents: cents }],
  };
}
