/**
 * A drivers/card-reader CardReader seen as the device's CardSource: taps become the device's CardTap (ISO
 * time, as the session and the outbox use), driver health becomes the reader part of the kiosk's state report.
 * The member number some PC/SC tags carry is not passed on: the hub identifies members by card UID.
 */
import { EventEmitter } from 'node:events';
import { SimulatedCardReader } from '../../drivers/card-reader/simulated-reader.ts';
import type { CardReader, CardTap as DriverCardTap, DriverHealth } from '../../drivers/card-reader/types.ts';
import type { CardReaderHealth, CardSource, CardTap, SimulatedTaps } from '../ports.ts';

export class CardReaderSource extends EventEmitter<{ card: [CardTap]; health: [] }> implements CardSource {
  readonly #reader: CardReader;
  readonly #kind: string;
  readonly #onCard = (tap: DriverCardTap): void => {
    this.emit('card', { uid: tap.uid, readerName: tap.readerName, at: new Date(tap.at).toISOString() });
  };
  readonly #onHealth = (): void => {
    this.emit('health');
  };

  /** `kind` is the configured reader kind (serial, pcsc, simulated), shown to technicians in the state report. */
  constructor(reader: CardReader, kind: string) {
    super();
    this.#reader = reader;
    this.#kind = kind;
  }

  /** The driver behind it. */
  get reader(): CardReader {
    return this.#reader;
  }

  async start(): Promise<void> {
    this.#reader.on('card', this.#onCard);
    this.#reader.on('health', this.#onHealth);
    await this.#reader.start();
  }

  async stop(): Promise<void> {
    await this.#reader.stop();
    this.#reader.off('card', this.#onCard);
    this.#reader.off('health', this.#onHealth);
  }

  health(): CardReaderHealth {
    return readerHealth(this.#kind, this.#reader.health());
  }
}

function readerHealth(kind: string, health: DriverHealth): CardReaderHealth {
  return {
    kind,
    connected: health.connected,
    ...(health.lastError ? { lastError: { ...health.lastError } } : {}),
    reconnects: health.reconnects,
    framesRejected: health.framesRejected,
  };
}

/**
 * The hand that taps a card source's simulated reader (drivers/card-reader's SimulatedCardReader), or null when
 * the source is another reader. Each tap presents the card and takes it away again: tapping the same demo card
 * twice from the screen is two taps, as a member tapping twice, not one card held on the reader.
 */
export function simulatedTaps(source: CardSource): SimulatedTaps | null {
  if (!(source instanceof CardReaderSource) || !(source.reader instanceof SimulatedCardReader)) return null;
  const reader = source.reader;
  return {
    tap(uid) {
      const tapped = reader.tap(uid);
      reader.remove();
      return tapped;
    },
  };
}
