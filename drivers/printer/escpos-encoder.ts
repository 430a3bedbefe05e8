import { createRequire } from 'node:module';
import iconv from 'iconv-lite';
import type { ThermalPrinter as ThermalPrinterType } from 'node-thermal-printer';
import { qrCellSize } from './qr-size.ts';
import type { ReceiptLayout } from './receipt-layout.ts';

/**
 * ReceiptLayout → ESC/POS bytes. node-thermal-printer supplies the Epson command set (alignment, bold, size,
 * QR through `GS ( k`, cut) and assembles the buffer; text bytes are encoded here, because its own encoder
 * knows Chinese only as EUC-CN behind `ESC R 15` and counts columns by string length. Chinese receipts put
 * the printer in Chinese mode (`FS &`) and send GB18030; English ones leave it (`FS .`) and use code page 0.
 */
const require = createRequire(import.meta.url);
const { ThermalPrinter, PrinterTypes } = require('node-thermal-printer') as typeof import('node-thermal-printer');

export const ESC_INIT = Buffer.from([0x1b, 0x40]);
export const FS_CHINESE_ON = Buffer.from([0x1c, 0x26]);
export const FS_CHINESE_OFF = Buffer.from([0x1c, 0x2e]);
export const ESC_CODE_PAGE_PC437 = Buffer.from([0x1b, 0x74, 0x00]);

export function encodeText(text: string, language: 'zh' | 'en'): Buffer {
  if (language === 'zh') return iconv.encode(text, 'gb18030');
  // Code page 437 has no hanzi; a name outside it prints as "?" rather than as mojibake.
  return iconv.encode(text.replace(/[^\x20-\x7e\n]/g, '?'), 'cp437');
}

export function encodeReceipt(layout: ReceiptLayout, options: { qrCellSize?: number } = {}): Buffer {
  const printer: ThermalPrinterType = new ThermalPrinter({ type: PrinterTypes.EPSON, width: layout.columns, interface: '' });
  printer.add(ESC_INIT);
  printer.add(layout.language === 'zh' ? FS_CHINESE_ON : Buffer.concat([FS_CHINESE_OFF, ESC_CODE_PAGE_PC437]));
  for (const block of layout.blocks) {
    switch (block.kind) {
      case 'text': {
        if (block.align === 'center') printer.alignCenter();
        else if (block.align === 'right') printer.alignRight();
        else printer.alignLeft();
        if (block.bold) printer.bold(true);
        if (block.tall) printer.setTextDoubleHeight();
        printer.add(encodeText(`${block.text}\n`, layout.language));
        if (block.tall) printer.setTextNormal();
        if (block.bold) printer.bold(false);
        break;
      }
      case 'rule':
        printer.alignLeft();
        printer.add(Buffer.from(`${'-'.repeat(layout.columns)}\n`, 'latin1'));
        break;
      case 'qr':
        printer.alignCenter();
        printer.printQR(block.data, { cellSize: options.qrCellSize ?? qrCellSize(block.data, layout.columns), correction: 'M', model: 2 });
        printer.add(Buffer.from('\n'));
        printer.alignLeft();
        break;
      case 'feed':
        printer.add(Buffer.from([0x1b, 0x64, block.lines]));
        break;
      case 'cut':
        printer.add(Buffer.from([0x1d, 0x56, 0x00]));
        break;
    }
  }
  return Buffer.from(printer.getBuffer());
}
