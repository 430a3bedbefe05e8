/**
 * A printer without hardware: keeps the last receipts (the structured description and its text preview) in
 * memory, so the demo screen, the API and tests can show or inspect what would have been printed.
 */
import { EventEmitter } from 'node:events';
import { renderReceiptText } from '../../drivers/printer/text-preview.ts';
import type { PrinterHealth, Receipt, ReceiptSink } from '../ports.ts';

export interface KeptReceipt {
  receipt: Receipt;
  /** As drivers/printer/text-preview.ts renders it: the same layout the paper would get. */
  text: string;
}

export class MemoryReceiptSink extends EventEmitter<{ health: [] }> implements ReceiptSink {
  readonly #keep: number;
  #kept: KeptReceipt[] = [];
  #running = false;

  constructor(keep = 20) {
    super();
    this.#keep = keep;
  }

  async start(): Promise<void> {
    this.#running = true;
    this.emit('health');
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.emit('health');
  }

  async print(receipt: Receipt): Promise<void> {
    this.#kept.push({ receipt, text: renderReceiptText(receipt) });
    if (this.#kept.length > this.#keep) this.#kept.splice(0, this.#kept.length - this.#keep);
  }

  health(): PrinterHealth {
    return { kind: 'simulated', connected: this.#running, online: this.#running, paperOut: false, paperNearEnd: false, coverOpen: false, queueDepth: 0, reconnects: 0 };
  }

  /** Newest last. */
  recent(): readonly KeptReceipt[] {
    return this.#kept;
  }

  last(): KeptReceipt | null {
    return this.#kept.at(-1) ?? null;
  }
}
