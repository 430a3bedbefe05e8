/**
 * The driver registry: the built-in models' schemas, their flags on both surfaces (the kiosk's
 * `memberkiosk device` and the technician tools' `memberkiosk drivers`, whose flags from before the registry
 * keep working), the drivers it builds, and what it refuses to register.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PcscCardReader } from '../card-reader/pcsc-reader.ts';
import { SerialCardReader } from '../card-reader/serial-reader.ts';
import { SimulatedCardReader } from '../card-reader/simulated-reader.ts';
import type { CardReader } from '../card-reader/types.ts';
import { EscposReceiptPrinter } from '../printer/escpos-printer.ts';
import { SimulatedPrinter } from '../printer/simulated-printer.ts';
import { sampleReceipt } from '../testing/sample-receipt.ts';
import { testLogger } from '../testing/test-logger.ts';
import {
  cardReaders,
  defineModel,
  FlagError,
  hardwareConfigSchema,
  hardwareRegistries,
  ModelRegistry,
  readHardwareFlags,
  readRegistryFlags,
  receiptPrinters,
  registryFlagSpecs,
  type FlagValues,
} from './index.ts';

const technicianReader = (values: FlagValues) => cardReaders.parseConfig(readRegistryFlags(cardReaders, values, 'technician'));
const technicianPrinter = (values: FlagValues) => receiptPrinters.parseConfig(readRegistryFlags(receiptPrinters, values, 'technician'));

describe('the driver registry', () => {
  it('knows the built-in models, in the order help lists them', () => {
    expect(cardReaders.kinds()).toEqual(['simulated', 'pcsc', 'serial']);
    expect(receiptPrinters.kinds()).toEqual(['simulated', 'tcp', 'serial', 'device']);
  });

  it('checks each section with its model\'s schema, filling in defaults, and names the field that is wrong', () => {
    expect(hardwareConfigSchema.parse({})).toEqual({ reader: { kind: 'simulated' }, printer: { kind: 'simulated' }, paperWidthMm: 58, language: 'zh' });
    expect(hardwareConfigSchema.parse({ reader: { kind: 'serial', usb: { vendorId: '1a86', productId: '7523' } }, printer: { kind: 'serial', path: '/dev/ttyS0' } })).toMatchObject({
      reader: { kind: 'serial', baudRate: 9600, framing: 'lines' },
      printer: { kind: 'serial', path: '/dev/ttyS0', baudRate: 19_200 },
    });
    const issues = (input: unknown) => hardwareConfigSchema.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ reader: { kind: 'serial' } })).toEqual(['reader: a serial reader needs exactly one of path or usb']);
    expect(issues({ reader: { kind: 'serial', path: '/dev/x', framing: 'stx-etx', delimiter: 'cr' } })).toEqual(['reader: delimiter applies to lines framing only']);
    expect(issues({ printer: { kind: 'tcp', host: 'p', port: 0 } })?.[0]).toMatch(/^printer\.port: /);
    expect(issues({ printer: { kind: 'lp' } })?.[0]).toBe("printer.kind: unknown printer kind 'lp' (known: simulated, tcp, serial, device)");
  });

  it('reads the kiosk flags: forms of --reader/--printer, their options prefixed, --paper and --language', () => {
    const read = (values: FlagValues) => hardwareConfigSchema.parse(readHardwareFlags(hardwareRegistries, values));
    expect(read({ reader: 'serial:/dev/ttyUSB0', 'reader-framing': 'stx-etx', 'reader-baud': '115200' }).reader).toEqual({ kind: 'serial', path: '/dev/ttyUSB0', baudRate: 115_200, framing: 'stx-etx' });
    expect(read({ printer: 'tcp:[fe80::1]:9101' }).printer).toEqual({ kind: 'tcp', host: 'fe80::1', port: 9101 });
    expect(read({ printer: 'serial:usb:0416:5011', 'printer-baud': '9600' }).printer).toEqual({ kind: 'serial', path: 'usb:0416:5011', baudRate: 9600 });
    expect(() => read({ 'printer-baud': 'fast', printer: 'serial:/dev/ttyS0' })).toThrow("--printer-baud is a positive whole number, not 'fast'");
    expect(() => read({ 'reader-framing': 'lines', 'reader-delimiter': 'cr' })).toThrow(
      '--reader-framing and --reader-delimiter (serial readers only): need --reader serial:/dev/serial/by-id/... or --reader serial-usb:VID:PID[:SERIAL]',
    );
    // Shortcuts are the technician tools' only.
    expect(readRegistryFlags(cardReaders, { port: '/dev/ttyUSB0' }, 'kiosk')).toBeUndefined();
  });

  it('reads the technician flags `memberkiosk drivers` took before the registry, and the registry forms beside them', () => {
    expect(technicianReader({ port: '/dev/ttyUSB0', framing: 'stx-etx', baud: '19200' })).toEqual({ kind: 'serial', path: '/dev/ttyUSB0', baudRate: 19_200, framing: 'stx-etx' });
    expect(technicianReader({ port: 'usb:1a86:7523:A1', delimiter: 'lf' })).toEqual({ kind: 'serial', usb: { vendorId: '1a86', productId: '7523', serialNumber: 'A1' }, baudRate: 9600, framing: 'lines', delimiter: 'lf' });
    expect(technicianReader({ pcsc: true })).toEqual({ kind: 'pcsc' });
    // `--pcsc --reader NAME` is that reader exactly, as `drivers watch` always matched it; `--reader pcsc:NAME` a part of the name.
    expect(technicianReader({ pcsc: true, reader: 'ACS ACR122U PICC Interface 00 00' })).toEqual({ kind: 'pcsc', readerName: 'ACS ACR122U PICC Interface 00 00', exactName: true });
    expect(technicianReader({ reader: 'pcsc:ACR122U' })).toEqual({ kind: 'pcsc', readerName: 'ACR122U' });
    expect(technicianReader({ pcsc: false, reader: 'simulated' })).toEqual({ kind: 'simulated' });
    expect(technicianPrinter({ tcp: '192.168.1.50' })).toEqual({ kind: 'tcp', host: '192.168.1.50', port: 9100 });
    expect(technicianPrinter({ tcp: '192.168.1.50:9101' })).toEqual({ kind: 'tcp', host: '192.168.1.50', port: 9101 });
    expect(technicianPrinter({ serial: 'usb:0416:5011', baud: '38400' })).toEqual({ kind: 'serial', path: 'usb:0416:5011', baudRate: 38_400 });
    expect(technicianPrinter({ device: '/dev/usb/lp0' })).toEqual({ kind: 'device', path: '/dev/usb/lp0' });
    expect(technicianPrinter({ printer: 'device:/dev/usb/lp1' })).toEqual({ kind: 'device', path: '/dev/usb/lp1' });
    expect(readRegistryFlags(cardReaders, {}, 'technician')).toBeUndefined();

    const refused = (values: FlagValues) => () => readRegistryFlags(cardReaders, values, 'technician');
    expect(refused({ pcsc: true, port: '/dev/ttyUSB0' })).toThrow(new FlagError('--pcsc and --port each name a card reader: give one'));
    expect(refused({ port: '/dev/ttyUSB0', reader: 'pcsc' })).toThrow('--reader and --port each name a card reader: give one');
    expect(refused({ pcsc: true, framing: 'lines' })).toThrow('--framing applies to serial readers only');
    expect(refused({ framing: 'lines' })).toThrow('--framing (serial readers only): need --reader serial:/dev/serial/by-id/... or --reader serial-usb:VID:PID[:SERIAL] or --port PATH|usb:VID:PID');
    expect(() => readRegistryFlags(receiptPrinters, { tcp: ':' }, 'technician')).toThrow("--tcp is HOST or HOST:PORT, not ':'");
  });

  it('derives each surface\'s flags and help from the models', () => {
    const names = (registry: ModelRegistry<unknown>, surface: 'kiosk' | 'technician') => registryFlagSpecs(registry, surface).map((s) => s.name);
    expect(names(cardReaders, 'kiosk')).toEqual(['reader', 'reader-framing', 'reader-delimiter', 'reader-baud']);
    expect(names(cardReaders, 'technician')).toEqual(['reader', 'framing', 'delimiter', 'baud', 'pcsc', 'port']);
    expect(names(receiptPrinters, 'technician')).toEqual(['printer', 'baud', 'tcp', 'serial', 'device']);
    expect(registryFlagSpecs(receiptPrinters, 'kiosk')[0]?.help).toBe('simulated (default) | tcp:HOST[:PORT] (9100) | serial:PATH|usb:VID:PID | device:/dev/usb/lp0');
  });

  it('builds each model\'s driver from its config (constructors only) and says where it is', () => {
    const logger = testLogger();
    const reader = (config: Parameters<typeof cardReaders.create>[0]): CardReader => cardReaders.create(config, { logger });
    expect(reader({ kind: 'simulated' })).toBeInstanceOf(SimulatedCardReader);
    expect(reader({ kind: 'serial', path: '/dev/ttyUSB0', framing: 'stx-etx' })).toBeInstanceOf(SerialCardReader);
    expect(reader({ kind: 'pcsc', readerName: 'ACR122U' })).toBeInstanceOf(PcscCardReader);
    for (const config of [{ kind: 'tcp', host: '127.0.0.1' }, { kind: 'serial', path: 'usb:0416:5011' }, { kind: 'device', path: '/dev/usb/lp0' }]) {
      expect(receiptPrinters.create(config, { logger })).toBeInstanceOf(EscposReceiptPrinter);
    }
    expect(receiptPrinters.describe({ kind: 'tcp', host: '10.0.0.9' })).toBe('tcp://10.0.0.9:9100');
    expect(cardReaders.describe({ kind: 'serial', usb: { vendorId: '1a86', productId: '7523' } })).toBe('serial:usb:1a86:7523');
    expect(() => cardReaders.create({ kind: 'serial' }, { logger })).toThrow(/exactly one of path or usb/);
  });

  it('builds the simulated printer keeping only the newest receipts, so a demo running for days does not grow', async () => {
    const printer = receiptPrinters.create({ kind: 'simulated' }, { logger: testLogger() });
    expect(printer).toBeInstanceOf(SimulatedPrinter);
    await printer.start();
    for (let i = 0; i < 25; i += 1) await printer.print(sampleReceipt({ language: 'en', paperWidthMm: 58, txId: `TX-${i}` }));
    const printed = (printer as SimulatedPrinter).printed.map((p) => p.receipt.txId);
    expect(printed).toHaveLength(20);
    expect(printed.at(-1)).toBe('TX-24');
    await printer.stop();
  });

  it('registers a model once, refuses a flag another model holds, and unregisters it', () => {
    const registry = new ModelRegistry<CardReader>({ flag: 'reader', noun: 'card reader', defaultKind: 'simulated' });
    const model = (kind: string, flags: Parameters<typeof defineModel>[0]['flags']) =>
      defineModel({ kind, noun: `${kind} readers`, schema: z.object({ kind: z.literal(kind) }), flags, describe: () => kind, create: (_c, { logger }) => new SimulatedCardReader({ logger }) });
    const remove = registry.register(model('a', { forms: [], options: [{ name: 'speed', value: 'S', help: '', parse: () => ({}) }] }));
    expect(() => registry.register(model('a', { forms: [] }))).toThrow("card reader kind 'a' is already registered");
    expect(() => registry.register(model('b', { forms: [], shortcuts: [{ name: 'speed', help: '', parse: () => ({ kind: 'b' }) }] }))).toThrow('flag --speed is taken');
    expect(() => registry.register(model('c', { forms: [], options: [{ name: 'reader', value: 'R', help: '', parse: () => ({}) }] }))).toThrow('flag --reader is taken');
    // Two models may share an option name: it refines whichever is chosen.
    registry.register(model('d', { forms: [], options: [{ name: 'speed', value: 'S', help: '', parse: () => ({}) }] }));
    expect(registry.kinds()).toEqual(['a', 'd']);
    remove();
    expect(registry.kinds()).toEqual(['d']);
    expect(registry.configSchema().safeParse({ kind: 'a' }).success).toBe(false);
  });
});
