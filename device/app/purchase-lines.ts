/**
 * The lines of an earlier purchase, so a clerk can pick which to refund (退货: a refund names the purchase and
 * its line numbers, core/wire/transaction.ts `refund {purchaseTxId, lineNos}`) — GET /api/staff/purchases/:txId.
 *
 * Where they come from, honestly: the kiosk's own outbox, which keeps every transaction this kiosk made, exactly as
 * it was sent. So a purchase made on THIS kiosk can be refunded here line by line; one made elsewhere cannot
 * (PURCHASE_NOT_ON_KIOSK: the member's history lists it, but its lines are at the hub only, and the hub has no
 * look-up that hands a purchase's lines to a kiosk — the HQ console refunds those). Only for the member on screen
 * (the purchase's card is one of their cards), only for a staff member who may refund, and only a purchase the hub
 * applied. Lines refunded before are not known here: the hub refuses them (REFUND_BAD_LINES) and says which.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import { KioskError } from './kiosk-errors.ts';

export interface PurchaseLinesView {
  txId: string;
  /** When the kiosk made it (ISO). */
  at: string;
  lines: { lineNo: number; sku: string; category: string; qty: number; unitPriceCents: number }[];
  /** How it was paid, as sent (the hub pays a refund back the same ways, in proportion). */
  payments: ({ method: 'points'; points: number } | { method: 'stored_value' | 'cash' | 'credit'; amountCents: number })[];
  /** The total the hub charged (after member prices and discounts), when its answer said so. */
  totalCents: number | null;
}

const notHere = () => new CodedError('PURCHASE_NOT_ON_KIOSK');

export function createPurchaseLines(deps: {
  session: Pick<KioskSession, 'shownMember'>;
  outbox: Pick<Outbox, 'get'>;
  staff: () => StaffSessionView | null;
}): (txId: string) => PurchaseLinesView {
  return (txId) => {
    const staff = deps.staff();
    if (!staff) throw new KioskError('STAFF_SESSION_REQUIRED', 'a refund needs a staff member signed in on this kiosk');
    if (!staff.mayDo.includes('refund')) throw new KioskError('STAFF_UNAUTHORIZED', `role ${staff.role} may not refund`);
    const shown = deps.session.shownMember();
    if (!shown) throw new KioskError('SESSION_NO_CARD', 'no member on screen');
    const entry = deps.outbox.get(txId);
    if (!entry || entry.kind !== 'purchase') throw notHere();
    const tx = JSON.parse(entry.payload) as Transaction;
    if (tx.kind !== 'purchase') throw notHere();
    // Any card on the member's accounts (a replaced card's purchases are still theirs).
    const cards = new Set([shown.cardUid, shown.member.card.uid, ...(shown.member.cards ?? []).map((card) => card.uid)]);
    if (!cards.has(tx.cardUid)) throw notHere();
    const result = entry.result;
    const applied = result?.status === 'applied' || (result?.status === 'exists' && result.original === 'applied');
    if (!applied) throw notHere();
    return {
      txId: tx.id,
      at: tx.createdAt,
      lines: tx.lines.map(({ lineNo, sku, category, qty, unitPriceCents }) => ({ lineNo, sku, category, qty, unitPriceCents })),
      payments: tx.payments,
      totalCents: result?.outcome?.purchase?.totalCents ?? null,
    };
  };
}
