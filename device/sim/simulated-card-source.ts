/**
 * A card reader without hardware: `tap(uid)` emits what a real reader emits. Used by the demo (the screen's
 * "simulate tap" and POST /api/sim/tap) and tests; the lead swaps in drivers/card-reader for real readers.
 */
import { EventEmitter } from 'node:events';
import type { CardSource, CardTap } from '../ports.ts';

export class SimulatedCardSource extends EventEmitter<{ card: [CardTap] }> implements CardSource {
  #running = false;
  readonly readerName: string;
  readonly #now: () => number;

  constructor(readerName = 'simulated reader', now: () => number = Date.now) {
    super();
    this.readerName = readerName;
    this.#now = now;
  }

  async start(): Promise<void> {
    this.#running = true;
  }

  async stop(): Promise<void> {
    this.#running = false;
  }

  /** Returns false when the reader is stopped: a stopped reader reads nothing. */
  tap(uid: string): boolean {
    if (!this.#running) return false;
    this.emit('card', { uid: uid.toUpperCase(), readerName: this.readerName, at: new Date(this.#now()).toISOString() });
    return true;
  }
}
