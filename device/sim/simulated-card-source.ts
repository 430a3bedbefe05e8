/**
 * A card reader without hardware: `tap(uid)` emits what a real reader emits. Used by the demo (the screen's
 * "simulate tap" and POST /api/sim/tap) and tests. Unlike drivers/card-reader's SimulatedCardReader it does not
 * debounce: tapping the same demo card twice from the screen is two taps, which is what a demo wants.
 */
import { EventEmitter } from 'node:events';
import type { CardReaderHealth, CardSource, CardTap } from '../ports.ts';

export class SimulatedCardSource extends EventEmitter<{ card: [CardTap]; health: [] }> implements CardSource {
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
    this.emit('health');
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.emit('health');
  }

  health(): CardReaderHealth {
    return { kind: 'simulated', connected: this.#running, reconnects: 0, framesRejected: 0 };
  }

  /** Returns false when the reader is stopped: a stopped reader reads nothing. */
  tap(uid: string): boolean {
    if (!this.#running) return false;
    this.emit('card', { uid: uid.toUpperCase(), readerName: this.readerName, at: new Date(this.#now()).toISOString() });
    return true;
  }
}
