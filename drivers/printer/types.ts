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
  /** cash, stored_value, bonus_value, points, credit, count_card, owed, or any other method name (printed as is). */
  method: string;
  /** What this tender paid, in cents (for points: their value in yuan, when known). */
  amountCents?: number;
  points?: number;
  /** Count card visits used. */
  visits?: number;
}

/** A discount the basket got (member price, a promotion), in the receipt's language, and how much it took off (positive cents). */
export interface ReceiptDiscount {
  label: string;
  cents: number;
}

/**
 * The money block of a purchase: subtotal at shelf prices, each discount, the total. Lines minus discounts is the
 * total, and the payments add up to it.
 */
export interface ReceiptTotals {
  subtotalCents: number;
  discounts: ReceiptDiscount[];
  totalCents: number;
}

/** The store as its profile says (the hub's fleet): printed at the top, and its time zone for the printed time. */
export interface ReceiptStore {
  name: string;
  address?: string;
  phone?: string;
  /** IANA zone ("Asia/Shanghai"): the printed time is local to it, and says which zone it is. */
  timezone?: string;
}

export interface Receipt {
  /** From the config bundle: printed under the store's name and address. */
  header: string[];
  /** From the config bundle. */
  footer: string[];
  /** The store id; printed at the top only when there is no `storeProfile` to name the store. */
  store: string;
  /** The store's name, address, phone and time zone. Absent: the id at the top and the time in UTC. */
  storeProfile?: ReceiptStore;
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
  /** A purchase's subtotal, discounts and total; absent: the total is the sum of the lines. */
  totals?: ReceiptTotals;
  payments: ReceiptPayment[];
  /** Change given: printed after the payments when present (a counter that took cash). */
  changeCents?: number;
  /** Absent when the hub has not computed it yet (transaction queued offline): nothing is printed rather than a guess. */
  pointsEarned?: number;
  /** Short "why" lines from the rules engine's trace. */
  ruleTrace: string[];
  /** Absent when the hub has not confirmed the transaction yet: the balances before it would mislead. */
  balancesAfter?: { storedValueCents: number; bonusValueCents: number; points: number };
  paperWidthMm: 58 | 80;
  language: 'zh' | 'en';
  /**
   * What the QR code holds: the kiosk's signed verification code (core/receipt/receipt-qr.ts). Absent (a kiosk
   * without an enrolment key): the transaction id, as receipts printed before signed codes. On a note: the note's
   * own code (a coupon, a link), printed without the verification hint.
   */
  qr?: string;
  /**
   * Present: this is a printed note, not a transaction's receipt (a kiosk flow's coupon or notice:
   * device/automation/notice-receipt.ts). It is laid out on its own (note-layout.ts): the store, the title and the
   * lines as given, the QR code when there is one, the kiosk and the time — no card, money, header or footer, and
   * `txId` is only the note's id for the print queue.
   */
  note?: ReceiptNote;
}

/** A printed note's words: a title (bold, centred) and lines printed as they are, left-aligned. */
export interface ReceiptNote {
  title?: string;
  lines: string[];
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
  /**
   * Withdraws a queued job that has not gone to the printer yet: it never prints. False when it is no longer
   * waiting (sent, being sent at this moment, or unknown); a job being sent is then dropped should that write
   * fail, never sent again. The kiosk withdraws a receipt the printer could not print in time, so it does not come
   * out later for whoever stands at the kiosk then.
   */
  cancel(jobId: string): boolean;
  status(): PrinterStatus;
  health(): DriverHealth;
}
