/**
 * What the kiosk answers the staff and technician pages, as types: type-only imports from the kiosk's own modules
 * (as kiosk/contract.ts does for the rest of the screen), so a change on the kiosk side that these pages do not
 * follow fails the screen's type check.
 */
import type { CardOffer, NewCardOutcome, PurchaseLinesView, RecentReceipt, TopUpPreview } from '../../../../app/kiosk-app.ts';
import type { TechnicianDiagnostics } from '../../../../app/technician-mode.ts';
import type { HistoryEntry } from '../../../../../core/wire/lookup.ts';
import type { ReceiptPrint } from '../../../../session/kiosk-session.ts';

export type { CardOffer, HistoryEntry, NewCardOutcome, PurchaseLinesView, ReceiptPrint, RecentReceipt, TechnicianDiagnostics, TopUpPreview };

/** GET /api/member/history. */
export interface HistoryPage {
  entries: HistoryEntry[];
  next: string | null;
}

/** The counter tenders a top-up takes (cash only where someone is there to take it: attended kiosks). */
export type TopUpTender = 'bank_card' | 'mobile' | 'cash';
/** How a card fee is paid: out of stored value, or at the counter. */
export type FeeTender = 'stored_value' | 'bank_card' | 'mobile' | 'cash';
/** How a returned card's principal is paid back. */
export type RefundTender = 'cash' | 'bank_transfer';
