/**
 * How the receipt's QR code is drawn so it fits the paper and scans: the QR code's own encoding mode for the text
 * (alphanumeric for the signed receipt code, whose characters are all in that set: a smaller symbol) and the
 * module size in printer dots. The module size is chosen for the worst case — a printer that stores the text in
 * byte mode — so the symbol never runs off a 58 mm roll, and is as large as fits (up to 6 dots: bigger modules
 * scan better from thermal paper).
 */
import qrcode from 'qrcode-generator';

/** Printable dots across the roll at 203 dpi, less a margin for the quiet zone and the printer's own. */
const PRINTABLE_DOTS: Record<number, number> = { 32: 360, 48: 540 };
const MAX_CELL = 6;
const MIN_CELL = 2;

/** Every character in the QR code's alphanumeric set (digits, upper case, space and $%*+-./:). */
export function isQrAlphanumeric(text: string): boolean {
  return /^[0-9A-Z $%*+\-./:]*$/.test(text);
}

/** Modules a side of the symbol for `text` at error correction M, in the mode given. */
export function qrModuleCount(text: string, mode: 'Alphanumeric' | 'Byte'): number {
  const qr = qrcode(0, 'M');
  qr.addData(text, mode);
  qr.make();
  return qr.getModuleCount();
}

/** The module size in dots for a receipt `columns` wide (32: 58 mm, 48: 80 mm). */
export function qrCellSize(text: string, columns: number): number {
  const dots = PRINTABLE_DOTS[columns] ?? PRINTABLE_DOTS[32]!;
  const modules = qrModuleCount(text, 'Byte');
  return Math.max(MIN_CELL, Math.min(MAX_CELL, Math.floor(dots / modules)));
}
