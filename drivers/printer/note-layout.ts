/**
 * A printed note laid out (Receipt.note: a kiosk flow's coupon or notice), in the same blocks as a receipt so the
 * ESC/POS encoder, the SVG and the text previews draw it alike. It names the store, then what the flow wrote,
 * then which kiosk printed it and when, so a coupon can be traced; it says nothing of a transaction (no card,
 * money or verification hint), and HQ's receipt header and footer are not on it: they speak of a purchase.
 */
import { RECEIPT_LABELS } from './receipt-labels.ts';
import type { ReceiptBlock, ReceiptLayout } from './receipt-layout.ts';
import { printedTime } from './receipt-time.ts';
import { leftRight, textWidth, wrapToWidth } from './text-width.ts';
import type { Receipt, ReceiptNote } from './types.ts';

export function layoutNote(receipt: Receipt, note: ReceiptNote, columns: number): ReceiptLayout {
  const labels = RECEIPT_LABELS[receipt.language];
  const blocks: ReceiptBlock[] = [];
  const push = (text: string, align: 'left' | 'center' | 'right', extra: { bold?: boolean; tall?: boolean } = {}): void => {
    for (const line of wrapToWidth(text, columns)) blocks.push({ kind: 'text', text: line, align, ...extra });
  };
  const pair = (l: string, r: string): void => {
    if (textWidth(l) + 1 + textWidth(r) <= columns) push(leftRight(l, r, columns), 'left');
    else {
      push(l, 'left');
      push(r, 'right');
    }
  };

  const store = receipt.storeProfile;
  push(store?.name ?? receipt.store, 'center', { bold: true });
  if (store?.address) push(store.address, 'center');
  if (store?.phone) push(`${labels.phone} ${store.phone}`, 'center');
  blocks.push({ kind: 'rule' });
  if (note.title) {
    push(note.title, 'center', { bold: true, tall: true });
    blocks.push({ kind: 'rule' });
  }
  // An empty line is a blank line on paper, as the flow wrote it.
  for (const line of note.lines) push(line, 'left');
  if (receipt.qr) blocks.push({ kind: 'qr', data: receipt.qr });
  blocks.push({ kind: 'rule' });
  pair(labels.device, receipt.deviceId);
  const when = printedTime(receipt.at, store?.timezone, receipt.language);
  pair(labels.time, when.time);
  if (when.zone) push(when.zone, 'right');
  blocks.push({ kind: 'feed', lines: 3 });
  blocks.push({ kind: 'cut' });
  return { columns, language: receipt.language, blocks };
}
