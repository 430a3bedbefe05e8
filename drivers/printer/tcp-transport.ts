import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { DriverError } from '../driver-error.ts';
import type { PrinterTransport, PrinterTransportEvents } from './printer-transport.ts';

/** A network printer's raw port (9100, "JetDirect"). No-delay: status requests are 3 bytes and must not wait for Nagle. */
export class TcpPrinterTransport extends EventEmitter<PrinterTransportEvents> implements PrinterTransport {
  readonly name: string;
  readonly bidirectional = true;
  private socket: Socket | undefined;

  constructor(private readonly options: { host: string; port?: number; connectTimeoutMs?: number }) {
    super();
    this.name = `tcp://${options.host}:${options.port ?? 9100}`;
  }

  open(): Promise<void> {
    if (this.socket) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host: this.options.host, port: this.options.port ?? 9100, noDelay: true });
      socket.setTimeout(this.options.connectTimeoutMs ?? 3_000);
      socket.once('timeout', () => socket.destroy(new Error('connect timed out')));
      socket.once('connect', () => {
        socket.setTimeout(0);
        this.socket = socket;
        socket.on('data', (chunk: Buffer) => this.emit('data', chunk));
        socket.on('error', () => undefined);
        socket.once('close', () => {
          if (this.socket === socket) {
            this.socket = undefined;
            this.emit('close');
          }
        });
        resolve();
      });
      socket.once('error', (error) => {
        if (this.socket !== socket) reject(new DriverError('DRIVER_PRINTER_UNREACHABLE', `${this.name}: ${error.message}`));
      });
    });
  }

  write(bytes: Buffer): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new DriverError('DRIVER_PRINTER_UNREACHABLE', `${this.name} is not connected`));
    return new Promise((resolve, reject) =>
      socket.write(bytes, (error) => (error ? reject(new DriverError('DRIVER_PRINTER_UNREACHABLE', error.message)) : resolve())),
    );
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }
}
