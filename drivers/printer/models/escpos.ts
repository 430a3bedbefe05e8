import type { DriverDeps } from '../../registry/hardware-model.ts';
import { EscposReceiptPrinter } from '../escpos-printer.ts';
import type { PrinterTransport } from '../printer-transport.ts';

/** An ESC/POS printer over `transport`, as every ESC/POS model builds it. */
export function escposPrinter(transport: PrinterTransport, deps: DriverDeps): EscposReceiptPrinter {
  return new EscposReceiptPrinter({ logger: deps.logger, transport, ...(deps.statusTimeoutMs ? { statusTimeoutMs: deps.statusTimeoutMs } : {}) });
}
