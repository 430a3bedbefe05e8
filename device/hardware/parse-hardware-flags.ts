/**
 * The `memberkiosk device` hardware flags → the device config's `hardware` section. Short forms a technician
 * can type at a kiosk (`--reader serial:/dev/serial/by-id/...`, `--printer tcp:192.168.1.50:9100`); anything
 * finer (member number blocks, baud rates) goes in a config file. Errors name the flag and the accepted forms.
 */
import { LINE_DELIMITERS, type HardwareConfigInput } from './hardware-config.ts';

export interface HardwareFlags {
  reader?: string | undefined;
  readerFraming?: string | undefined;
  readerDelimiter?: string | undefined;
  printer?: string | undefined;
  paper?: string | undefined;
  language?: string | undefined;
}

export class HardwareFlagError extends Error {}

const READER_FORMS = 'simulated | pcsc[:NAME] | serial:/dev/serial/by-id/... | serial-usb:VID:PID[:SERIAL]';
const PRINTER_FORMS = 'simulated | tcp:HOST[:PORT] | serial:PATH|usb:VID:PID | device:/dev/usb/lp0';

export function parseHardwareFlags(flags: HardwareFlags): HardwareConfigInput {
  const hardware: HardwareConfigInput = {};
  if (flags.reader !== undefined) hardware.reader = parseReader(flags.reader, flags.readerFraming, flags.readerDelimiter);
  else if (flags.readerFraming !== undefined || flags.readerDelimiter !== undefined) {
    throw new HardwareFlagError('--reader-framing and --reader-delimiter need --reader serial:... or serial-usb:...');
  }
  if (flags.printer !== undefined) hardware.printer = parsePrinter(flags.printer);
  if (flags.paper !== undefined) {
    if (flags.paper !== '58' && flags.paper !== '80') throw new HardwareFlagError(`--paper is 58 or 80, not '${flags.paper}'`);
    hardware.paperWidthMm = flags.paper === '58' ? 58 : 80;
  }
  if (flags.language !== undefined) {
    if (flags.language !== 'zh' && flags.language !== 'en') throw new HardwareFlagError(`--language is zh or en, not '${flags.language}'`);
    hardware.language = flags.language;
  }
  return hardware;
}

function parseReader(text: string, framingText: string | undefined, delimiterText: string | undefined): NonNullable<HardwareConfigInput['reader']> {
  const serialOnly = framingText !== undefined || delimiterText !== undefined;
  if (text === 'simulated' || text === 'pcsc' || text.startsWith('pcsc:')) {
    if (serialOnly) throw new HardwareFlagError('--reader-framing and --reader-delimiter apply to serial readers only');
    if (text === 'simulated') return { kind: 'simulated' };
    const name = text.slice('pcsc:'.length);
    return text === 'pcsc' || name === '' ? { kind: 'pcsc' } : { kind: 'pcsc', readerName: name };
  }
  if (framingText !== undefined && framingText !== 'lines' && framingText !== 'stx-etx') {
    throw new HardwareFlagError(`--reader-framing is lines or stx-etx, not '${framingText}'`);
  }
  if (delimiterText !== undefined && !(delimiterText in LINE_DELIMITERS)) {
    throw new HardwareFlagError(`--reader-delimiter is crlf, cr or lf, not '${delimiterText}'`);
  }
  const framing = { ...(framingText ? { framing: framingText as 'lines' | 'stx-etx' } : {}), ...(delimiterText ? { delimiter: delimiterText as keyof typeof LINE_DELIMITERS } : {}) };
  if (text.startsWith('serial:') && text.length > 'serial:'.length) return { kind: 'serial', path: text.slice('serial:'.length), ...framing };
  const usb = /^serial-usb:([0-9a-fA-F]{4}):([0-9a-fA-F]{4})(?::(.+))?$/.exec(text);
  if (usb) return { kind: 'serial', usb: { vendorId: usb[1]!, productId: usb[2]!, ...(usb[3] ? { serialNumber: usb[3] } : {}) }, ...framing };
  throw new HardwareFlagError(`--reader '${text}' is not one of: ${READER_FORMS}`);
}

function parsePrinter(text: string): NonNullable<HardwareConfigInput['printer']> {
  if (text === 'simulated') return { kind: 'simulated' };
  const tcp = /^tcp:([^:]+|\[[^\]]+\])(?::(\d{1,5}))?$/.exec(text);
  if (tcp) {
    const host = tcp[1]!.replace(/^\[(.*)\]$/, '$1');
    return tcp[2] ? { kind: 'tcp', host, port: Number(tcp[2]) } : { kind: 'tcp', host };
  }
  if (text.startsWith('serial:') && text.length > 'serial:'.length) return { kind: 'serial', path: text.slice('serial:'.length) };
  if (text.startsWith('device:') && text.length > 'device:'.length) return { kind: 'device', path: text.slice('device:'.length) };
  throw new HardwareFlagError(`--printer '${text}' is not one of: ${PRINTER_FORMS}`);
}
