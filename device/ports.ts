/**
 * What the device needs from hardware, and nothing more. The drivers/ contracts (CardReader, ReceiptPrinter)
 * are wider; the composition root adapts them to these, so the session never depends on a driver's details.
 */

export interface CardTap {
  /** Uppercase hex, as the hub expects it. */
  uid: string;
  readerName: string;
  /** ISO-8601 time of the tap. */
  at: string;
}

export interface CardSource {
  start(): Promise<void>;
  stop(): Promise<void>;
  on(event: 'card', listener: (tap: CardTap) => void): this;
  off(event: 'card', listener: (tap: CardTap) => void): this;
}

/** A receipt as plain lines; a printer driver turns it into ESC/POS, the screen shows the text. */
export interface Receipt {
  txId: string | null;
  header: string[];
  body: string[];
  footer: string[];
  printedAt: string;
}

export interface ReceiptSink {
  print(receipt: Receipt): Promise<void>;
}
