/**
 * The money-moving use cases: each makes one transaction through the one submission path (submit-transaction.ts)
 * and differs only in how it involves the screen (transaction-screens.ts):
 * - member actions (purchase, top-up, gift, refund, upgrade, punch, card operations, credit repayment, codes and
 *   draws) are for the card on the reader and, when it is the card on screen, run member → action → receipt;
 * - registration is for the card whose registration form is on screen, and then shows the new member or the form
 *   with a notice;
 * - a loss reported by phone and PIN is for a card that is not on the reader, and never touches the screen.
 * Its own file so the application's assembly (kiosk-app.ts) only wires these in; what a request may name and who
 * a body names is transaction-body.ts.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import type { TxKind } from '../../core/wire/transaction.ts';
import { codeDigestOf } from './codes-and-draws.ts';
import type { KioskAppDeps } from './kiosk-app-deps.ts';
import { KioskError } from './kiosk-errors.ts';
import { numberLines } from './member-offers.ts';
import type { ReceiptPrinting } from './receipt-printing.ts';
import { assertTermsConsent } from './registration-consent.ts';
import { OFF_SCREEN, type SubmitOptions, type SubmitTransaction, type TxOutcome } from './submit-transaction.ts';
import { createTransactionBodies } from './transaction-body.ts';
import { createTransactionScreens } from './transaction-screens.ts';
import type { CardOperationKind, PurchaseRequest, TxRequest } from './tx-request.ts';

/** The transaction use cases of the kiosk application (part of KioskApp, kiosk-app.ts). */
export interface MemberTransactions {
  purchase(request: PurchaseRequest, options?: SubmitOptions): Promise<TxOutcome>;
  topUp(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  redeemGift(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  refund(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  tierUpgrade(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  /** One visit on a count card / time card: { serviceId }. */
  punch(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  cardOperation(kind: CardOperationKind, request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  /** A credit repayment (赊账还款) taken by the signed-in staff member: { amountCents, tender }. Hub only (HUB_REQUIRED offline). */
  creditRepay(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  /** A new member on the fresh card named, or the card whose registration form is on screen. */
  registerMember(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  /** A member whose card is gone reports it lost with their phone and PIN (no card on the reader). */
  reportLossByPhone(phone: string, pin: string, options?: SubmitOptions): Promise<TxOutcome>;
  /**
   * A redemption code typed by the member whose card is on the reader: { code }. Refused before anything is queued
   * when it is not a code (CODE_MALFORMED, CODE_CHECK_DIGIT) or the hub is away (HUB_REQUIRED).
   */
  redeemCode(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  /** One entry in a draw for the member whose card is on the reader: { drawId }. */
  enterDraw(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
}

export interface MemberTransactionsDeps extends Pick<KioskAppDeps, 'session' | 'staff' | 'mode' | 'memberPin' | 'newCards' | 'rules' | 'receiptContext'> {
  submit: SubmitTransaction;
  printing: ReceiptPrinting;
  /** The gifts this kiosk's configuration offers: null when it names none (all of them). */
  offeredGifts: () => readonly string[] | null;
}

export function createMemberTransactions(deps: MemberTransactionsDeps): MemberTransactions {
  const { session, submit, offeredGifts } = deps;
  const bodies = createTransactionBodies(deps);
  const screens = createTransactionScreens(deps);

  function memberTransaction(kind: TxKind, request: TxRequest, options: SubmitOptions | undefined): Promise<TxOutcome> {
    const cardUid = bodies.cardOnReader(kind);
    if (!cardUid) return Promise.reject(new KioskError('SESSION_NO_CARD', 'no member card on the reader'));
    try {
      return submit(bodies.body(kind, request, cardUid), session.currentCardUid() === cardUid ? screens.memberAction(kind, cardUid) : OFF_SCREEN, options);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  return {
    purchase: (request, options) => memberTransaction('purchase', { ...request, lines: numberLines(request.lines) }, options),
    topUp: (request, options) => memberTransaction('top_up', request, options),
    redeemGift(request, options) {
      const offered = offeredGifts();
      if (offered && typeof request.giftSku === 'string' && !offered.includes(request.giftSku)) {
        return Promise.reject(new CodedError('GIFT_UNKNOWN', 'this kiosk does not offer this gift'));
      }
      return memberTransaction('redeem_gift', request, options);
    },
    refund: (request, options) => memberTransaction('refund', request, options),
    tierUpgrade: (request, options) => memberTransaction('tier_upgrade', request, options),
    punch: (request, options) => memberTransaction('punch_card_use', request, options),
    cardOperation: (kind, request, options) => memberTransaction(kind, request, options),
    creditRepay: (request, options) => memberTransaction('credit_repay', request, options),
    redeemCode(request, options) {
      // The code travels as its SHA-256 only, once it reads as a code; the rest of the body is checked as any other.
      const { code, ...rest } = request;
      try {
        return memberTransaction('code_redeem', { ...rest, codeDigest: codeDigestOf(code) }, options);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    enterDraw: (request, options) => memberTransaction('draw_enter', request, options),

    registerMember(request, options) {
      const cardUid = session.registrationCardUid();
      if (!cardUid) return Promise.reject(new KioskError('SESSION_NO_CARD', 'no registration form on screen'));
      try {
        const drafted = bodies.body('register_member', request, cardUid);
        assertTermsConsent(request);
        return submit(drafted, screens.registration(cardUid), options);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },

    async reportLossByPhone(phone, pin, options) {
      // The one transaction for a card that is not on the reader: authorised by the member's phone and PIN,
      // which the hub checked (with its lockout) and checks again through the proof.
      const { cardUid, proofId } = await deps.memberPin.verifyByPhone(phone, pin);
      return submit({ kind: 'card_report_loss', cardUid, memberPinProof: proofId }, OFF_SCREEN, options);
    },
  };
}
