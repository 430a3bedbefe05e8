/**
 * The receipt printer contract the device uses. A receipt is described as data (this file); the driver turns it
 * into ESC/POS bytes and the screen turns the same description into an SVG preview.
 */
import type { EventEmitter } from 'node:events';
import type { DriverHealth } from '../card-reader/types.ts';

export type { DriverHealth } from '../card-reader/types.ts';

export interface ReceiptLine {
  name: string;
  qty: number;
  unitPriceCents: number;
  totalCents: number;
}

export interface ReceiptPayment {
  /** cash, stored_value, bonus_value, points, credit, or any other method name (printed as is). */
  method: string;
  amountCents?: number;
  points?: number;
}

export interface Receipt {
  /** From the config bundle. */
  header: string[];
  /** From the config bundle. */
  footer: string[];
  store: string;
  deviceId: string;
  txId: string;
  /** ISO 8601. */
  at: string;
  cardNumberMasked: string;
  memberName?: string;
  /**
   * Lines printed bold under the header: what kind of receipt this is when it is not a plain purchase, and
   * whether the hub has confirmed it yet. A kiosk prints a receipt for a queued transaction too, and must not
   * let it read as final.
   */
  notice?: string[];
  lines: ReceiptLine[];
  payments: ReceiptPayment[];
  /** Absent when the hub has not computed it yet (transaction queued offline): nothing is printed rather than a guess. */
  pointsEarned?: number;
  /** Short "why" lines from the rules engine's trace. */
  ruleTrace: string[];
  /** Absent when the hub has not confirmed the transaction yet: the balances before it would mislead. */
  balancesAfter?: { storedValueCents: number; bonusValueCents: number; points: number };
  paperWidthMm: 58 | 80;
  language: 'zh' | 'en';
}

export interface PrinterStatus {
  /** The printer answered the last status request (or accepted the connection, for printers that cannot answer). */
  online: boolean;
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
  /** Jobs waiting, including the one being sent. */
  queueDepth: number;
  /** ms epoch of the last status answer. */
  checkedAt?: number;
}

export interface PrintJobResult {
  jobId: string;
  /** Always 'queued': print() never waits for paper. */
  status: 'queued';
  queueDepth: number;
}

export interface ReceiptPrinterEvents {
  status: [PrinterStatus];
  'job.printed': [{ jobId: string; txId: string }];
  health: [DriverHealth];
}

export interface ReceiptPrinter extends EventEmitter<ReceiptPrinterEvents> {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the job is queued; never waits on a dead or paperless printer. */
  print(receipt: Receipt): Promise<PrintJobResult>;
  status(): PrinterStatus;
  health(): DriverHealth;
}
