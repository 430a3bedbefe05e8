import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { HealthTracker } from '../health.ts';
import { maskUid } from '../mask-uid.ts';
import { TapDebouncer } from './tap-debouncer.ts';
import type { CardReader, CardReaderEvents, DriverHealth } from './types.ts';
import { normalizeUid } from './uid.ts';

/**
 * A reader for the demo and the screens' tests: tap(uid) and remove() stand in for a member's hand. It goes
 * through the same UID normalization and tap debouncing as the real readers, so holding a simulated card
 * (tapping the same UID again without remove) is one tap, as on hardware.
 */
export class SimulatedCardReader extends EventEmitter<CardReaderEvents> implements CardReader {
  private readonly health_ = new HealthTracker('simulated-reader');
  private readonly debouncer: TapDebouncer;
  private readonly log: Logger;
  private running = false;
  private held: string | undefined;

  constructor(private readonly options: { logger: Logger; readerName?: string }) {
    super();
    this.log = options.logger.child({ component: 'driver.simulated-reader' });
    this.debouncer = new TapDebouncer({
      holdGapMs: 0,
      bounceMs: 0,
      onRemoved: (uid) => this.emit('card.removed', { uid, readerName: this.readerName }),
    });
  }

  private get readerName(): string {
    return this.options.readerName ?? 'simulated';
  }

  async start(): Promise<void> {
    this.running = true;
    this.health_.setConnected(true);
    this.emit('health', this.health_.snapshot());
  }

  async stop(): Promise<void> {
    this.running = false;
    this.debouncer.reset();
    this.held = undefined;
    this.health_.setConnected(false);
    this.emit('health', this.health_.snapshot());
  }

  health(): DriverHealth {
    return this.health_.snapshot();
  }

  /** Places a card (memberNumber as a PC/SC reader would read it); returns false when ignored (stopped, held, bad UID). */
  tap(rawUid: string, memberNumber?: string): boolean {
    if (!this.running) return false;
    const uid = normalizeUid(rawUid);
    if (uid === undefined) {
      this.health_.recordRejectedFrame();
      this.health_.recordError('DRIVER_FRAME_REJECTED', 'simulated tap with an invalid UID');
      this.emit('health', this.health_.snapshot());
      return false;
    }
    if (!this.debouncer.sighted(uid)) return false;
    this.held = uid;
    this.log.debug({ uid: maskUid(uid) }, 'simulated tap');
    this.emit('card', { uid, readerName: this.readerName, at: Date.now(), ...(memberNumber ? { memberNumber } : {}) });
    return true;
  }

  remove(): void {
    if (this.held) this.debouncer.absent(this.held);
    this.held = undefined;
  }
}
