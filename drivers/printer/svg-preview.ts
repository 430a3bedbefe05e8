import qrcode from 'qrcode-generator';
import { isQrAlphanumeric } from './qr-size.ts';
import { layoutReceipt, type ReceiptLayout } from './receipt-layout.ts';
import { textWidth } from './text-width.ts';
import type { Receipt } from './types.ts';

/**
 * The receipt as the screen shows it before (or instead of) printing: an SVG drawn from the same layout the
 * ESC/POS encoder prints, one 12×24 dot cell per half-width character as in the printer's font A, and the QR
 * code of the same payload, error correction and module size the printer is told to use.
 */
const CELL_W = 12;
const LINE_H = 30;
const MARGIN = 16;
const QR_MODULE = 6;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** One path of unit squares for the dark modules: a few kB instead of hundreds of <rect> elements. */
function qrPath(data: string): { path: string; size: number } {
  const qr = qrcode(0, 'M');
  // The mode a printer picks for the text (a signed receipt code is alphanumeric): the same symbol as on paper.
  qr.addData(data, isQrAlphanumeric(data) ? 'Alphanumeric' : 'Byte');
  qr.make();
  const count = qr.getModuleCount();
  const cells: string[] = [];
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (qr.isDark(row, col)) cells.push(`M${col * QR_MODULE} ${row * QR_MODULE}h${QR_MODULE}v${QR_MODULE}h-${QR_MODULE}z`);
    }
  }
  return { path: cells.join(''), size: count * QR_MODULE };
}

export function renderLayoutSvg(layout: ReceiptLayout): string {
  const width = layout.columns * CELL_W + MARGIN * 2;
  const parts: string[] = [];
  let y = MARGIN;
  for (const block of layout.blocks) {
    switch (block.kind) {
      case 'text': {
        const height = block.tall ? LINE_H * 2 : LINE_H;
        y += height;
        const lineWidth = textWidth(block.text) * CELL_W;
        const left = block.align === 'center' ? (width - lineWidth) / 2 : block.align === 'right' ? width - MARGIN - lineWidth : MARGIN;
        const style = [block.bold ? 'font-weight="bold"' : '', block.tall ? 'font-size="40"' : ''].filter(Boolean).join(' ');
        // Each run of text is placed at its own column: SVG renderers collapse the padding spaces otherwise.
        const runs: string[] = [];
        let column = 0;
        for (const piece of block.text.split(/( {2,})/)) {
          const cells = textWidth(piece);
          if (piece.trim() !== '') {
            runs.push(`<text x="${left + column * CELL_W}" y="${y - 8}" textLength="${cells * CELL_W}" lengthAdjust="spacingAndGlyphs">${escapeXml(piece)}</text>`);
          }
          column += cells;
        }
        parts.push(`<g data-line="${escapeXml(block.text)}"${style ? ` ${style}` : ''}>${runs.join('')}</g>`);
        break;
      }
      case 'rule':
        y += LINE_H / 2;
        parts.push(`<line x1="${MARGIN}" y1="${y}" x2="${width - MARGIN}" y2="${y}" stroke="#000" stroke-dasharray="6 4"/>`);
        y += LINE_H / 2;
        break;
      case 'qr': {
        const { path, size } = qrPath(block.data);
        const x = (width - size) / 2;
        parts.push(`<g class="qr" data-qr="${escapeXml(block.data)}" transform="translate(${x} ${y + 8})"><path d="${path}" fill="#000"/></g>`);
        y += size + 16;
        break;
      }
      case 'feed':
        y += LINE_H / 2;
        break;
      case 'cut':
        y += LINE_H / 2;
        parts.push(`<line x1="0" y1="${y}" x2="${width}" y2="${y}" stroke="#999" stroke-dasharray="2 6"/>`);
        break;
    }
  }
  const height = y + MARGIN;
  const font = layout.language === 'zh' ? "'Noto Sans Mono CJK SC', 'WenQuanYi Zen Hei Mono', monospace" : 'monospace';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${font}" font-size="20" data-columns="${layout.columns}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...parts,
    '</svg>',
  ].join('\n');
}

export function renderReceiptSvg(receipt: Receipt): string {
  return renderLayoutSvg(layoutReceipt(receipt));
}
