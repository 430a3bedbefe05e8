/**
 * A purchase receipt's money block, made to add up: the lines at shelf price (subtotal), each discount, the total,
 * then every tender — stored value (principal and bonus value apart), points with what they were worth, cash,
 * credit — so that subtotal − discounts = total = the sum of the tenders, in integer cents.
 *
 * Where the figures come from, best first:
 * - the hub's outcome (confirmed): its purchase record's total and tenders (outcome.purchase), and its discount
 *   lines (the keyed trace lines that moved cents: only the pricing stage does);
 * - the kiosk's own evaluation of the basket with its rules (the same version the hub recomputes with): a queued
 *   receipt, or a hub too old to send the record;
 * - neither: the tenders as sent, and whatever the lines cost beyond them as one "discount" line.
 * A discount the lines do not explain (rules that changed under the kiosk) is printed as one more "discount"
 * line, never dropped: the block always adds up.
 */
import { renderTraceText, type TraceLocale, type TraceNames } from '../../core/rules/trace-text.ts';
import { shortTraceRows } from '../../core/rules/short-trace.ts';
import type { PurchaseEvaluation } from '../../core/rules/types.ts';
import type { TxOutcome } from '../../core/wire/result.ts';
import type { TransactionOf } from '../../core/wire/transaction.ts';
import type { ReceiptDiscount, ReceiptPayment, ReceiptTotals } from '../../drivers/printer/types.ts';

export interface PurchaseMoney {
  totals: ReceiptTotals;
  payments: ReceiptPayment[];
  /** Present when cash was taken: the kiosk records exact cash, so it is 0, printed so the receipt says so. */
  changeCents?: number;
  /** Lines of the outcome's trace that are discounts (printed here, so not again among the points reasons). */
  discountTraceLines: ReadonlySet<number>;
}

export interface PurchaseMoneyInput {
  tx: TransactionOf<'purchase'>;
  /** The hub's outcome, only when it confirmed the purchase. */
  outcome?: TxOutcome | undefined;
  /** The kiosk's own evaluation of this basket (null: it holds no rules, or they could not price it). */
  evaluation: PurchaseEvaluation | null;
  locale: TraceLocale;
  names: TraceNames;
  /** Words for a discount no rule line explains. */
  discountWord: string;
}

export function purchaseMoney(input: PurchaseMoneyInput): PurchaseMoney {
  const { tx, outcome, evaluation } = input;
  const subtotalCents = tx.lines.reduce((sum, line) => sum + line.qty * line.unitPriceCents, 0);
  let cashCents = 0;
  let storedValueCents = 0;
  let creditCents = 0;
  let points = 0;
  for (const payment of tx.payments) {
    if (payment.method === 'points') points += payment.points;
    else if (payment.method === 'cash') cashCents += payment.amountCents;
    else if (payment.method === 'stored_value') storedValueCents += payment.amountCents;
    else creditCents += payment.amountCents;
  }
  const moneyCents = cashCents + storedValueCents + creditCents;

  const record = outcome?.purchase;
  const evaluated = evaluation && evaluation.totalCents === moneyCents + (evaluation.pointsPayment?.valueCents ?? 0) ? evaluation : null;
  // What the points paid: the ledger's figure, else the kiosk's rules', else whatever the lines cost beyond the money.
  const pointsValueCents = points === 0 ? 0 : (record?.tenders.pointsValueCents ?? evaluation?.pointsPayment?.valueCents ?? Math.max(0, subtotalCents - moneyCents));
  const totalCents = record?.totalCents ?? evaluated?.totalCents ?? moneyCents + pointsValueCents;

  const { discounts, traceLines } = record || !evaluated ? discountsFromOutcome(outcome, input) : discountsFromEvaluation(evaluated, input);
  const discountCents = subtotalCents - totalCents;
  const explained = discounts.reduce((sum, d) => sum + d.cents, 0);
  let printed: ReceiptDiscount[] = discounts;
  if (explained < discountCents) printed = [...discounts, { label: input.discountWord, cents: discountCents - explained }];
  else if (explained > discountCents) printed = discountCents > 0 ? [{ label: input.discountWord, cents: discountCents }] : [];

  const payments: ReceiptPayment[] = [];
  let storedValueShown = false;
  let pointsShown = false;
  for (const payment of tx.payments) {
    if (payment.method === 'points') {
      // Several points payments (the schema allows it) are one tender: the points and what they were worth.
      if (!pointsShown) payments.push({ method: 'points', points, amountCents: pointsValueCents });
      pointsShown = true;
    } else if (payment.method !== 'stored_value') payments.push({ method: payment.method, amountCents: payment.amountCents });
    else if (!storedValueShown) {
      // Stored value is one tender on the transaction and two at the ledger: principal first, then bonus value.
      storedValueShown = true;
      if (!record) payments.push({ method: 'stored_value', amountCents: storedValueCents });
      else {
        const { storedValueCents: principal, bonusValueCents: bonus } = record.tenders;
        const owed = storedValueCents - principal - bonus;
        if (principal > 0 || bonus === 0) payments.push({ method: 'stored_value', amountCents: principal });
        if (bonus > 0) payments.push({ method: 'bonus_value', amountCents: bonus });
        // A sale taken offline that the balance no longer covered: the rest is owed (the shortfall account).
        if (owed > 0) payments.push({ method: 'owed', amountCents: owed });
      }
    }
  }

  return {
    totals: { subtotalCents, discounts: printed, totalCents },
    payments,
    ...(cashCents > 0 ? { changeCents: 0 } : {}),
    discountTraceLines: traceLines,
  };
}

function discountsFromOutcome(outcome: TxOutcome | undefined, input: PurchaseMoneyInput): { discounts: ReceiptDiscount[]; traceLines: Set<number> } {
  const discounts: ReceiptDiscount[] = [];
  const traceLines = new Set<number>();
  for (const line of outcome?.traceText ?? []) {
    if (line.cents === undefined || line.cents >= 0) continue;
    traceLines.add(line.at);
    const label = renderTraceText(line, input.locale, input.names) ?? String(line.params.label ?? input.discountWord);
    discounts.push({ label, cents: -line.cents });
  }
  return { discounts, traceLines };
}

function discountsFromEvaluation(evaluation: PurchaseEvaluation, input: PurchaseMoneyInput): { discounts: ReceiptDiscount[]; traceLines: Set<number> } {
  const discounts = shortTraceRows(evaluation)
    .filter((row) => row.cents !== undefined && row.cents < 0)
    .map((row) => ({ label: (row.text ? renderTraceText(row.text, input.locale, input.names) : undefined) ?? row.label, cents: -row.cents! }));
  return { discounts, traceLines: new Set() };
}
