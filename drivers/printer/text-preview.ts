import { layoutReceipt, type ReceiptLayout } from './receipt-layout.ts';
import { textWidth, wrapToWidth } from './text-width.ts';
import type { Receipt } from './types.ts';

/**
 * The receipt as plain monospaced text, drawn from the same layout the ESC/POS encoder prints: for screens
 * and logs that cannot show SVG. Alignment is done in half-width cells, so a hanzi counts as two columns here
 * exactly as on paper. The QR code becomes a bracketed line with its payload.
 */
export function renderLayoutText(layout: ReceiptLayout): string {
  const lines: string[] = [];
  for (const block of layout.blocks) {
    switch (block.kind) {
      case 'text': {
        const spare = Math.max(0, layout.columns - textWidth(block.text));
        const indent = block.align === 'center' ? Math.floor(spare / 2) : block.align === 'right' ? spare : 0;
        lines.push(`${' '.repeat(indent)}${block.text}`.trimEnd());
        break;
      }
      case 'rule':
        lines.push('-'.repeat(layout.columns));
        break;
      case 'qr': {
        // A signed receipt code is longer than a line: it wraps, whole, so it can be read off the screen and typed.
        for (const label of wrapToWidth(`[QR ${block.data}]`, layout.columns)) {
          lines.push(`${' '.repeat(Math.max(0, Math.floor((layout.columns - textWidth(label)) / 2)))}${label}`);
        }
        break;
      }
      case 'feed':
      case 'cut':
        // Paper handling, nothing to read.
        break;
    }
  }
  return lines.join('\n');
}

export function renderReceiptText(receipt: Receipt): string {
  return renderLayoutText(layoutReceipt(receipt));
}
