/**
 * Serial readers (RS-232 / USB-serial IC and 125 kHz readers): `--reader serial:PATH` or
 * `serial-usb:VID:PID[:SERIAL]`, refined by `--reader-framing`, `--reader-delimiter` and `--reader-baud`.
 */
import { z } from 'zod';
import { choiceOption, defineModel, positiveIntegerOption } from '../../registry/hardware-model.ts';
import { lineFraming } from '../line-framing.ts';
import { parseSelector, type SerialPortSelector } from '../serial-port-locator.ts';
import { SerialCardReader } from '../serial-reader.ts';
import { stxEtxFraming } from '../stx-etx-framing.ts';

/** Line endings by name, as technicians know them from reader manuals (and from `memberkiosk drivers watch`). */
export const LINE_DELIMITERS = { crlf: '\r\n', cr: '\r', lf: '\n' } as const;
type LineDelimiterName = keyof typeof LINE_DELIMITERS;
const DELIMITER_NAMES = Object.keys(LINE_DELIMITERS) as LineDelimiterName[];
const FRAMINGS = ['lines', 'stx-etx'] as const;

const usbId = z.string().regex(/^[0-9a-fA-F]{4}$/, 'a USB id is 4 hex digits');
const USB_FORM = /^serial-usb:([0-9a-fA-F]{4}):([0-9a-fA-F]{4})(?::(.+))?$/;

const serialReaderSchema = z
  .object({
    kind: z.literal('serial'),
    /** A stable name: /dev/serial/by-id/... (or a plain /dev/ttyUSB0, which can change between boots). */
    path: z.string().min(1).optional(),
    /** Found by USB ids on every (re)connect, whatever tty it comes back as. */
    usb: z.object({ vendorId: usbId, productId: usbId, serialNumber: z.string().min(1).optional() }).optional(),
    baudRate: z.number().int().positive().default(9600),
    framing: z.enum(FRAMINGS).default('lines'),
    /** Only for 'lines' framing; default crlf. */
    delimiter: z.enum(DELIMITER_NAMES as [LineDelimiterName, ...LineDelimiterName[]]).optional(),
  })
  .refine((r) => (r.path === undefined) !== (r.usb === undefined), { message: 'a serial reader needs exactly one of path or usb' })
  .refine((r) => r.framing === 'lines' || r.delimiter === undefined, { message: 'delimiter applies to lines framing only' });

/** A port as typed after `--port` in the technician tools: a path, or usb:VID:PID[:SERIAL]. */
function portConfig(text: string): { kind: string } & Record<string, unknown> {
  const selector: SerialPortSelector = parseSelector(text);
  return 'path' in selector ? { kind: 'serial', path: selector.path } : { kind: 'serial', usb: { ...selector } };
}

export const serialReaderModel = defineModel({
  kind: 'serial',
  noun: 'serial readers',
  schema: serialReaderSchema,
  flags: {
    forms: [
      { usage: 'serial:/dev/serial/by-id/...', parse: (text) => (text.startsWith('serial:') && text.length > 'serial:'.length ? { kind: 'serial', path: text.slice('serial:'.length) } : undefined) },
      {
        usage: 'serial-usb:VID:PID[:SERIAL]',
        parse(text) {
          const usb = USB_FORM.exec(text);
          return usb ? { kind: 'serial', usb: { vendorId: usb[1]!, productId: usb[2]!, ...(usb[3] ? { serialNumber: usb[3] } : {}) } } : undefined;
        },
      },
    ],
    options: [
      choiceOption({ name: 'framing', value: 'F', field: 'framing', choices: FRAMINGS, help: 'serial readers: lines (default, one UID per line) | stx-etx (RDM6300-style 125 kHz)' }),
      choiceOption({ name: 'delimiter', value: 'D', field: 'delimiter', choices: DELIMITER_NAMES, help: 'serial readers with lines framing: crlf (default) | cr | lf' }),
      positiveIntegerOption({ name: 'baud', value: 'N', field: 'baudRate', help: 'serial readers: baud rate, default 9600' }),
    ],
    shortcuts: [{ name: 'port', value: 'PATH|usb:VID:PID', help: 'a serial reader on this port (the same as --reader serial:PATH or serial-usb:VID:PID)', parse: (text) => portConfig(text ?? '') }],
  },
  describe: (config) => `serial:${config.path ?? `usb:${config.usb?.vendorId}:${config.usb?.productId}${config.usb?.serialNumber ? `:${config.usb.serialNumber}` : ''}`}`,
  create(config, deps) {
    const port: SerialPortSelector = config.usb ? { ...config.usb } : { path: config.path ?? '' };
    return new SerialCardReader({
      logger: deps.logger,
      port,
      baudRate: config.baudRate,
      framing: config.framing === 'stx-etx' ? stxEtxFraming('xor') : lineFraming(LINE_DELIMITERS[config.delimiter ?? 'crlf']),
      ...(deps.serialPortFactory ? { portFactory: deps.serialPortFactory } : {}),
      ...(deps.listSerialPorts ? { listPorts: deps.listSerialPorts } : {}),
    });
  },
});
