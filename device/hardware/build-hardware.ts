/**
 * Hardware config → the drivers, adapted to the device's ports. The driver registry (drivers/registry/)
 * checks each section and constructs its driver, whatever the model — the simulated pair of the demo
 * included; this file only adapts them: a CardReader becomes the CardSource the session attaches to, a
 * ReceiptPrinter the ReceiptSink receipts go to. Constructs only: no port is opened and no socket connected
 * until the device starts the card source and the receipt sink.
 */
import type { Logger } from 'pino';
import { SimulatedPrinter } from '../../drivers/printer/simulated-printer.ts';
import { hardwareRegistries, type DriverDeps, type HardwareRegistries, type ModelConfig, type ModelConfigInput } from '../../drivers/registry/index.ts';
import type { SimulatedTaps } from '../ports.ts';
import { CardReaderSource, simulatedTaps } from './card-reader-source.ts';
import { PrinterSink } from './printer-sink.ts';

export interface Hardware {
  cardSource: CardReaderSource;
  receiptSink: PrinterSink;
  /** The hand that taps the simulated reader (the demo's "simulate tap", POST /api/sim/tap); null with a real reader. */
  simulatedCards: SimulatedTaps | null;
  /** The simulated printer when it is the one configured: what it printed, its paper and power for tests. */
  simulatedPrinter: SimulatedPrinter | null;
}

export interface BuildHardwareOptions {
  /** Which models exist; the driver registry's by default. */
  registries?: HardwareRegistries;
  /** Transports to inject into the drivers (tests, technician tools); the real ones when absent. */
  deps?: Omit<DriverDeps, 'logger'>;
  /** How long a receipt may take to print before it is withdrawn (printer-sink.ts); default 10 s. */
  printWindowMs?: number;
}

type SectionConfig = ModelConfig | ModelConfigInput;

export function buildHardware(config: { reader: SectionConfig; printer: SectionConfig }, logger: Logger, options: BuildHardwareOptions = {}): Hardware {
  const cardSource = buildCardSource(config.reader, logger, options);
  const receiptSink = buildReceiptSink(config.printer, logger, options);
  const printer = receiptSink.printer;
  return { cardSource, receiptSink, simulatedCards: simulatedTaps(cardSource), simulatedPrinter: printer instanceof SimulatedPrinter ? printer : null };
}

export function buildCardSource(reader: SectionConfig, logger: Logger, options: BuildHardwareOptions = {}): CardReaderSource {
  const readers = (options.registries ?? hardwareRegistries).readers;
  const checked = readers.parseConfig(reader);
  return new CardReaderSource(readers.create(checked, { ...options.deps, logger }), checked.kind);
}

export function buildReceiptSink(printer: SectionConfig, logger: Logger, options: BuildHardwareOptions = {}): PrinterSink {
  const printers = (options.registries ?? hardwareRegistries).printers;
  const checked = printers.parseConfig(printer);
  return new PrinterSink(printers.create(checked, { ...options.deps, logger }), checked.kind, logger, options.printWindowMs !== undefined ? { printWindowMs: options.printWindowMs } : {});
}

/** The configured reader and printer as a technician reads them: model (kind) and where (the registry's words). */
export function describeHardware(
  config: { reader: SectionConfig; printer: SectionConfig; paperWidthMm: number },
  registries: HardwareRegistries = hardwareRegistries,
): { reader: { model: string; port: string }; printer: { model: string; port: string; paperWidthMm: number } } {
  const reader = registries.readers.parseConfig(config.reader);
  const printer = registries.printers.parseConfig(config.printer);
  return {
    reader: { model: reader.kind, port: registries.readers.describe(reader) },
    printer: { model: printer.kind, port: registries.printers.describe(printer), paperWidthMm: config.paperWidthMm },
  };
}
