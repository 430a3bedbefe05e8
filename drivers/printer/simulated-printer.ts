import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { HealthTracker } from '../health.ts';
import { renderReceiptSvg } from './svg-preview.ts';
import type { DriverHealth, PrinterStatus, PrintJobResult, Receipt, ReceiptPrinter, ReceiptPrinterEvents } from './types.ts';

/**
 * A printer for the demo and the screens' tests: keeps each receipt (and its SVG preview) in memory. Paper and
 * cover can be set to exercise the screens' "printer needs attention" states.
 */
export class SimulatedPrinter extends EventEmitter<ReceiptPrinterEvents> implements ReceiptPrinter {
  readonly printed: { jobId: string; receipt: Receipt; svg: string }[] = [];
  private readonly waiting: { jobId: string; receipt: Receipt }[] = [];
  private readonly health_ = new HealthTracker('simulated-printer');
  private readonly log: Logger;
  private state = { paperOut: false, paperNearEnd: false, coverOpen: false };
  private running = false;

  constructor(options: { logger: Logger }) {
    super();
    this.log = options.logger.child({ component: 'driver.simulated-printer' });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.health_.setConnected(true);
    this.flush();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.health_.setConnected(false);
  }

  print(receipt: Receipt): Promise<PrintJobResult> {
    const jobId = randomUUID();
    this.waiting.push({ jobId, receipt });
    this.flush();
    return Promise.resolve({ jobId, status: 'queued', queueDepth: this.waiting.length });
  }

  setPaper(state: Partial<{ paperOut: boolean; paperNearEnd: boolean; coverOpen: boolean }>): void {
    this.state = { ...this.state, ...state };
    this.emit('status', this.status());
    this.flush();
  }

  status(): PrinterStatus {
    return { online: this.running, ...this.state, queueDepth: this.waiting.length, checkedAt: Date.now() };
  }

  health(): DriverHealth {
    return this.health_.snapshot();
  }

  private flush(): void {
    while (this.running && !this.state.paperOut && !this.state.coverOpen && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.printed.push({ ...job, svg: renderReceiptSvg(job.receipt) });
      this.log.info({ jobId: job.jobId, txId: job.receipt.txId }, 'receipt printed (simulated)');
      this.emit('job.printed', { jobId: job.jobId, txId: job.receipt.txId });
    }
  }
}
