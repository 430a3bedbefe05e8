/**
 * Which card reader and receipt printer this kiosk drives, as part of the device config. Every kind is plain
 * data so it can come from a file, the command line or a test alike; device/hardware/build-hardware.ts turns
 * it into drivers. The default is the simulated pair, so the demo and `npm start` need no hardware.
 */
import { z } from 'zod';

const usbId = z.string().regex(/^[0-9a-fA-F]{4}$/, 'a USB id is 4 hex digits');

/** Line endings by name, as technicians know them from reader manuals (and from `memberkiosk drivers watch`). */
export const LINE_DELIMITERS = { crlf: '\r\n', cr: '\r', lf: '\n' } as const;

const serialReaderSchema = z
  .object({
    kind: z.literal('serial'),
    /** A stable name: /dev/serial/by-id/... (or a plain /dev/ttyUSB0, which can change between boots). */
    path: z.string().min(1).optional(),
    /** Found by USB ids on every (re)connect, whatever tty it comes back as. */
    usb: z.object({ vendorId: usbId, productId: usbId, serialNumber: z.string().min(1).optional() }).optional(),
    baudRate: z.number().int().positive().default(9600),
    framing: z.enum(['lines', 'stx-etx']).default('lines'),
    /** Only for 'lines' framing; default crlf. */
    delimiter: z.enum(['crlf', 'cr', 'lf']).optional(),
  })
  .refine((r) => (r.path === undefined) !== (r.usb === undefined), { message: 'a serial reader needs exactly one of path or usb' })
  .refine((r) => r.framing === 'lines' || r.delimiter === undefined, { message: 'delimiter applies to lines framing only' });

export const readerConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('simulated') }),
  serialReaderSchema,
  z.object({
    kind: z.literal('pcsc'),
    /** Use only readers whose PC/SC name contains this (e.g. "ACR122U"); all readers when absent. */
    readerName: z.string().min(1).optional(),
    /** Read a member number from the tag's memory as well as its UID. */
    memberNumberBlock: z
      .object({ block: z.number().int().nonnegative(), length: z.number().int().positive().max(64), blockSize: z.union([z.literal(4), z.literal(16)]).optional() })
      .optional(),
  }),
]);

export const printerConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('simulated') }),
  z.object({ kind: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(9100) }),
  /** path: /dev/serial/by-id/..., /dev/ttyS0, or usb:VID:PID[:SERIAL]. */
  z.object({ kind: z.literal('serial'), path: z.string().min(1), baudRate: z.number().int().positive().default(19_200) }),
  /** A USB printer-class node such as /dev/usb/lp0: write-only, no paper status. */
  z.object({ kind: z.literal('device'), path: z.string().min(1) }),
]);

export const hardwareConfigSchema = z.object({
  reader: readerConfigSchema.default({ kind: 'simulated' }),
  printer: printerConfigSchema.default({ kind: 'simulated' }),
  /** 58 mm: 32 columns, 80 mm: 48. */
  paperWidthMm: z.union([z.literal(58), z.literal(80)]).default(58),
  language: z.enum(['zh', 'en']).default('en'),
});

export type ReaderConfig = z.output<typeof readerConfigSchema>;
export type PrinterConfig = z.output<typeof printerConfigSchema>;
export type HardwareConfigInput = z.input<typeof hardwareConfigSchema>;
export type HardwareConfig = z.output<typeof hardwareConfigSchema>;
