/**
 * Hardware config → the drivers, adapted to the device's ports. Constructs only: no port is opened and no
 * socket connected until the device starts the card source and the receipt sink. The simulated kinds stay the
 * device's own SimulatedCardSource (which POST /api/sim/tap drives) and MemoryReceiptSink, so the demo
 * behaves as it always did.
 */
import type { Logger } from 'pino';
import type { Framing } from '../../drivers/card-reader/framing.ts';
import { lineFraming } from '../../drivers/card-reader/line-framing.ts';
import { PcscCardReader } from '../../drivers/card-reader/pcsc-reader.ts';
import { SerialCardReader } from '../../drivers/card-reader/serial-reader.ts';
import { parseSelector, type SerialPortSelector } from '../../drivers/card-reader/serial-port-locator.ts';
import { stxEtxFraming } from '../../drivers/card-reader/stx-etx-framing.ts';
import { DevicePathPrinterTransport } from '../../drivers/printer/device-path-transport.ts';
import { EscposReceiptPrinter } from '../../drivers/printer/escpos-printer.ts';
import type { PrinterTransport } from '../../drivers/printer/printer-transport.ts';
import { SerialPrinterTransport } from '../../drivers/printer/serial-transport.ts';
import { TcpPrinterTransport } from '../../drivers/printer/tcp-transport.ts';
import type { CardSource, ReceiptSink } from '../ports.ts';
import { MemoryReceiptSink } from '../sim/memory-receipt-sink.ts';
import { SimulatedCardSource } from '../sim/simulated-card-source.ts';
import { CardReaderSource } from './card-reader-source.ts';
import { LINE_DELIMITERS, type HardwareConfig, type PrinterConfig, type ReaderConfig } from './hardware-config.ts';
import { PrinterSink } from './printer-sink.ts';

export interface Hardware {
  cardSource: CardSource;
  receiptSink: ReceiptSink;
}

export function buildHardware(config: Pick<HardwareConfig, 'reader' | 'printer'>, logger: Logger): Hardware {
  return { cardSource: buildCardSource(config.reader, logger), receiptSink: buildReceiptSink(config.printer, logger) };
}

export function buildCardSource(reader: ReaderConfig, logger: Logger): CardSource {
  switch (reader.kind) {
    case 'simulated':
      return new SimulatedCardSource();
    case 'serial': {
      const port: SerialPortSelector = reader.usb ? { ...reader.usb } : { path: reader.path ?? '' };
      const framing: Framing = reader.framing === 'stx-etx' ? stxEtxFraming('xor') : lineFraming(LINE_DELIMITERS[reader.delimiter ?? 'crlf']);
      return new CardReaderSource(new SerialCardReader({ logger, port, baudRate: reader.baudRate, framing }), 'serial');
    }
    case 'pcsc': {
      const wanted = reader.readerName;
      const driver = new PcscCardReader({
        logger,
        ...(wanted ? { acceptReader: (name: string) => name.includes(wanted) } : {}),
        ...(reader.memberNumberBlock ? { memberNumber: { ...reader.memberNumberBlock } } : {}),
      });
      return new CardReaderSource(driver, 'pcsc');
    }
  }
}

export function buildReceiptSink(printer: PrinterConfig, logger: Logger): ReceiptSink {
  if (printer.kind === 'simulated') return new MemoryReceiptSink();
  return new PrinterSink(new EscposReceiptPrinter({ logger, transport: printerTransport(printer) }), printer.kind, logger);
}

function printerTransport(printer: Exclude<PrinterConfig, { kind: 'simulated' }>): PrinterTransport {
  switch (printer.kind) {
    case 'tcp':
      return new TcpPrinterTransport({ host: printer.host, port: printer.port });
    case 'serial':
      return new SerialPrinterTransport({ port: parseSelector(printer.path), baudRate: printer.baudRate });
    case 'device':
      return new DevicePathPrinterTransport({ path: printer.path });
  }
}
