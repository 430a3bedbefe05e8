/** ESC/POS printers on a serial port: `--printer serial:PATH` or `serial:usb:VID:PID[:SERIAL]`, `--printer-baud N`. */
import { z } from 'zod';
import { parseSelector } from '../../card-reader/serial-port-locator.ts';
import { defineModel, positiveIntegerOption } from '../../registry/hardware-model.ts';
import { SerialPrinterTransport } from '../serial-transport.ts';
import { escposPrinter } from './escpos.ts';

export const serialPrinterModel = defineModel({
  kind: 'serial',
  noun: 'serial printers',
  /** path: /dev/serial/by-id/..., /dev/ttyS0, or usb:VID:PID[:SERIAL]. */
  schema: z.object({ kind: z.literal('serial'), path: z.string().min(1), baudRate: z.number().int().positive().default(19_200) }),
  flags: {
    forms: [{ usage: 'serial:PATH|usb:VID:PID', parse: (text) => (text.startsWith('serial:') && text.length > 'serial:'.length ? { kind: 'serial', path: text.slice('serial:'.length) } : undefined) }],
    options: [positiveIntegerOption({ name: 'baud', value: 'N', field: 'baudRate', help: 'serial printers: baud rate, default 19200' })],
    shortcuts: [{ name: 'serial', value: 'PATH|usb:VID:PID', help: 'a serial printer (the same as --printer serial:PATH)', parse: (text) => ({ kind: 'serial', path: text ?? '' }) }],
  },
  describe: (config) => `serial:${config.path}`,
  create(config, deps) {
    const transport = new SerialPrinterTransport({
      port: parseSelector(config.path),
      baudRate: config.baudRate,
      ...(deps.serialPortFactory ? { portFactory: deps.serialPortFactory } : {}),
      ...(deps.listSerialPorts ? { listPorts: deps.listSerialPorts } : {}),
    });
    return escposPrinter(transport, deps);
  },
});
