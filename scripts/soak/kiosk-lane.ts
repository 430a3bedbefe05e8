/**
 * One kiosk as the soak's tills share it. A kiosk has one card reader and acts only for the card on it, so a
 * tap and the transaction after it must not interleave with another till's: the tills take turns.
 */

/** One kiosk's reader: tap → transaction is one turn, never interleaved with another till's. */
export class Lane {
  private tail: Promise<void> = Promise.resolve();
  /** Until when the last try found no staff session could be opened: top-ups wait without asking again. */
  noStaffUntil = 0;

  constructor(
    readonly id: string,
    readonly apiUrl: string,
  ) {}

  async turn<T>(work: () => Promise<T>): Promise<T> {
    const before = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await before;
    try {
      return await work();
    } finally {
      release();
    }
  }
}
