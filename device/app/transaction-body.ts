/**
 * How a client's request becomes a transaction body the factory drafts: the kind, the card on the reader, the
 * signed-in staff member as actor where the kind needs one, the member's PIN proof, the fee the screen shows and
 * a replacement's new card — none of which a request may name itself (CARD_NOT_ON_READER). Also which card a
 * transaction is for, and what an unattended kiosk refuses to take (cash). Its own file because every money-moving
 * use case (member-transactions.ts) goes through it, and the rules on who is named live here in one place.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { TxKind } from '../../core/wire/transaction.ts';
import type { TxBodyInput } from '../tx/transaction-factory.ts';
import { feeClaimOf } from './card-fees.ts';
import type { KioskAppDeps } from './kiosk-app-deps.ts';
import { KioskError } from './kiosk-errors.ts';
import type { TxRequest } from './tx-request.ts';

/** Staff-only kinds: they need a staff member signed in on this kiosk. A member may report their own card lost. */
const STAFF_KINDS: ReadonlySet<TxKind> = new Set(['top_up', 'refund', 'card_cancel_loss', 'card_freeze', 'card_unfreeze', 'card_replace', 'card_return', 'credit_repay', 'card_issue', 'card_service']);

export interface TransactionBodies {
  /** The body with its kind, the card on the reader and, for staff kinds, the signed-in staff member. */
  body(kind: TxKind, request: TxRequest, cardUid: string): TxBodyInput;
  /**
   * The card the transaction is for: the member's on screen; for staff kinds also a card the hub refused to show
   * because of its state (frozen, lost), which is exactly what staff unfreeze or cancel the loss of.
   */
  cardOnReader(kind: TxKind): string | null;
}

export function createTransactionBodies(deps: Pick<KioskAppDeps, 'session' | 'staff' | 'mode' | 'memberPin' | 'newCards' | 'rules'>): TransactionBodies {
  const { session, rules } = deps;

  function body(kind: TxKind, request: TxRequest, cardUid: string): TxBodyInput {
    if ('cardUid' in request || 'actor' in request || 'staffCardUid' in request || 'memberPinProof' in request) {
      throw new KioskError('CARD_NOT_ON_READER', 'a request names neither the card nor the staff member: the kiosk uses its reader and its staff session');
    }
    assertTenders(kind, request);
    const staff = deps.staff.current();
    // A member reporting their own card lost acts for themselves, even with a clerk signed in who may not. At an
    // attended counter the clerk signed in serves the sale and is named on it (staff commission); a hub that does
    // not list `purchase` in mayDo would refuse the name, so the sale then goes without it, as self-service.
    const servedBy = kind === 'purchase' && deps.mode() === 'attended' && staff?.mayDo.includes(kind);
    const actor = STAFF_KINDS.has(kind) || servedBy ? deps.staff.actorFor(kind) : kind === 'card_report_loss' && staff?.mayDo.includes(kind) ? deps.staff.actorFor(kind) : undefined;
    const pinProof = kind === 'purchase' ? deps.memberPin.proofFor(cardUid, storedValueOf(request)) : undefined;
    // The fee the screen shows, from this kiosk's rules (card-fees.ts), unless the screen named the one it showed.
    const shown = session.shownMember();
    const fee = 'feeCents' in request ? undefined : feeClaimOf(kind, request, rules.bundle(), shown?.cardUid === cardUid ? shown.member.card.cardType : undefined);
    const newCard = newCardFor(kind, request, cardUid);
    return { ...request, kind, cardUid, ...(actor ? { actor } : {}), ...(pinProof ? { memberPinProof: pinProof } : {}), ...(fee !== undefined ? { feeCents: fee } : {}), ...(newCard ? { newCardUid: newCard } : {}) } as TxBodyInput;
  }

  /**
   * A replacement's or an issue's new card: the one the clerk tapped on this reader for this card (new-card-capture.ts).
   * A till with a reader of its own may still name it in the body; the kiosk screen never does.
   */
  function newCardFor(kind: TxKind, request: TxRequest, cardUid: string): string | null {
    if ((kind !== 'card_replace' && kind !== 'card_issue') || 'newCardUid' in request) return null;
    const held = deps.newCards?.held(cardUid) ?? null;
    if (!held) throw new CodedError('NEW_CARD_NOT_TAPPED', 'tap the new card on the reader first');
    return held;
  }

  function storedValueOf(request: TxRequest): number {
    const payments = Array.isArray(request.payments) ? (request.payments as { method?: unknown; amountCents?: unknown }[]) : [];
    return payments.reduce((sum, p) => sum + (p.method === 'stored_value' && typeof p.amountCents === 'number' ? p.amountCents : 0), 0);
  }

  /** An unattended kiosk takes no cash: nobody is there to take it (the hub refuses it again). */
  function assertTenders(kind: TxKind, request: TxRequest): void {
    if (deps.mode() === 'attended') return;
    const payments = kind === 'purchase' && Array.isArray(request.payments) ? (request.payments as { method?: unknown }[]) : [];
    if (payments.some((p) => p.method === 'cash') || (kind === 'top_up' && request.tender === 'cash')) {
      throw new KioskError('TENDER_NOT_ALLOWED', 'this kiosk is unattended: it does not take cash');
    }
  }

  function cardOnReader(kind: TxKind): string | null {
    const shown = session.currentCardUid();
    if (shown || !STAFF_KINDS.has(kind)) return shown;
    const state = session.state();
    return state.name === 'error' && (state.code === 'CARD_FROZEN' || state.code === 'CARD_LOST') ? state.cardUid : null;
  }

  return { body, cardOnReader };
}
