/** A printer without hardware: keeps the last receipts as text, so the kiosk screen can show them. */
import type { Receipt, ReceiptSink } from '../ports.ts';
import { renderReceiptText } from '../receipt/render-receipt-text.ts';

export class MemoryReceiptSink implements ReceiptSink {
  readonly #keep: number;
  #texts: { txId: string | null; text: string }[] = [];

  constructor(keep = 20) {
    this.#keep = keep;
  }

  async print(receipt: Receipt): Promise<void> {
    this.#texts.push({ txId: receipt.txId, text: renderReceiptText(receipt) });
    if (this.#texts.length > this.#keep) this.#texts.splice(0, this.#texts.length - this.#keep);
  }

  /** Newest last. */
  recent(): readonly { txId: string | null; text: string }[] {
    return this.#texts;
  }

  last(): { txId: string | null; text: string } | null {
    return this.#texts.at(-1) ?? null;
  }
}
