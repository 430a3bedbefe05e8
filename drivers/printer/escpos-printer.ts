import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.ts';
import { DriverError } from '../driver-error.ts';
import type { DriverErrorCode } from '../driver-error-codes.ts';
import { HealthTracker } from '../health.ts';
import { encodeReceipt } from './escpos-encoder.ts';
import { DLE_EOT_OFFLINE_CAUSE, DLE_EOT_PAPER, DLE_EOT_PRINTER, isStatusByte, parseStatusByte, statusRequest } from './escpos-status.ts';
import { PrintQueue, type PrintJob } from './print-queue.ts';
import type { PrinterTransport } from './printer-transport.ts';
import { layoutReceipt } from './receipt-layout.ts';
import type { DriverHealth, PrinterStatus, PrintJobResult, Receipt, ReceiptPrinter, ReceiptPrinterEvents } from './types.ts';

export interface EscposPrinterOptions {
  logger: Logger;
  transport: PrinterTransport;
  /** How often to ask for paper/cover status while idle. */
  statusIntervalMs?: number;
  /** How long to wait for each status byte. */
  statusTimeoutMs?: number;
  queueLimit?: number;
  backoff?: BackoffOptions;
}

interface PendingStatus {
  resolve: (byte: number) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * An ESC/POS receipt printer. print() only queues; a pump sends queued jobs while the printer is connected and
 * reports paper and a closed cover, so a member's session never waits on paper. Status comes from DLE EOT
 * requests, asked before every job and every `statusIntervalMs`.
 */
export class EscposReceiptPrinter extends EventEmitter<ReceiptPrinterEvents> implements ReceiptPrinter {
  private readonly log: Logger;
  private readonly health_ = new HealthTracker('escpos-printer');
  private readonly queue: PrintQueue;
  private readonly backoff: Backoff;
  private readonly transport: PrinterTransport;
  private status_: Omit<PrinterStatus, 'queueDepth'> = { online: false, paperOut: false, paperNearEnd: false, coverOpen: false };
  private running = false;
  private connected = false;
  private everConnected = false;
  private pumping = false;
  /** The job whose bytes are being written right now: too late to withdraw. */
  private sending: PrintJob | undefined;
  /** The job being written was withdrawn meanwhile: should the write fail, it is dropped, never sent again. */
  private sendingWithdrawn = false;
  private pendingStatus: PendingStatus[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EscposPrinterOptions) {
    super();
    this.log = options.logger.child({ component: 'driver.escpos-printer' });
    this.transport = options.transport;
    this.queue = new PrintQueue(options.queueLimit ?? 20);
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.transport.on('data', (chunk) => this.onData(chunk));
    this.transport.on('close', () => this.onLost(new DriverError('DRIVER_PRINTER_UNREACHABLE', `${this.transport.name} closed`)));
  }

  status(): PrinterStatus {
    return { ...this.status_, queueDepth: this.queue.depth };
  }

  health(): DriverHealth {
    return this.health_.snapshot();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.connect();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    for (const timer of [this.retryTimer, this.pollTimer]) if (timer) clearTimeout(timer);
    this.retryTimer = undefined;
    this.pollTimer = undefined;
    this.failPendingStatus(new DriverError('DRIVER_STOPPED'));
    this.connected = false;
    await this.transport.close();
    this.health_.setConnected(false);
    this.emit('health', this.health_.snapshot());
  }

  print(receipt: Receipt): Promise<PrintJobResult> {
    const job: PrintJob = { id: randomUUID(), txId: receipt.txId, bytes: encodeReceipt(layoutReceipt(receipt)), queuedAt: Date.now() };
    const dropped = this.queue.push(job);
    if (dropped) this.fail('DRIVER_PRINT_QUEUE_FULL', new Error(`dropped job ${dropped.id} for tx ${dropped.txId}`));
    this.log.info({ jobId: job.id, txId: job.txId, queueDepth: this.queue.depth }, 'receipt queued');
    void this.pump();
    return Promise.resolve({ jobId: job.id, status: 'queued', queueDepth: this.queue.depth });
  }

  cancel(jobId: string): boolean {
    if (this.sending?.id === jobId) {
      this.sendingWithdrawn = true;
      return false;
    }
    if (!this.queue.remove(jobId)) return false;
    this.log.info({ jobId, queueDepth: this.queue.depth }, 'print job withdrawn');
    this.emitStatus();
    return true;
  }

  /** Asks the printer for its status now; resolves with the new status (offline when it does not answer). */
  async refreshStatus(): Promise<PrinterStatus> {
    if (!this.connected) return this.status();
    if (!this.transport.bidirectional) {
      this.setStatus({ online: true, paperOut: false, paperNearEnd: false, coverOpen: false });
      return this.status();
    }
    try {
      const printer = parseStatusByte(DLE_EOT_PRINTER, await this.askStatus(DLE_EOT_PRINTER));
      const cause = parseStatusByte(DLE_EOT_OFFLINE_CAUSE, await this.askStatus(DLE_EOT_OFFLINE_CAUSE));
      const paper = parseStatusByte(DLE_EOT_PAPER, await this.askStatus(DLE_EOT_PAPER));
      const next = {
        online: true,
        paperOut: paper.paperOut ?? false,
        paperNearEnd: paper.paperNearEnd ?? false,
        coverOpen: cause.coverOpen ?? false,
        checkedAt: Date.now(),
      };
      if (next.paperOut) this.health_.recordError('DRIVER_PRINTER_PAPER_OUT', 'paper out');
      else if (next.coverOpen) this.health_.recordError('DRIVER_PRINTER_COVER_OPEN', 'cover open');
      if (printer.offline && !next.paperOut && !next.coverOpen) this.log.warn('printer reports offline for another reason');
      this.setStatus(next);
    } catch (error) {
      if (error instanceof DriverError && error.code === 'DRIVER_STOPPED') return this.status();
      this.fail(error instanceof DriverError ? error.code : 'DRIVER_PRINTER_STATUS_TIMEOUT', error);
      this.setStatus({ ...this.status_, online: false });
    }
    return this.status();
  }

  private async connect(): Promise<void> {
    try {
      await this.transport.open();
    } catch (error) {
      this.fail(error instanceof DriverError ? error.code : 'DRIVER_PRINTER_UNREACHABLE', error);
      this.setStatus({ ...this.status_, online: false });
      this.scheduleReconnect();
      return;
    }
    if (!this.running) {
      await this.transport.close();
      return;
    }
    this.connected = true;
    if (this.everConnected) this.health_.recordReconnect();
    this.everConnected = true;
    this.backoff.reset();
    this.health_.setConnected(true);
    this.log.info({ transport: this.transport.name }, 'printer connected');
    this.emit('health', this.health_.snapshot());
    await this.refreshStatus();
    this.schedulePoll();
    void this.pump();
  }

  private onLost(error: Error): void {
    if (!this.connected) return;
    this.connected = false;
    this.failPendingStatus(error);
    this.health_.setConnected(false);
    this.fail('DRIVER_PRINTER_UNREACHABLE', error);
    this.setStatus({ ...this.status_, online: false });
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.scheduleReconnect();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      for (let job = this.queue.peek(); job && this.connected; job = this.queue.peek()) {
        const status = await this.refreshStatus();
        if (!status.online || status.paperOut || status.coverOpen) break;
        // Withdrawn while the status was asked: on to the next job, if any.
        if (this.queue.peek() !== job) continue;
        this.sending = job;
        this.sendingWithdrawn = false;
        try {
          await this.transport.write(job.bytes);
        } catch (error) {
          this.sending = undefined;
          if (this.sendingWithdrawn) this.queue.done(job);
          this.onLost(error as Error);
          break;
        }
        this.sending = undefined;
        this.queue.done(job);
        this.log.info({ jobId: job.id, txId: job.txId, queueDepth: this.queue.depth }, 'receipt sent to printer');
        this.emit('job.printed', { jobId: job.id, txId: job.txId });
      }
    } finally {
      this.pumping = false;
    }
    this.emitStatus();
  }

  private askStatus(n: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingStatus = this.pendingStatus.filter((p) => p.timer !== timer);
        reject(new DriverError('DRIVER_PRINTER_STATUS_TIMEOUT', `no answer to DLE EOT ${n} from ${this.transport.name}`));
      }, this.options.statusTimeoutMs ?? 1_000);
      this.pendingStatus.push({ resolve, reject, timer });
      this.transport.write(statusRequest(n)).catch((error: Error) => this.onLost(error));
    });
  }

  private onData(chunk: Buffer): void {
    for (const byte of chunk) {
      // Bytes nobody asked for (automatic status back, a late answer after a timeout) are not status answers.
      if (!isStatusByte(byte)) continue;
      const pending = this.pendingStatus.shift();
      if (!pending) continue;
      clearTimeout(pending.timer);
      pending.resolve(byte);
    }
  }

  private failPendingStatus(error: Error): void {
    const pending = this.pendingStatus;
    this.pendingStatus = [];
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  private schedulePoll(): void {
    if (!this.running || !this.connected) return;
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void (async () => {
        // A paper roll put back or a cover closed is noticed here, and waiting jobs go out.
        if (!this.pumping) await this.refreshStatus();
        if (this.queue.depth > 0) await this.pump();
        this.schedulePoll();
      })();
    }, this.options.statusIntervalMs ?? 2_000);
  }

  private scheduleReconnect(): void {
    if (!this.running || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.running && !this.connected) void this.connect();
    }, this.backoff.next());
  }

  private setStatus(next: Omit<PrinterStatus, 'queueDepth'>): void {
    const before = JSON.stringify({ ...this.status_, checkedAt: 0 });
    this.status_ = next;
    if (JSON.stringify({ ...next, checkedAt: 0 }) !== before) {
      this.log.info({ status: this.status() }, 'printer status changed');
      this.emitStatus();
    }
  }

  private emitStatus(): void {
    this.emit('status', this.status());
  }

  private fail(code: DriverErrorCode, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.health_.recordError(code, message);
    this.log.warn({ code, err: message }, 'printer problem');
    this.emit('health', this.health_.snapshot());
  }
}
