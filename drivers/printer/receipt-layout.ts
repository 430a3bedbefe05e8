import { formatCents } from '../../core/money/integers.ts';
import { RECEIPT_LABELS } from './receipt-labels.ts';
import { leftRight, wrapToWidth } from './text-width.ts';
import type { Receipt } from './types.ts';

/**
 * A receipt laid out once, independent of the output: the ESC/POS encoder prints these blocks and the SVG
 * preview draws them, so what the screen shows is what the paper gets.
 */
export type ReceiptBlock =
  | { kind: 'text'; text: string; align: 'left' | 'center' | 'right'; bold?: boolean; tall?: boolean }
  | { kind: 'rule' }
  | { kind: 'qr'; data: string }
  | { kind: 'feed'; lines: number }
  | { kind: 'cut' };

export interface ReceiptLayout {
  /** Half-width cells per line in font A: 32 on 58 mm paper, 48 on 80 mm. */
  columns: number;
  language: 'zh' | 'en';
  blocks: ReceiptBlock[];
}

export function columnsFor(paperWidthMm: 58 | 80): number {
  return paperWidthMm === 58 ? 32 : 48;
}

/** "2026-11-22T19:04:32Z" → "2026-11-22 19:04:32" in UTC: the kiosk's clock zone is not the reader's business. */
function printableTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

export function layoutReceipt(receipt: Receipt): ReceiptLayout {
  const columns = columnsFor(receipt.paperWidthMm);
  const labels = RECEIPT_LABELS[receipt.language];
  const blocks: ReceiptBlock[] = [];
  const left = (text: string, bold = false): void => {
    for (const line of wrapToWidth(text, columns)) blocks.push({ kind: 'text', text: line, align: 'left', ...(bold ? { bold } : {}) });
  };
  const center = (text: string, extra: { bold?: boolean; tall?: boolean } = {}): void => {
    for (const line of wrapToWidth(text, columns)) blocks.push({ kind: 'text', text: line, align: 'center', ...extra });
  };
  const pair = (l: string, r: string, bold = false): void => left(leftRight(l, r, columns), bold);

  receipt.header.forEach((line, index) => center(line, index === 0 ? { bold: true, tall: true } : {}));
  blocks.push({ kind: 'rule' });
  if (receipt.notice && receipt.notice.length > 0) {
    for (const line of receipt.notice) center(line, { bold: true });
    blocks.push({ kind: 'rule' });
  }
  pair(labels.store, receipt.store);
  pair(labels.device, receipt.deviceId);
  pair(labels.time, printableTime(receipt.at));
  pair(labels.transaction, receipt.txId);
  if (receipt.memberName) pair(labels.member, receipt.memberName);
  pair(labels.card, receipt.cardNumberMasked);
  blocks.push({ kind: 'rule' });

  for (const line of receipt.lines) {
    left(line.name);
    pair(`  ${line.qty} x ${formatCents(line.unitPriceCents)}`, formatCents(line.totalCents));
  }
  if (receipt.lines.length > 0) {
    blocks.push({ kind: 'rule' });
    pair(labels.total, formatCents(receipt.lines.reduce((sum, l) => sum + l.totalCents, 0)), true);
  }

  if (receipt.payments.length > 0) {
    left(labels.payments);
    for (const payment of receipt.payments) {
      const name = labels.methods[payment.method] ?? payment.method;
      const amounts = [
        payment.amountCents !== undefined ? formatCents(payment.amountCents) : undefined,
        payment.points !== undefined ? `${payment.points} ${labels.pointsUnit}` : undefined,
      ].filter((a): a is string => a !== undefined);
      pair(`  ${name}`, amounts.join(' / '));
    }
  }
  blocks.push({ kind: 'rule' });

  if (receipt.pointsEarned !== undefined) {
    pair(labels.pointsEarned, `+${receipt.pointsEarned} ${labels.pointsUnit}`, true);
    for (const reason of receipt.ruleTrace) left(`  ${reason}`);
    blocks.push({ kind: 'rule' });
  }

  const balances = receipt.balancesAfter;
  if (balances) {
    left(labels.balancesAfter, true);
    pair(`  ${labels.storedValue}`, formatCents(balances.storedValueCents));
    pair(`  ${labels.bonusValue}`, formatCents(balances.bonusValueCents));
    pair(`  ${labels.points}`, `${balances.points} ${labels.pointsUnit}`);
    blocks.push({ kind: 'rule' });
  }

  blocks.push({ kind: 'qr', data: receipt.txId });
  for (const line of receipt.footer) center(line);
  blocks.push({ kind: 'feed', lines: 3 });
  blocks.push({ kind: 'cut' });
  return { columns, language: receipt.language, blocks };
}
