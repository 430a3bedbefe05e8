import { createServer, type Server, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import { statusByteFor } from '../printer/escpos-status.ts';
import { EscposDecoder, type EscposEvent } from './escpos-decoder.ts';

/**
 * The printer side of a printer test: decodes everything the driver sends and answers real-time status
 * requests (DLE EOT) from a settable paper/cover state, over TCP (as a network printer on 9100) or over the
 * device end of a socat pty pair (as a serial printer).
 */
export interface FakePaperState {
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
}

abstract class FakePrinterPeer {
  state: FakePaperState = { paperOut: false, paperNearEnd: false, coverOpen: false };
  decoder = new EscposDecoder((event) => this.onEvent(event));
  /** Every byte received, status requests included. */
  received = Buffer.alloc(0);
  /** One entry per cut: the tx id of the QR printed before it, and whether paper/cover allowed printing then. */
  readonly cuts: { txId: string | undefined; paperOut: boolean; coverOpen: boolean }[] = [];
  private lastQrPayload: string | undefined;
  private waiters: { predicate: (events: EscposEvent[]) => boolean; resolve: () => void }[] = [];

  protected abstract reply(bytes: Buffer): void;

  protected consume(chunk: Buffer): void {
    this.received = Buffer.concat([this.received, chunk]);
    this.decoder.feed(chunk);
  }

  /** Forgets what was printed (the paper and status requests), keeping the paper state. */
  clear(): void {
    this.decoder = new EscposDecoder((event) => this.onEvent(event));
    this.received = Buffer.alloc(0);
    this.cuts.length = 0;
    this.lastQrPayload = undefined;
  }

  /** Resolves once the decoded stream satisfies the predicate; rejects after timeoutMs with what was seen. */
  waitFor(predicate: (events: EscposEvent[]) => boolean, what: string, timeoutMs = 5_000): Promise<void> {
    if (predicate(this.decoder.events)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`fake printer: timed out after ${timeoutMs} ms waiting for ${what}; saw ${this.decoder.events.length} events`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ predicate, resolve: done });
    });
  }

  waitForCut(count = 1, timeoutMs = 5_000): Promise<void> {
    return this.waitFor((events) => events.filter((e) => e.kind === 'cut').length >= count, `${count} cut(s)`, timeoutMs);
  }

  private onEvent(event: EscposEvent): void {
    if (event.kind === 'status') this.reply(Buffer.from([statusByteFor(event.n, this.state)]));
    if (event.kind === 'qr' && event.fn === 0x50) this.lastQrPayload = event.data.subarray(1).toString('latin1');
    if (event.kind === 'cut') {
      this.cuts.push({ txId: this.lastQrPayload, paperOut: this.state.paperOut, coverOpen: this.state.coverOpen });
      this.lastQrPayload = undefined;
    }
    const ready = this.waiters.filter((w) => w.predicate(this.decoder.events));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }
}

/** A network printer listening on 127.0.0.1 (port 0 picks a free one; read `.port` after listen()). */
export class FakeTcpPrinter extends FakePrinterPeer {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  port = 0;
  /** Connections accepted so far. */
  connections = 0;

  async listen(port = 0): Promise<void> {
    const server = createServer({ noDelay: true }, (socket) => {
      this.connections += 1;
      this.sockets.add(socket);
      socket.on('data', (chunk: Buffer) => this.consume(chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
  }

  protected reply(bytes: Buffer): void {
    for (const socket of this.sockets) socket.write(bytes);
  }

  /** Drops connections and stops listening: the printer was switched off. */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A serial printer on the device end of a pty pair. */
export class FakeSerialPrinter extends FakePrinterPeer {
  private port: SerialPort | undefined;

  constructor(private readonly path: string) {
    super();
  }

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.path, baudRate: 19_200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    port.on('data', (chunk: Buffer) => this.consume(chunk));
    port.on('error', () => undefined);
    this.port = port;
  }

  protected reply(bytes: Buffer): void {
    this.port?.write(bytes);
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
