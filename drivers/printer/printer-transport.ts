import type { EventEmitter } from 'node:events';

export interface PrinterTransportEvents {
  data: [Buffer];
  /** The connection is gone (peer closed, cable pulled); the printer driver reconnects. */
  close: [];
}

/**
 * A byte pipe to a printer: TCP 9100, a serial port, or a USB printer-class device node. Injected into the
 * printer driver so tests run it over real sockets and ptys.
 */
export interface PrinterTransport extends EventEmitter<PrinterTransportEvents> {
  readonly name: string;
  /** Whether the printer can answer status requests over this transport. */
  readonly bidirectional: boolean;
  open(): Promise<void>;
  /** Resolves when the bytes were handed to the OS. */
  write(bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}
