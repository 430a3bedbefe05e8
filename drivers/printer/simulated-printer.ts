import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { HealthTracker } from '../health.ts';
import { renderReceiptSvg } from './svg-preview.ts';
import type { DriverHealth, PrinterStatus, PrintJobResult, Receipt, ReceiptPrinter, ReceiptPrinterEvents } from './types.ts';

export interface SimulatedPrinterCondition {
  /** Switched on and reachable. */
  online: boolean;
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
}

/**
 * A printer for the demo and the screens' tests: keeps each receipt (and its SVG preview) in memory. It can be
 * switched off and have its paper or cover set, to exercise the screens' "printer needs attention" states, and
 * behaves like the ESC/POS driver meanwhile: print() only queues, and waiting jobs go out once it can print.
 */
export class SimulatedPrinter extends EventEmitter<ReceiptPrinterEvents> implements ReceiptPrinter {
  readonly printed: { jobId: string; receipt: Receipt; svg: string }[] = [];
  private readonly waiting: { jobId: string; receipt: Receipt }[] = [];
  private readonly health_ = new HealthTracker('simulated-printer');
  private readonly log: Logger;
  private condition: SimulatedPrinterCondition = { online: true, paperOut: false, paperNearEnd: false, coverOpen: false };
  private running = false;
  private readonly keepPrinted: number;

  /** `keepPrinted`: how many printed receipts `printed` keeps, the newest (all when absent; a kiosk keeps a few). */
  constructor(options: { logger: Logger; keepPrinted?: number }) {
    super();
    this.log = options.logger.child({ component: 'driver.simulated-printer' });
    this.keepPrinted = options.keepPrinted ?? Infinity;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.changed();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.changed();
  }

  print(receipt: Receipt): Promise<PrintJobResult> {
    const jobId = randomUUID();
    this.waiting.push({ jobId, receipt });
    const queueDepth = this.waiting.length;
    this.flush();
    return Promise.resolve({ jobId, status: 'queued', queueDepth });
  }

  cancel(jobId: string): boolean {
    const index = this.waiting.findIndex((job) => job.jobId === jobId);
    if (index === -1) return false;
    this.waiting.splice(index, 1);
    this.log.info({ jobId }, 'print job withdrawn (simulated)');
    this.emit('status', this.status());
    return true;
  }

  /** Paper and cover, as the printer's sensors would report them. */
  setPaper(state: Partial<Pick<SimulatedPrinterCondition, 'paperOut' | 'paperNearEnd' | 'coverOpen'>>): void {
    this.setCondition(state);
  }

  /** Switches the printer off (unreachable) or back on. */
  setOnline(online: boolean): void {
    this.setCondition({ online });
  }

  setCondition(condition: Partial<SimulatedPrinterCondition>): void {
    this.condition = { ...this.condition, ...condition };
    this.changed();
  }

  status(): PrinterStatus {
    const { online, ...paper } = this.condition;
    return { online: this.running && online, ...paper, queueDepth: this.waiting.length, checkedAt: Date.now() };
  }

  health(): DriverHealth {
    return this.health_.snapshot();
  }

  private changed(): void {
    const connected = this.running && this.condition.online;
    this.health_.setConnected(connected);
    if (this.running) {
      if (!this.condition.online) this.health_.recordError('DRIVER_PRINTER_UNREACHABLE', 'simulated printer switched off');
      else if (this.condition.paperOut) this.health_.recordError('DRIVER_PRINTER_PAPER_OUT', 'paper out');
      else if (this.condition.coverOpen) this.health_.recordError('DRIVER_PRINTER_COVER_OPEN', 'cover open');
    }
    this.emit('health', this.health_.snapshot());
    this.emit('status', this.status());
    this.flush();
  }

  private flush(): void {
    const { online, paperOut, coverOpen } = this.condition;
    while (this.running && online && !paperOut && !coverOpen && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.printed.push({ ...job, svg: renderReceiptSvg(job.receipt) });
      if (this.printed.length > this.keepPrinted) this.printed.splice(0, this.printed.length - this.keepPrinted);
      this.log.info({ jobId: job.jobId, txId: job.receipt.txId }, 'receipt printed (simulated)');
      this.emit('job.printed', { jobId: job.jobId, txId: job.receipt.txId });
    }
  }
}
