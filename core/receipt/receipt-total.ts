/**
 * The total a receipt states for a transaction, the one figure its QR code signs and the hub compares with its
 * ledger (RECEIPT_MISMATCH). One function for both sides, so a kiosk and a hub can never disagree about what
 * "the total" of a kind means:
 * - a purchase: what the basket cost after member prices and discounts (= the sum of its tenders, points at their
 *   value) — the kiosk's priced total, the ledger's purchase record;
 * - a top-up or a credit repayment: the amount;
 * - a card issue, replacement or service: the fee the kiosk showed (the hub refuses FEE_MISMATCH otherwise);
 * - every other kind (a gift, a draw entry, a card state change…): 0, no money changed hands at the counter.
 */
export function statedTotalCents(tx: { kind: string; amountCents?: unknown; feeCents?: unknown }, purchaseTotalCents: number | null): number {
  const whole = (value: unknown): number => (typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0);
  switch (tx.kind) {
    case 'purchase':
      return purchaseTotalCents ?? 0;
    case 'top_up':
    case 'credit_repay':
      return whole(tx.amountCents);
    case 'card_issue':
    case 'card_replace':
    case 'card_service':
      return whole(tx.feeCents);
    default:
      return 0;
  }
}
