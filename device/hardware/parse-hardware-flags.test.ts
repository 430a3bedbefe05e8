import { describe, expect, it } from 'vitest';
import { hardwareConfigSchema } from './hardware-config.ts';
import { parseHardwareFlags } from './parse-hardware-flags.ts';

describe('hardware flags of `memberkiosk device`', () => {
  it('leaves everything simulated when no flag is given', () => {
    expect(hardwareConfigSchema.parse(parseHardwareFlags({}))).toEqual({ reader: { kind: 'simulated' }, printer: { kind: 'simulated' }, paperWidthMm: 58, language: 'zh' });
  });

  it('reads every reader and printer form into a config the schema accepts', () => {
    const cases: [Parameters<typeof parseHardwareFlags>[0], object][] = [
      [{ reader: 'serial:/dev/serial/by-id/usb-1a86-port0', readerFraming: 'stx-etx' }, { reader: { kind: 'serial', path: '/dev/serial/by-id/usb-1a86-port0', framing: 'stx-etx', baudRate: 9600 } }],
      [{ reader: 'serial-usb:1a86:7523', readerDelimiter: 'cr' }, { reader: { kind: 'serial', usb: { vendorId: '1a86', productId: '7523' }, framing: 'lines', delimiter: 'cr' } }],
      [{ reader: 'serial-usb:1a86:7523:A1' }, { reader: { kind: 'serial', usb: { vendorId: '1a86', productId: '7523', serialNumber: 'A1' } } }],
      [{ reader: 'pcsc' }, { reader: { kind: 'pcsc' } }],
      [{ reader: 'pcsc:ACR122U' }, { reader: { kind: 'pcsc', readerName: 'ACR122U' } }],
      [{ printer: 'tcp:192.168.1.50' }, { printer: { kind: 'tcp', host: '192.168.1.50', port: 9100 } }],
      [{ printer: 'tcp:printer.local:9101' }, { printer: { kind: 'tcp', host: 'printer.local', port: 9101 } }],
      [{ printer: 'serial:usb:0416:5011' }, { printer: { kind: 'serial', path: 'usb:0416:5011', baudRate: 19_200 } }],
      [{ printer: 'device:/dev/usb/lp0' }, { printer: { kind: 'device', path: '/dev/usb/lp0' } }],
      [{ paper: '80', language: 'zh' }, { paperWidthMm: 80, language: 'zh' }],
    ];
    for (const [flags, expected] of cases) expect(hardwareConfigSchema.parse(parseHardwareFlags(flags))).toMatchObject(expected);
  });

  it('refuses what it cannot read, naming the flag', () => {
    expect(() => parseHardwareFlags({ reader: 'usb' })).toThrow(/--reader 'usb' is not one of/);
    expect(() => parseHardwareFlags({ reader: 'serial:' })).toThrow(/--reader/);
    expect(() => parseHardwareFlags({ reader: 'pcsc', readerFraming: 'lines' })).toThrow(/serial readers only/);
    expect(() => parseHardwareFlags({ readerFraming: 'lines' })).toThrow(/need --reader/);
    expect(() => parseHardwareFlags({ reader: 'serial:/dev/ttyUSB0', readerFraming: 'wiegand' })).toThrow(/--reader-framing/);
    expect(() => parseHardwareFlags({ printer: 'lp0' })).toThrow(/--printer 'lp0'/);
    expect(() => parseHardwareFlags({ paper: '76' })).toThrow(/--paper/);
    expect(() => parseHardwareFlags({ language: 'fr' })).toThrow(/--language/);
  });
});
