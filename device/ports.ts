/**
 * What the device needs from hardware, and nothing more. The drivers/ contracts (CardReader, ReceiptPrinter)
 * are wider; device/hardware/ adapts them to these, so the session never depends on a driver's details.
 *
 * The receipt is the drivers' structured Receipt (drivers/printer/types.ts): the device describes it once,
 * the printer driver lays it out on paper and the screen shows a preview drawn from the same layout.
 */
import type { ErrorCode } from '../core/errors/codes.ts';
import type { Receipt } from '../drivers/printer/types.ts';

export type { Receipt } from '../drivers/printer/types.ts';

export interface CardTap {
  /** Uppercase hex, as the hub expects it. */
  uid: string;
  readerName: string;
  /** ISO-8601 time of the tap. */
  at: string;
}

/** Shared by reader and printer reports: what a technician needs to see first. */
interface HardwareHealthBase {
  /** Which configured kind this is: simulated, serial, pcsc, tcp, device. */
  kind: string;
  connected: boolean;
  lastError?: { code: string; message: string; at: number };
  reconnects: number;
}

export interface CardReaderHealth extends HardwareHealthBase {
  /** Garbage, bad checksums and truncated frames seen since start. */
  framesRejected: number;
}

export interface PrinterHealth extends HardwareHealthBase {
  /** The printer answered its last status request (write-only printers: while writes succeed). */
  online: boolean;
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
  /** Receipts waiting for the printer (paper out, cover open, unreachable). */
  queueDepth: number;
}

type HealthListener = () => void;

export interface CardSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  on(event: 'card', listener: (tap: CardTap) => void): this;
  /** Whenever health() may have changed: the device republishes its retained state. */
  on(event: 'health', listener: HealthListener): this;
  off(event: 'card', listener: (tap: CardTap) => void): this;
  off(event: 'health', listener: HealthListener): this;
  health(): CardReaderHealth;
}

/**
 * The simulated reader's hand (the demo screen's "simulate tap", POST /api/sim/tap): presents the card and
 * takes it away. False when the reader is stopped (or does not read the UID).
 */
export interface SimulatedTaps {
  tap(uid: string): boolean;
}

/**
 * What became of a receipt sent to the printer: printed now, or not at all, with why (PRINTER_PAPER_OUT,
 * PRINTER_COVER_OPEN, PRINTER_OFFLINE, PRINTER_ERROR). Never "later": a receipt for a member who has left must not
 * come out for whoever stands at the kiosk when paper is back.
 */
export interface PrintOutcome {
  status: 'printed' | 'not_printed';
  code: ErrorCode | null;
}

export interface ReceiptSink {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Prints now or not at all: 'printed' once the printer took the receipt; 'not_printed' at once when it cannot
   * print now (paper, cover, offline), or when it did not print within the print window (withdrawn from the
   * printer's queue). Never throws; waits at most about the print window.
   */
  print(receipt: Receipt): Promise<PrintOutcome>;
  on(event: 'health', listener: HealthListener): this;
  off(event: 'health', listener: HealthListener): this;
  health(): PrinterHealth;
}
