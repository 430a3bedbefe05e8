/**
 * Turns a submitted transaction and what the hub said about it into receipt lines. Money is formatted from
 * integer cents for display only. A queued transaction (hub unreachable) says so: the member must not be
 * told it is final before the hub has applied it.
 */
import { formatCents } from '../../core/money/integers.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { Receipt } from '../ports.ts';
import { maskCardUid } from '../privacy/mask-card-uid.ts';
import { RECEIPT_WIDTH } from './render-receipt-text.ts';

export type SubmitStatus = 'applied' | 'exists' | 'rejected' | 'queued';

export interface ReceiptInput {
  tx: Transaction;
  status: SubmitStatus;
  result?: TxResult | null;
  memberName?: string;
  header: readonly string[];
  footer: readonly string[];
  at: string;
}

const TITLES: Record<Transaction['kind'], string> = {
  purchase: 'PURCHASE',
  top_up: 'TOP-UP',
  redeem_gift: 'GIFT REDEMPTION',
  refund: 'REFUND',
  card_report_loss: 'CARD REPORTED LOST',
  card_cancel_loss: 'LOSS REPORT CANCELLED',
  card_freeze: 'CARD FROZEN',
  card_unfreeze: 'CARD UNFROZEN',
  card_replace: 'CARD REPLACED',
};

function pair(left: string, right: string): string {
  const space = Math.max(1, RECEIPT_WIDTH - left.length - right.length);
  return `${left}${' '.repeat(space)}${right}`;
}

export function buildReceipt(input: ReceiptInput): Receipt {
  const { tx, status, result } = input;
  const body: string[] = [TITLES[tx.kind], pair('Card', maskCardUid(tx.cardUid))];
  if (input.memberName) body.push(pair('Member', input.memberName.slice(0, 20)));
  body.push(pair('Ref', `#${tx.seq} ${tx.id.slice(-8)}`));
  switch (tx.kind) {
    case 'purchase':
      for (const line of tx.lines) body.push(pair(`${line.qty} x ${line.sku}`.slice(0, 20), formatCents(line.qty * line.unitPriceCents)));
      for (const p of tx.payments) body.push(pair(`  paid ${p.method}`, p.method === 'points' ? `${p.points} pts` : formatCents(p.amountCents)));
      break;
    case 'top_up':
      body.push(pair(`Top-up (${tx.tender})`, formatCents(tx.amountCents)));
      break;
    case 'redeem_gift':
      body.push(pair(`${tx.qty} x ${tx.giftSku}`.slice(0, 24), 'gift'));
      break;
    case 'refund':
      body.push(pair('Lines', tx.lineNos.join(',')), pair('Of purchase', tx.purchaseTxId.slice(-8)));
      break;
    case 'card_replace':
      body.push(pair('New card', maskCardUid(tx.newCardUid)), pair('Fee', formatCents(tx.feeCents)));
      break;
    default:
      break;
  }
  body.push('');
  if (status === 'queued') body.push('QUEUED: will be sent to the', 'hub when it is reachable again');
  else if (status === 'rejected') body.push(`NOT DONE: ${result?.code ?? 'rejected'}`);
  else if (result?.status === 'exists' && result.original === 'rejected') body.push(`NOT DONE: ${result.code ?? 'rejected earlier'}`);
  else body.push('DONE');
  const outcome = result?.outcome;
  if (outcome) {
    if (outcome.pointsEarned) body.push(pair('Points earned', String(outcome.pointsEarned)));
    if (outcome.pointsSpent) body.push(pair('Points spent', String(outcome.pointsSpent)));
    body.push(pair('Stored value', formatCents(outcome.balances.storedValueCents)));
    body.push(pair('Bonus value', formatCents(outcome.balances.bonusValueCents)));
    body.push(pair('Points', String(outcome.balances.points)));
  }
  return { txId: tx.id, header: [...input.header], body, footer: [...input.footer], printedAt: input.at };
}
