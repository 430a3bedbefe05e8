/** USB printer-class device nodes (`--printer device:/dev/usb/lp0`): write-only, no paper status. */
import { z } from 'zod';
import { defineModel } from '../../registry/hardware-model.ts';
import { DevicePathPrinterTransport } from '../device-path-transport.ts';
import { escposPrinter } from './escpos.ts';

export const devicePathPrinterModel = defineModel({
  kind: 'device',
  noun: 'device-path printers',
  schema: z.object({ kind: z.literal('device'), path: z.string().min(1) }),
  flags: {
    forms: [{ usage: 'device:/dev/usb/lp0', parse: (text) => (text.startsWith('device:') && text.length > 'device:'.length ? { kind: 'device', path: text.slice('device:'.length) } : undefined) }],
    shortcuts: [{ name: 'device', value: 'PATH', help: 'a USB printer-class device node (the same as --printer device:PATH)', parse: (text) => ({ kind: 'device', path: text ?? '' }) }],
  },
  describe: (config) => config.path,
  create: (config, deps) => escposPrinter(new DevicePathPrinterTransport({ path: config.path }), deps),
});
