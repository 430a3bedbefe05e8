/**
 * What a client sends for a transaction, before the kiosk makes it a body (transaction-body.ts). Its own file
 * so the parts that read a request (card fees, body building, the HTTP routes) share these types without
 * importing the application's assembly (kiosk-app.ts), which imports them.
 */
import type { TxKind } from '../../core/wire/transaction.ts';

/**
 * A transaction's body as a client sent it: the transaction schema checks it when it is drafted (TX_INVALID),
 * so an adapter passes what it parsed without re-stating every kind's fields. It never names the card: the
 * kiosk acts only for the card tapped on its own reader (a body with `cardUid` is refused, CARD_NOT_ON_READER),
 * and never names the staff actor either (that is the kiosk's signed-in staff session).
 */
export type TxRequest = Readonly<Record<string, unknown>>;

/** A purchase's lines may leave out lineNo: they are numbered in the order given. */
export type PurchaseRequest = TxRequest & { readonly lines: readonly (Readonly<Record<string, unknown>> & { lineNo?: number | undefined })[] };

export type CardOperationKind = Extract<TxKind, 'card_report_loss' | 'card_cancel_loss' | 'card_freeze' | 'card_unfreeze' | 'card_replace' | 'card_return' | 'card_issue' | 'card_service'>;
