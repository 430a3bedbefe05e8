/**
 * What a kiosk flow prints (`print` node → kiosk.print): a small note — a title, lines, and a QR code when asked
 * (a coupon code, a link) — described as the drivers' Receipt with a `note` (drivers/printer/note-layout.ts), so it
 * goes through the same printer, paper checks and print window as receipts.
 *
 * Checked before anything reaches the printer: at most 40 lines of at most 64 characters, a title of at most 64,
 * a QR code of at most 200, and no control characters anywhere — a flow's text is printed as text, never as
 * printer commands (ESC/POS takes its commands inline, in the same byte stream).
 */
import { z } from 'zod';
import type { ReceiptContext } from '../receipt/build-receipt.ts';
import type { Receipt } from '../ports.ts';

const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;
const printable = (max: number) => z.string().max(max).regex(NO_CONTROL, 'no control characters (a line is printed as text)');

export const printParamsSchema = z
  .object({
    title: printable(64).trim().min(1).optional(),
    lines: z.array(printable(64)).max(40),
    qr: printable(200).trim().min(1).optional(),
  })
  .strict()
  .refine((p) => p.title !== undefined || p.lines.length > 0 || p.qr !== undefined, 'nothing to print: give a title, lines or a QR code');
export type CheckedPrintParams = z.infer<typeof printParamsSchema>;

/** Where and how this kiosk prints (the receipt context's): the store at the top, the paper, the language. */
export type NoticeContext = Pick<ReceiptContext, 'store' | 'deviceId' | 'paperWidthMm' | 'language' | 'storeProfile'>;

/** `id`: the note's own id (the print queue and the printer's log name it); `at`: the time printed (ISO). */
export function buildNoticeReceipt(params: CheckedPrintParams, context: NoticeContext, id: string, at: string): Receipt {
  return {
    header: [],
    footer: [],
    store: context.store,
    ...(context.storeProfile ? { storeProfile: context.storeProfile } : {}),
    deviceId: context.deviceId,
    txId: id,
    at,
    cardNumberMasked: '',
    lines: [],
    payments: [],
    ruleTrace: [],
    paperWidthMm: context.paperWidthMm,
    language: context.language,
    ...(params.qr !== undefined ? { qr: params.qr } : {}),
    note: { ...(params.title !== undefined ? { title: params.title } : {}), lines: params.lines },
  };
}
