/**
 * The lines of an earlier purchase, so a clerk can pick which to refund (退货: a refund names the purchase and
 * its line numbers, core/wire/transaction.ts `refund {purchaseTxId, lineNos}`) — GET /api/staff/purchases/:txId.
 *
 * Where they come from: first the kiosk's own outbox, which keeps every transaction this kiosk made exactly as it
 * was sent — so a purchase made HERE can be refunded line by line even while the hub is away (which lines were
 * refunded before is not known here: the hub refuses those, REFUND_BAD_LINES, and says which). A purchase made on
 * another kiosk, till or at HQ is asked of the hub (look-up purchase.lines), as member-history.ts asks for history:
 * for the card on the reader only, the hub answering only for that card's member (REFUND_UNKNOWN_PURCHASE
 * otherwise), with the lines refunded already so the screen greys them out. Without the hub: HUB_REQUIRED (503).
 * An answer that arrives after the card on the reader changed is dropped: one member's purchase is never shown to
 * the next person. Always only for the member on screen, and only for a staff member who may refund.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import { isErrorCode } from '../../core/errors/codes.ts';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import { KioskError } from './kiosk-errors.ts';

export interface PurchaseLinesView {
  txId: string;
  /** When it was made (ISO): as this kiosk dated it, or as the ledger did. */
  at: string;
  lines: { lineNo: number; sku: string; category: string; qty: number; unitPriceCents: number }[];
  /** How it was paid, as sent (the hub pays a refund back the same ways, in proportion). */
  payments: ({ method: 'points'; points: number } | { method: 'stored_value' | 'cash' | 'credit'; amountCents: number })[];
  /** The total the hub charged (after member prices and discounts), when its answer said so. */
  totalCents: number | null;
  /** Lines refunded already, as the hub knows them; empty from this kiosk's outbox (the hub refuses those lines then). */
  refundedLineNos: number[];
}

export function createPurchaseLines(deps: {
  session: Pick<KioskSession, 'shownMember' | 'currentCardUid'>;
  outbox: Pick<Outbox, 'get'>;
  staff: () => StaffSessionView | null;
  link: Pick<HubLink, 'isConnected' | 'lookup'>;
  /** How long the hub is waited for; default 3000 ms. */
  lookupTimeoutMs?: number;
}): (txId: string) => Promise<PurchaseLinesView> {
  const timeoutMs = deps.lookupTimeoutMs ?? 3000;
  const hubRequired = (message: string) => new CodedError('HUB_REQUIRED', message);

  /** This kiosk's own applied purchase for the member on screen, or null (then the hub is asked). */
  function fromOutbox(txId: string, cards: Set<string>): PurchaseLinesView | null {
    const entry = deps.outbox.get(txId);
    if (!entry || entry.kind !== 'purchase') return null;
    const tx = JSON.parse(entry.payload) as Transaction;
    if (tx.kind !== 'purchase' || !cards.has(tx.cardUid)) return null;
    const result = entry.result;
    const applied = result?.status === 'applied' || (result?.status === 'exists' && result.original === 'applied');
    if (!applied) return null;
    return {
      txId: tx.id,
      at: tx.createdAt,
      lines: tx.lines.map(({ lineNo, sku, category, qty, unitPriceCents }) => ({ lineNo, sku, category, qty, unitPriceCents })),
      payments: tx.payments,
      totalCents: result?.outcome?.purchase?.totalCents ?? null,
      refundedLineNos: [],
    };
  }

  async function fromHub(txId: string): Promise<PurchaseLinesView> {
    const cardUid = deps.session.currentCardUid();
    if (!cardUid) throw new KioskError('SESSION_NO_CARD', 'no member card on the reader');
    if (!deps.link.isConnected()) throw hubRequired('this purchase was not made on this kiosk: its lines are kept at the hub, which cannot be reached now');
    const answer = await deps.link.lookup({ op: 'purchase.lines', cardUid, purchaseTxId: txId }, timeoutMs);
    if (!answer) throw hubRequired('the hub did not answer the purchase look-up');
    // The member may have left (or another card been tapped) while the hub answered.
    if (deps.session.currentCardUid() !== cardUid) throw new KioskError('SESSION_NO_CARD', 'the card on the reader changed');
    if (!answer.ok) throw new CodedError(isErrorCode(answer.code) ? answer.code : 'LOOKUP_RESPONSE_MALFORMED', answer.message);
    if (!('purchaseLines' in answer)) throw new CodedError('LOOKUP_RESPONSE_MALFORMED');
    return answer.purchaseLines;
  }

  return async (txId) => {
    const staff = deps.staff();
    if (!staff) throw new KioskError('STAFF_SESSION_REQUIRED', 'a refund needs a staff member signed in on this kiosk');
    if (!staff.mayDo.includes('refund')) throw new KioskError('STAFF_UNAUTHORIZED', `role ${staff.role} may not refund`);
    const shown = deps.session.shownMember();
    if (!shown) throw new KioskError('SESSION_NO_CARD', 'no member on screen');
    // Any card on the member's accounts (a replaced card's purchases are still theirs).
    const cards = new Set([shown.cardUid, shown.member.card.uid, ...(shown.member.cards ?? []).map((card) => card.uid)]);
    return fromOutbox(txId, cards) ?? fromHub(txId);
  };
}
