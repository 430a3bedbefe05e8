import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { DelimiterParser } from '@serialport/parser-delimiter';
import type { Logger } from 'pino';
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from '../backoff.ts';
import { DriverError } from '../driver-error.ts';
import type { DriverErrorCode } from '../driver-error-codes.ts';
import { HealthTracker } from '../health.ts';
import { maskUid } from '../mask-uid.ts';
import type { Framing } from './framing.ts';
import { lineFraming } from './line-framing.ts';
import {
  closePort,
  listRealSerialPorts,
  openPort,
  openRealSerialPort,
  type SerialPortFactory,
  type SerialPortLike,
} from './serial-port-factory.ts';
import { describeSelector, locateSerialPort, type PortLister, type SerialPortSelector } from './serial-port-locator.ts';
import { TapDebouncer } from './tap-debouncer.ts';
import type { CardReader, CardReaderEvents, DriverHealth } from './types.ts';

export interface SerialCardReaderOptions {
  logger: Logger;
  port: SerialPortSelector;
  /** Shown in taps; defaults to the selector. */
  readerName?: string;
  baudRate?: number;
  /** Defaults to UID lines ending in CR LF. */
  framing?: Framing;
  /** Silence after the last repeat of a UID that counts as the card taken away (serial readers cannot tell). */
  holdGapMs?: number;
  backoff?: BackoffOptions;
  portFactory?: SerialPortFactory;
  listPorts?: PortLister;
  /** How often to check that the port is still there (see watchPresence). */
  presenceCheckMs?: number;
}

/**
 * A USB-serial or RS-232 IC/RFID reader. Bytes → @serialport/parser-delimiter → framing decoder → tap
 * debouncer → `card`. A port that closes under us (unplugged, or a pty whose peer ended) is reopened with
 * backoff, re-resolving its stable name each time.
 */
export class SerialCardReader extends EventEmitter<CardReaderEvents> implements CardReader {
  private readonly log: Logger;
  private readonly health_: HealthTracker;
  private readonly framing: Framing;
  private readonly debouncer: TapDebouncer;
  private readonly backoff: Backoff;
  private readonly portFactory: SerialPortFactory;
  private readonly listPorts: PortLister;
  private readonly readerName: string;
  private port: SerialPortLike | undefined;
  private parser: DelimiterParser | undefined;
  private running = false;
  private everConnected = false;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SerialCardReaderOptions) {
    super();
    this.log = options.logger.child({ component: 'driver.serial-reader' });
    this.health_ = new HealthTracker('serial-reader');
    this.framing = options.framing ?? lineFraming();
    this.readerName = options.readerName ?? describeSelector(options.port);
    this.backoff = new Backoff(options.backoff ?? DEFAULT_BACKOFF);
    this.portFactory = options.portFactory ?? openRealSerialPort;
    this.listPorts = options.listPorts ?? listRealSerialPorts;
    this.debouncer = new TapDebouncer({
      holdGapMs: options.holdGapMs ?? 600,
      bounceMs: 0,
      onRemoved: (uid) => this.emit('card.removed', { uid, readerName: this.readerName }),
    });
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
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.debouncer.reset();
    await this.dropPort();
    this.health_.setConnected(false);
    this.emitHealth();
  }

  private async connect(): Promise<void> {
    let port: SerialPortLike | undefined;
    let path: string;
    try {
      path = await locateSerialPort(this.options.port, this.listPorts);
      port = this.portFactory({ path, baudRate: this.options.baudRate ?? 9600 });
      await openPort(port);
    } catch (error) {
      if (port) await closePort(port);
      const code: DriverErrorCode = error instanceof DriverError ? error.code : 'DRIVER_PORT_OPEN_FAILED';
      this.fail(code, error);
      this.scheduleReconnect();
      return;
    }
    if (!this.running) {
      await closePort(port);
      return;
    }
    this.attach(port, path);
    if (this.everConnected) this.health_.recordReconnect();
    this.everConnected = true;
    this.backoff.reset();
    this.health_.setConnected(true);
    this.log.info({ port: this.readerName, framing: this.framing.name }, 'card reader connected');
    this.emitHealth();
  }

  private attach(port: SerialPortLike, path: string): void {
    const parser = new DelimiterParser({ delimiter: this.framing.delimiter });
    parser.on('data', (frame: Buffer) => this.onFrame(frame));
    port.on('data', (chunk: Buffer) => {
      parser.write(chunk);
      // parser-delimiter buffers without bound; a reader spewing noise with no delimiter must not grow memory.
      if (parser.buffer.length > this.framing.maxFrameBytes) {
        parser.buffer = Buffer.alloc(0);
        this.reject('no delimiter within the longest frame length');
      }
    });
    port.on('error', (error: Error) => this.fail('DRIVER_PORT_LOST', error));
    port.on('close', () => this.onLost(port, `port ${this.readerName} closed`));
    this.port = port;
    this.parser = parser;
    this.watchPresence(port, path);
  }

  /**
   * A tty that is hung up (USB-serial unplugged, pty peer gone) does not always end in a 'close': depending on
   * the session, reads return EOF and serialport's binding retries them forever. So the driver also checks that
   * the device node is still there and still answers a modem-status ioctl (EIO once hung up).
   */
  private watchPresence(port: SerialPortLike, path: string): void {
    const timer = setInterval(() => {
      if (this.port !== port) return clearInterval(timer);
      if (!existsSync(path)) return this.onLost(port, `port ${this.readerName} disappeared`);
      port.get?.((error) => {
        if (error && /input\/output|EIO/i.test(error.message)) this.onLost(port, `port ${this.readerName} hung up`);
      });
    }, this.options.presenceCheckMs ?? 500);
    timer.unref();
  }

  private onLost(port: SerialPortLike, reason: string): void {
    if (this.port !== port) return;
    this.port = undefined;
    this.parser = undefined;
    port.removeAllListeners('data');
    if (port.isOpen) port.close(() => undefined);
    this.debouncer.reset();
    this.health_.setConnected(false);
    this.fail('DRIVER_PORT_LOST', new Error(reason));
    this.scheduleReconnect();
  }

  private onFrame(frame: Buffer): void {
    const verdict = this.framing.decode(frame);
    for (const reason of verdict.rejected) this.reject(reason);
    if (verdict.uid === undefined) return;
    const uid = verdict.uid;
    if (!this.debouncer.sighted(uid)) return;
    this.emit('card', { uid, readerName: this.readerName, at: Date.now() });
    this.log.debug({ uid: maskUid(uid) }, 'card tap');
  }

  private reject(reason: string): void {
    this.health_.recordRejectedFrame();
    this.health_.recordError('DRIVER_FRAME_REJECTED', reason);
    this.log.warn({ reason, framesRejected: this.health_.snapshot().framesRejected }, 'frame rejected');
    this.emitHealth();
  }

  private fail(code: DriverErrorCode, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.health_.recordError(code, message);
    this.log.warn({ code, err: message, port: this.readerName }, 'card reader unavailable');
    this.emitHealth();
  }

  private scheduleReconnect(): void {
    if (!this.running || this.retryTimer) return;
    const delay = this.backoff.next();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.running) void this.connect();
    }, delay);
  }

  private async dropPort(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    this.parser = undefined;
    if (port) {
      port.removeAllListeners('data');
      await closePort(port);
    }
  }

  private emitHealth(): void {
    this.emit('health', this.health_.snapshot());
  }
}
