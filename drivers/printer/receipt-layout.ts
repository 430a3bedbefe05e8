import { formatCents } from '../../core/money/integers.ts';
import { layoutNote } from './note-layout.ts';
import { RECEIPT_LABELS } from './receipt-labels.ts';
import { printedTime } from './receipt-time.ts';
import { leftRight, textWidth, wrapToWidth } from './text-width.ts';
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

export function layoutReceipt(receipt: Receipt): ReceiptLayout {
  // A printed note (a flow's coupon) says nothing of a transaction: it has a layout of its own.
  if (receipt.note) return layoutNote(receipt, receipt.note, columnsFor(receipt.paperWidthMm));
  const columns = columnsFor(receipt.paperWidthMm);
  const labels = RECEIPT_LABELS[receipt.language];
  const blocks: ReceiptBlock[] = [];
  const left = (text: string, bold = false): void => {
    for (const line of wrapToWidth(text, columns)) blocks.push({ kind: 'text', text: line, align: 'left', ...(bold ? { bold } : {}) });
  };
  const right = (text: string): void => {
    for (const line of wrapToWidth(text, columns)) blocks.push({ kind: 'text', text: line, align: 'right' });
  };
  const center = (text: string, extra: { bold?: boolean; tall?: boolean } = {}): void => {
    for (const line of wrapToWidth(text, columns)) blocks.push({ kind: 'text', text: line, align: 'center', ...extra });
  };
  // "label ……… value" on one line; a value too long to share the line with its label (a transaction id on 58 mm
  // paper) goes under it, right-aligned, instead of cutting the label short.
  const pair = (l: string, r: string, bold = false): void => {
    if (textWidth(l) + 1 + textWidth(r) <= columns) left(leftRight(l, r, columns), bold);
    else {
      left(l, bold);
      right(r);
    }
  };

  // The store first: who printed this, where, how to call them; then HQ's own header lines.
  const store = receipt.storeProfile;
  center(store?.name ?? receipt.store, { bold: true, tall: true });
  if (store?.address) center(store.address);
  if (store?.phone) center(`${labels.phone} ${store.phone}`);
  for (const line of receipt.header) center(line);
  blocks.push({ kind: 'rule' });
  if (receipt.notice && receipt.notice.length > 0) {
    for (const line of receipt.notice) center(line, { bold: true });
    blocks.push({ kind: 'rule' });
  }
  pair(labels.device, receipt.deviceId);
  const when = printedTime(receipt.at, store?.timezone, receipt.language);
  pair(labels.time, when.time);
  if (when.zone) right(when.zone);
  pair(labels.transaction, receipt.txId);
  if (receipt.memberName) pair(labels.member, receipt.memberName);
  pair(labels.card, receipt.cardNumberMasked);
  blocks.push({ kind: 'rule' });

  for (const line of receipt.lines) {
    left(line.name);
    pair(`  ${line.qty} x ${formatCents(line.unitPriceCents)}`, formatCents(line.totalCents));
  }
  const totals = receipt.totals;
  if (receipt.lines.length > 0 || totals) {
    blocks.push({ kind: 'rule' });
    if (totals) {
      pair(labels.subtotal, formatCents(totals.subtotalCents));
      for (const discount of totals.discounts) pair(`  ${discount.label}`, `-${formatCents(discount.cents)}`);
      pair(labels.total, formatCents(totals.totalCents), true);
    } else {
      pair(labels.total, formatCents(receipt.lines.reduce((sum, l) => sum + l.totalCents, 0)), true);
    }
  }

  if (receipt.payments.length > 0) {
    left(labels.payments);
    for (const payment of receipt.payments) {
      const name = labels.methods[payment.method] ?? payment.method;
      // What was given up (points, visits) beside the name; what it was worth in money on the right.
      const gap = receipt.language === 'en' ? ' ' : '';
      const given = [payment.points !== undefined ? `${payment.points}${gap}${labels.pointsUnit}` : undefined, payment.visits !== undefined ? `${payment.visits}${gap}${labels.visitsUnit}` : undefined].filter(
        (g): g is string => g !== undefined,
      );
      pair(`  ${[name, ...given].join(' ')}`, payment.amountCents !== undefined ? formatCents(payment.amountCents) : '');
    }
    if (receipt.changeCents !== undefined) pair(labels.change, formatCents(receipt.changeCents));
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

  // The signed code when the kiosk has its enrolment key; the bare id otherwise (nothing there to verify).
  blocks.push({ kind: 'qr', data: receipt.qr ?? receipt.txId });
  if (receipt.qr) center(labels.verifyHint);
  for (const line of receipt.footer) center(line);
  blocks.push({ kind: 'feed', lines: 3 });
  blocks.push({ kind: 'cut' });
  return { columns, language: receipt.language, blocks };
}
