/** A receipt as the 32-column text a thermal printer or the screen shows. */
import type { Receipt } from '../ports.ts';

export const RECEIPT_WIDTH = 32;

export function renderReceiptText(receipt: Receipt): string {
  const center = (line: string) => line.padStart(Math.floor((RECEIPT_WIDTH + line.length) / 2)).padEnd(RECEIPT_WIDTH);
  const rule = '-'.repeat(RECEIPT_WIDTH);
  return [...receipt.header.map(center), rule, ...receipt.body, rule, ...receipt.footer.map(center), center(receipt.printedAt)]
    .map((line) => line.trimEnd())
    .join('\n');
}
