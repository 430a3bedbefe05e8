/**
 * Describes the receipt of a submitted transaction as the drivers' structured Receipt, from the transaction,
 * what the hub said about it and the kiosk's receipt settings. Money stays integer cents: the printer's layout
 * formats it. Only what the hub confirmed is printed as final: a queued transaction gets a "pending" notice and
 * no points or balances, a refused one says so.
 */
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { Receipt } from '../ports.ts';
import { maskCardUid } from '../../core/privacy/mask.ts';
import { RECEIPT_WORDING, type ReceiptLanguage } from './receipt-wording.ts';
import { localizeTrace } from '../../core/rules/trace-text.ts';

export type SubmitStatus = 'applied' | 'exists' | 'rejected' | 'queued';

/** What the kiosk knows about where and how it prints, independent of any one transaction. */
export interface ReceiptContext {
  header: readonly string[];
  footer: readonly string[];
  store: string;
  deviceId: string;
  paperWidthMm: 58 | 80;
  language: ReceiptLanguage;
}

export interface ReceiptInput {
  tx: Transaction;
  status: SubmitStatus;
  result?: TxResult | null;
  memberName?: string;
  context: ReceiptContext;
  /** ISO 8601. */
  at: string;
}

/** Whether the hub applied it, now or earlier; anything else is not a done deal on paper. */
export function hubConfirmed(status: SubmitStatus, result: TxResult | null | undefined): boolean {
  if (status === 'applied') return true;
  return status === 'exists' && result?.original !== 'rejected';
}

export function buildReceipt(input: ReceiptInput): Receipt {
  const { tx, status, result, context } = input;
  const words = RECEIPT_WORDING[context.language];
  const notice: string[] = tx.kind === 'purchase' ? [] : [words.titles[tx.kind]];
  const lines: Receipt['lines'] = [];
  const payments: Receipt['payments'] = [];

  switch (tx.kind) {
    case 'purchase':
      for (const line of tx.lines) lines.push({ name: line.sku, qty: line.qty, unitPriceCents: line.unitPriceCents, totalCents: line.qty * line.unitPriceCents });
      for (const p of tx.payments) payments.push(p.method === 'points' ? { method: 'points', points: p.points } : { method: p.method, amountCents: p.amountCents });
      break;
    case 'top_up':
      lines.push({ name: words.topUpLine(tx.tender), qty: 1, unitPriceCents: tx.amountCents, totalCents: tx.amountCents });
      payments.push({ method: tx.tender, amountCents: tx.amountCents });
      break;
    case 'redeem_gift':
      lines.push({ name: tx.giftSku, qty: tx.qty, unitPriceCents: 0, totalCents: 0 });
      if (result?.outcome?.pointsSpent) payments.push({ method: 'points', points: result.outcome.pointsSpent });
      break;
    case 'draw_enter':
      // The entry and the points it cost; the prize won is in the hub's trace (ruleTrace).
      lines.push({ name: tx.drawId, qty: 1, unitPriceCents: 0, totalCents: 0 });
      if (result?.outcome?.pointsSpent) payments.push({ method: 'points', points: result.outcome.pointsSpent });
      break;
    case 'refund':
      notice.push(words.refundOf(tx.purchaseTxId.slice(-8), tx.lineNos));
      break;
    case 'card_replace':
      notice.push(words.newCard(maskCardUid(tx.newCardUid)));
      if (tx.feeCents !== undefined && tx.feeCents > 0) lines.push({ name: words.replacementFee, qty: 1, unitPriceCents: tx.feeCents, totalCents: tx.feeCents });
      break;
    case 'card_issue':
      notice.push(words.newCard(maskCardUid(tx.newCardUid)));
      if (tx.feeCents !== undefined && tx.feeCents > 0) lines.push({ name: words.fee('issue'), qty: 1, unitPriceCents: tx.feeCents, totalCents: tx.feeCents });
      break;
    case 'card_service':
      if (tx.feeCents !== undefined && tx.feeCents > 0) lines.push({ name: words.fee(tx.service), qty: 1, unitPriceCents: tx.feeCents, totalCents: tx.feeCents });
      break;
    case 'credit_repay':
      lines.push({ name: words.titles.credit_repay, qty: 1, unitPriceCents: tx.amountCents, totalCents: tx.amountCents });
      break;
    // The title alone says what these did; listed so a new kind has to be considered here too.
    case 'card_cancel_loss':
    case 'card_freeze':
    case 'card_report_loss':
    case 'card_unfreeze':
    // What was paid back and forfeited is in the hub's trace (ruleTrace), printed once confirmed.
    case 'card_return':
    case 'manual_bonus':
    case 'punch_card_use':
    // What the code gave is in the hub's trace (ruleTrace), printed once confirmed.
    case 'code_redeem':
    case 'register_member':
    case 'tier_upgrade':
      break;
  }

  const confirmed = hubConfirmed(status, result);
  if (status === 'queued') notice.push(...words.pending);
  else if (!confirmed) notice.push(...words.refused(result?.code ?? 'rejected'));
  const outcome = confirmed ? result?.outcome : undefined;

  return {
    header: [...context.header],
    footer: [...context.footer],
    store: context.store,
    deviceId: context.deviceId,
    txId: tx.id,
    at: input.at,
    cardNumberMasked: maskCardUid(tx.cardUid),
    ...(input.memberName ? { memberName: input.memberName } : {}),
    ...(notice.length > 0 ? { notice } : {}),
    lines,
    payments,
    ...(outcome ? { pointsEarned: outcome.pointsEarned, balancesAfter: { ...outcome.balances } } : {}),
    // The engine's lines in the receipt's language where the hub sent them keyed; the rest as the hub wrote them.
    ruleTrace: outcome ? localizeTrace(outcome.trace, outcome.traceText, context.language === 'en' ? 'en' : 'zh-CN') : [],
    paperWidthMm: context.paperWidthMm,
    language: context.language,
  };
}
