/**
 * What the kiosk screen's staff pages read before a clerk confirms an action (the actions themselves are the
 * transactions of member-transactions.ts): the deposit bonus of a top-up (top-up-preview.ts), the card types and fees
 * (card-offer.ts), the new card tapped on the reader (new-card-capture.ts), the lines of an earlier purchase
 * (purchase-lines.ts) and the receipts a reprint can print (receipt-printing.ts). Each needs a staff member
 * signed in on this kiosk whose role may do what it prepares (`mayDo`, as the hub gave it with the session): the
 * screen offers only those, and here they are checked again, as the hub checks the transaction.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import type { TxKind } from '../../core/wire/transaction.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { createCardOffer, type CardOffer } from './card-offer.ts';
import { KioskError } from './kiosk-errors.ts';
import type { NewCardCapture, NewCardOutcome } from './new-card-capture.ts';
import { createPurchaseLines, type PurchaseLinesView } from './purchase-lines.ts';
import type { ReceiptPrinting, RecentReceipt } from './receipt-printing.ts';
import { createTopUpPreview, type TopUpPreview } from './top-up-preview.ts';

export type { CardOffer, NewCardOutcome, PurchaseLinesView, RecentReceipt, TopUpPreview };

export interface StaffDesk {
  topUpPreview(amountCents: number): TopUpPreview;
  cardOffer(): CardOffer;
  /** Waits for the new card of a replacement or an issue to be tapped (NEW_CARD_WAIT_MS at most). */
  awaitNewCard(): Promise<NewCardOutcome>;
  cancelNewCard(): void;
  purchaseLines(txId: string): Promise<PurchaseLinesView>;
  recentReceipts(): RecentReceipt[];
}

export interface StaffDeskDeps {
  session: Pick<KioskSession, 'shownMember' | 'currentCardUid'>;
  staff: () => StaffSessionView | null;
  rules: { bundle(): RulesBundle | null };
  outbox: Pick<Outbox, 'get'>;
  /** Asked for a purchase this kiosk did not make (purchase-lines.ts). */
  link: Pick<HubLink, 'isConnected' | 'lookup'>;
  lookupTimeoutMs?: number;
  printing: Pick<ReceiptPrinting, 'recent'>;
  /** Absent where the kiosk was built without one (tests of other parts): a new card cannot be tapped then. */
  newCards?: NewCardCapture;
  storeId: () => string;
  regionId?: () => string | null;
  now?: () => number;
}

export function createStaffDesk(deps: StaffDeskDeps): StaffDesk {
  /** The signed-in staff member, allowed one of `kinds` (any role when none is named). */
  function staffFor(action: string, kinds: readonly TxKind[] = []): StaffSessionView {
    const staff = deps.staff();
    if (!staff) throw new KioskError('STAFF_SESSION_REQUIRED', `${action} needs a staff member signed in on this kiosk (staff card and PIN)`);
    if (kinds.length > 0 && !kinds.some((kind) => staff.mayDo.includes(kind))) throw new KioskError('STAFF_UNAUTHORIZED', `role ${staff.role} may not ${action}`);
    return staff;
  }

  const preview = createTopUpPreview({ session: deps.session, rules: deps.rules, storeId: deps.storeId, ...(deps.regionId ? { regionId: deps.regionId } : {}), ...(deps.now ? { now: deps.now } : {}) });
  const offer = createCardOffer({ session: deps.session, rules: deps.rules });
  const lines = createPurchaseLines({
    session: deps.session,
    outbox: deps.outbox,
    staff: deps.staff,
    link: deps.link,
    ...(deps.lookupTimeoutMs !== undefined ? { lookupTimeoutMs: deps.lookupTimeoutMs } : {}),
  });

  return {
    topUpPreview(amountCents) {
      staffFor('top up', ['top_up']);
      return preview(amountCents);
    },

    cardOffer() {
      staffFor('issue or replace cards', ['card_issue', 'card_replace']);
      return offer();
    },

    async awaitNewCard() {
      staffFor('take a new card', ['card_issue', 'card_replace']);
      const cardUid = deps.session.currentCardUid();
      if (!cardUid) throw new KioskError('SESSION_NO_CARD', 'no member on screen to give a new card to');
      if (!deps.newCards) throw new CodedError('NEW_CARD_NOT_TAPPED', 'this kiosk was started without taking new cards from its reader');
      return deps.newCards.await(cardUid);
    },

    cancelNewCard() {
      deps.newCards?.cancel();
    },

    purchaseLines: (txId) => lines(txId),

    recentReceipts() {
      staffFor('reprint receipts');
      return deps.printing.recent();
    },
  };
}
