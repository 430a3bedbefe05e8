/**
 * A drivers/printer ReceiptPrinter seen as the device's ReceiptSink, with the kiosk's print policy: a receipt is
 * printed now or not at all. The driver queues and would hold a job until paper is back, which prints the receipt
 * later for whoever stands at the kiosk then; so this sink queues a receipt only when the printer can print it
 * now (online, paper, cover closed), waits at most the print window (10 s by default) for it to come out, and
 * otherwise withdraws it from the driver's queue (ReceiptPrinter.cancel) and answers 'not_printed' with why. The
 * transaction is unaffected (the ledger has it); a staff member can reprint it on purpose (device/app).
 * A driver error never reaches the member's session: it becomes a 'not_printed' outcome, and shows in the
 * kiosk's state report through the driver's health.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { ReceiptPrinter } from '../../drivers/printer/types.ts';
import type { PrinterHealth, PrintOutcome, Receipt, ReceiptSink } from '../ports.ts';
import { printerCanPrint, printerStateOf } from './hardware-state.ts';

/** How long a receipt may take to come out before it is withdrawn; a member waits this long at most. */
export const DEFAULT_PRINT_WINDOW_MS = 10_000;
/** A job being written when its window closed: how long its 'printed' may take before it counts as not printed. */
const SENDING_GRACE_MS = 5_000;
const WITHDRAW_RETRY_MS = 50;

export interface PrinterSinkOptions {
  /** Default DEFAULT_PRINT_WINDOW_MS. */
  printWindowMs?: number;
}

export class PrinterSink extends EventEmitter<{ health: [] }> implements ReceiptSink {
  readonly #printer: ReceiptPrinter;
  readonly #kind: string;
  readonly #log: Logger;
  readonly #printWindowMs: number;
  readonly #onChange = (): void => {
    this.emit('health');
  };

  /** `kind` is the configured printer kind (tcp, serial, device, simulated), shown in the state report. */
  constructor(printer: ReceiptPrinter, kind: string, logger: Logger, options: PrinterSinkOptions = {}) {
    super();
    this.#printer = printer;
    this.#kind = kind;
    this.#log = logger;
    this.#printWindowMs = options.printWindowMs ?? DEFAULT_PRINT_WINDOW_MS;
  }

  /** The configured printer kind (tcp, serial, device, simulated). */
  get kind(): string {
    return this.#kind;
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

  async print(receipt: Receipt): Promise<PrintOutcome> {
    const blocked = this.blockedCode();
    if (blocked) return this.#notPrinted(receipt, blocked, 'receipt not printed: the printer cannot print now');
    // Jobs printed from the moment print() is called: the simulated printer prints before print() even resolves.
    const printedIds = new Set<string>();
    const notePrinted = ({ jobId }: { jobId: string }) => printedIds.add(jobId);
    this.#printer.on('job.printed', notePrinted);
    try {
      let jobId: string;
      try {
        const job = await this.#printer.print(receipt);
        jobId = job.jobId;
        this.#log.info({ txId: receipt.txId, jobId, queueDepth: job.queueDepth }, 'receipt queued for the printer');
      } catch (error) {
        this.#log.error({ code: 'RECEIPT_PRINT_FAILED', txId: receipt.txId, err: error instanceof Error ? error.message : String(error) }, 'receipt not queued');
        return this.#notPrinted(receipt, 'PRINTER_ERROR', 'receipt not printed: the printer did not take it');
      } finally {
        this.emit('health');
      }
      const printed = printedIds.has(jobId) || (await this.#printedWithin(jobId));
      return printed ? { status: 'printed', code: null } : this.#notPrinted(receipt, this.blockedCode() ?? 'PRINTER_ERROR', 'receipt not printed in time: withdrawn, it will not print later');
    } finally {
      this.#printer.off('job.printed', notePrinted);
    }
  }

  /** Why the printer cannot print now (paper, cover, offline), or null. */
  blockedCode(): ErrorCode | null {
    const state = printerStateOf(this.health());
    return printerCanPrint(state) ? null : (state.code ?? 'PRINTER_ERROR');
  }

  /**
   * Resolves true once the job printed, or false once it was withdrawn after the print window. A job being written
   * when the window closes cannot be withdrawn: its 'printed' is awaited a little longer (and the driver drops it
   * should the write fail, so it never prints later either way).
   */
  #printedWithin(jobId: string): Promise<boolean> {
    const printer = this.#printer;
    return new Promise((resolve) => {
      let retry: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (printed: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearInterval(retry);
        printer.off('job.printed', onPrinted);
        resolve(printed);
      };
      const onPrinted = (job: { jobId: string }) => {
        if (job.jobId === jobId) finish(true);
      };
      printer.on('job.printed', onPrinted);
      const deadline = setTimeout(() => {
        if (printer.cancel(jobId)) return finish(false);
        const givingUpAt = Date.now() + SENDING_GRACE_MS;
        retry = setInterval(() => {
          if (printer.cancel(jobId) || Date.now() >= givingUpAt) finish(false);
        }, WITHDRAW_RETRY_MS);
        retry.unref();
      }, this.#printWindowMs);
      deadline.unref();
    });
  }

  #notPrinted(receipt: Receipt, code: ErrorCode, message: string): PrintOutcome {
    // Card numbers are never logged; the tx id says which receipt, the code why.
    this.#log.warn({ code, txId: receipt.txId }, message);
    this.emit('health');
    return { status: 'not_printed', code };
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
