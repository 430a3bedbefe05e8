/**
 * A drivers/printer ReceiptPrinter seen as the device's ReceiptSink. The driver already queues (print()
 * resolves once queued, a printer out of paper holds the job until paper is back); this adapter adds that a
 * driver error never reaches the member's session: the transaction is done and on screen whatever the paper
 * does, so a failed print is logged, and shows in the kiosk's state report through the driver's health.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ReceiptPrinter } from '../../drivers/printer/types.ts';
import type { PrinterHealth, Receipt, ReceiptSink } from '../ports.ts';

export class PrinterSink extends EventEmitter<{ health: [] }> implements ReceiptSink {
  readonly #printer: ReceiptPrinter;
  readonly #kind: string;
  readonly #log: Logger;
  readonly #onChange = (): void => {
    this.emit('health');
  };

  /** `kind` is the configured printer kind (tcp, serial, device, simulated), shown in the state report. */
  constructor(printer: ReceiptPrinter, kind: string, logger: Logger) {
    super();
    this.#printer = printer;
    this.#kind = kind;
    this.#log = logger;
  }

  /** The driver behind it. */
  get printer(): ReceiptPrinter {
    return this.#printer;
  }

  async start(): Promise<void> {
    this.#printer.on('status', this.#onChange);
    this.#printer.on('health', this.#onChange);
    this.#printer.on('job.printed', this.#onChange);
    await this.#printer.start();
  }

  async stop(): Promise<void> {
    await this.#printer.stop();
    this.#printer.off('status', this.#onChange);
    this.#printer.off('health', this.#onChange);
    this.#printer.off('job.printed', this.#onChange);
  }

  async print(receipt: Receipt): Promise<void> {
    try {
      const job = await this.#printer.print(receipt);
      this.#log.info({ txId: receipt.txId, jobId: job.jobId, queueDepth: job.queueDepth }, 'receipt queued for the printer');
    } catch (error) {
      this.#log.error({ code: 'RECEIPT_PRINT_FAILED', txId: receipt.txId, err: error instanceof Error ? error.message : String(error) }, 'receipt not queued');
    }
    this.emit('health');
  }

  health(): PrinterHealth {
    const health = this.#printer.health();
    const status = this.#printer.status();
    return {
      kind: this.#kind,
      connected: health.connected,
      ...(health.lastError ? { lastError: { ...health.lastError } } : {}),
      reconnects: health.reconnects,
      online: status.online,
      paperOut: status.paperOut,
      paperNearEnd: status.paperNearEnd,
      coverOpen: status.coverOpen,
      queueDepth: status.queueDepth,
    };
  }
}
