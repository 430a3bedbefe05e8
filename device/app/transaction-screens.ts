/**
 * How a transaction shows on the screen around its submission (submit-transaction.ts `ScreenPart`): a member
 * action runs member → action → receipt, the receipt built from the hub's answer, shown, then printed; a
 * registration turns the form on screen into the new member with a welcome, or back into the form with a notice.
 * Its own file because this is the one place the screen's flow after a transaction is decided.
 */
import type { TxKind } from '../../core/wire/transaction.ts';
import { buildReceipt } from '../receipt/build-receipt.ts';
import type { KioskAppDeps } from './kiosk-app-deps.ts';
import type { ReceiptPrinting } from './receipt-printing.ts';
import type { ScreenPart } from './submit-transaction.ts';

export interface TransactionScreens {
  /** member → action → receipt, when the transaction is for the member on screen. */
  memberAction(kind: TxKind, cardUid: string): ScreenPart;
  /** The registration form on screen → the new member with a welcome, or the form with a notice. */
  registration(cardUid: string): ScreenPart;
}

export function createTransactionScreens(deps: Pick<KioskAppDeps, 'session' | 'receiptContext'> & { printing: ReceiptPrinting }): TransactionScreens {
  const { session, printing } = deps;

  function memberAction(kind: TxKind, cardUid: string): ScreenPart {
    return {
      begin: () => session.currentCardUid() === cardUid && session.beginAction(kind),
      abort: () => session.abortAction(),
      async complete({ tx, status, result }) {
        const shown = session.shownMember();
        const receipt = buildReceipt({
          tx,
          status,
          result,
          ...(shown ? { memberName: shown.member.name, member: { memberId: shown.member.memberId, tier: shown.member.tier } } : {}),
          // Printed at the transaction's own time (hub-corrected), which is also what its QR code signs.
          context: deps.receiptContext(),
        });
        // Kept for a staff reprint whatever the paper does; the screen shows the receipt first, then whether it
        // printed: now, or not at all (never later, for whoever stands at the kiosk then).
        printing.remember(receipt, tx.kind);
        if (!session.completeAction({ tx, status, result, receipt })) return;
        // The paper never holds up the answer (it may take the print window): its outcome is pushed when known.
        void printing.print(receipt).then((print) => session.showReceiptPrint(tx.id, print));
      },
    };
  }

  function registration(cardUid: string): ScreenPart {
    return {
      begin: () => session.registrationCardUid() === cardUid,
      abort: () => undefined,
      async complete({ tx, status, result }) {
        const applied = status === 'applied' || (status === 'exists' && result?.original === 'applied');
        if (applied) {
          const name = tx.kind === 'register_member' ? tx.name : '';
          await session.showRegistered(cardUid, { name, pointsEarned: result?.outcome?.pointsEarned ?? 0 });
          return;
        }
        session.showRegistrationNotice(cardUid, { txId: tx.id, status: status === 'queued' ? 'queued' : 'rejected', code: result?.code ?? null, message: result?.message ?? null });
      },
    };
  }

  return { memberAction, registration };
}
