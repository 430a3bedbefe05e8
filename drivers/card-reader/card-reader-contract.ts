import { afterEach, describe, expect, it } from 'vitest';
import type { CardReader, CardRemoved, CardTap, DriverHealth } from './types.ts';

/**
 * The CardReader contract as a test suite, run identically against every back end
 * (`card-reader-contract.test.ts`). A back end joins by giving a harness: the real driver, started over a
 * real transport, plus the means to play the hardware on the far side of that transport.
 */
export interface CardReaderHarness {
  /** The reader under test, constructed but not started. */
  reader: CardReader;
  /** What `health().driver` must say. */
  driver: string;
  /** What `readerName` in `card` and `card.removed` must say. */
  readerName: string;
  /**
   * A card arrives in the field, its UID spelled as given (the contract passes lowercase hex). Resolves once
   * the far side has sent it (written to the pty, accepted by vpcd, tapped); the event may come later.
   */
  present(uid: string): Promise<void>;
  /**
   * The card stays in the field for a while. Readers that repeat the UID while a card is held (serial readers)
   * send those repeats here; for readers that do not, this may only let the time pass. Resolves when done.
   */
  hold(uid: string): Promise<void>;
  /** The card leaves the field (for serial readers: they stop repeating it; removal is the silence after). */
  remove(): Promise<void>;
  /** Stops the reader and releases everything on the far side (ptys, socat, virtual cards); safe to call twice. */
  dispose(): Promise<void>;
}

/** How long a single expected event may take: PC/SC goes through pcscd's polling. */
const EVENT_TIMEOUT_MS = 10_000;

/** UIDs as readers spell them: lowercase, 4, 5 (125 kHz EM) and 7 bytes (MIFARE Ultralight/NTAG). */
const UID_A = '04a1b2c3d4e5f6';
const UID_B = '0a001b2c3d';
const UID_C = '08aabbcc';
const upper = (uid: string): string => uid.toUpperCase();

type Logged =
  | { kind: 'card'; payload: CardTap }
  | { kind: 'card.removed'; payload: CardRemoved }
  | { kind: 'health'; payload: DriverHealth };

/**
 * Everything the reader emits, in order, and waits on it: resolves as soon as the log satisfies a predicate,
 * whether the event came before or after the wait began (serial readers may report a removal before the
 * harness's remove() returns).
 */
class EventLog {
  readonly entries: Logged[] = [];
  private waiters: { check: () => boolean; resolve: () => void }[] = [];
  private readonly onCard = (payload: CardTap): void => this.record({ kind: 'card', payload });
  private readonly onRemoved = (payload: CardRemoved): void => this.record({ kind: 'card.removed', payload });
  private readonly onHealth = (payload: DriverHealth): void => this.record({ kind: 'health', payload });

  constructor(private readonly reader: CardReader) {
    reader.on('card', this.onCard);
    reader.on('card.removed', this.onRemoved);
    reader.on('health', this.onHealth);
  }

  detach(): void {
    this.reader.off('card', this.onCard);
    this.reader.off('card.removed', this.onRemoved);
    this.reader.off('health', this.onHealth);
  }

  private record(entry: Logged): void {
    this.entries.push(entry);
    const ready = this.waiters.filter((w) => w.check());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  taps(from = 0): CardTap[] {
    return this.entries.slice(from).flatMap((e) => (e.kind === 'card' ? [e.payload] : []));
  }

  removals(from = 0): CardRemoved[] {
    return this.entries.slice(from).flatMap((e) => (e.kind === 'card.removed' ? [e.payload] : []));
  }

  healths(): DriverHealth[] {
    return this.entries.flatMap((e) => (e.kind === 'health' ? [e.payload] : []));
  }

  /** Card events only, as `card:UID` / `removed:UID`, for order checks. */
  cardEvents(from = 0): string[] {
    return this.entries
      .slice(from)
      .flatMap((e) => (e.kind === 'card' ? [`card:${e.payload.uid}`] : e.kind === 'card.removed' ? [`removed:${e.payload.uid}`] : []));
  }

  get mark(): number {
    return this.entries.length;
  }

  until(check: () => boolean, what: string, timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; card events so far: [${this.cardEvents().join(', ')}]`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ check, resolve: done });
    });
  }

  untilTap(uid: string, from: number): Promise<void> {
    return this.until(() => this.taps(from).some((t) => t.uid === uid), `a 'card' event for ${uid}`);
  }

  untilRemoved(uid: string, from: number): Promise<void> {
    return this.until(() => this.removals(from).some((r) => r.uid === uid), `a 'card.removed' event for ${uid}`);
  }
}

/** Resolves once the reader reports connected (start() may resolve before a PC/SC reader is announced). */
function untilConnected(reader: CardReader, log: EventLog): Promise<void> {
  return log.until(() => reader.health().connected, 'health().connected after start()');
}

/** framesRejected and reconnects in a sequence of snapshots never go down. */
function expectCountersNeverDecrease(snapshots: DriverHealth[]): void {
  for (let i = 1; i < snapshots.length; i += 1) {
    const before = snapshots[i - 1]!;
    const after = snapshots[i]!;
    expect(after.framesRejected, `framesRejected went down at snapshot ${i}`).toBeGreaterThanOrEqual(before.framesRejected);
    expect(after.reconnects, `reconnects went down at snapshot ${i}`).toBeGreaterThanOrEqual(before.reconnects);
  }
}

export function describeCardReaderContract(name: string, makeHarness: () => Promise<CardReaderHarness>): void {
  describe(`CardReader contract: ${name}`, () => {
    let harness: CardReaderHarness | undefined;
    let log: EventLog | undefined;

    afterEach(async () => {
      log?.detach();
      log = undefined;
      const h = harness;
      harness = undefined;
      await h?.dispose();
    });

    /** A fresh harness for the test, disposed after it whatever happens. */
    async function setUp(): Promise<{ h: CardReaderHarness; log: EventLog }> {
      harness = await makeHarness();
      log = new EventLog(harness.reader);
      return { h: harness, log };
    }

    async function started(): Promise<{ h: CardReaderHarness; log: EventLog }> {
      const rig = await setUp();
      await rig.h.reader.start();
      await untilConnected(rig.h.reader, rig.log);
      return rig;
    }

    /** present → hold → remove, waiting for the tap and then the removal. */
    async function presentation(h: CardReaderHarness, events: EventLog, uid: string): Promise<void> {
      const from = events.mark;
      await h.present(uid);
      await events.untilTap(upper(uid), from);
      await h.hold(uid);
      await h.remove();
      await events.untilRemoved(upper(uid), from);
    }

    it('start() and stop() are idempotent, and stop() before start() is harmless', async () => {
      const { h, log: events } = await setUp();
      await h.reader.stop();
      expect(h.reader.health().connected).toBe(false);
      await Promise.all([h.reader.start(), h.reader.start()]);
      await h.reader.start();
      await untilConnected(h.reader, events);
      // started three times, still one reader: one presentation is one tap and one removal, not three
      await presentation(h, events, UID_A);
      expect(events.cardEvents()).toEqual([`card:${upper(UID_A)}`, `removed:${upper(UID_A)}`]);
      await h.reader.stop();
      await Promise.all([h.reader.stop(), h.reader.stop()]);
      expect(h.reader.health().connected).toBe(false);
    });

    it('reports one card event per presentation, UID in uppercase hex, with the reader name and time', async () => {
      const { h, log: events } = await started();
      const before = Date.now();
      await h.present(UID_A);
      await events.untilTap(upper(UID_A), 0);
      const [tap] = events.taps();
      expect(tap).toMatchObject({ uid: '04A1B2C3D4E5F6', readerName: h.readerName });
      expect(tap!.at).toBeGreaterThanOrEqual(before);
      expect(tap!.at).toBeLessThanOrEqual(Date.now());
      expect(tap!.uid).toMatch(/^[0-9A-F]+$/);
      await h.remove();
      await events.untilRemoved(upper(UID_A), 0);
      expect(events.taps()).toHaveLength(1);
    });

    it('treats a held card as one tap, its removal as one card.removed with the same UID, and a new presentation as a new tap', async () => {
      const { h, log: events } = await started();
      await h.present(UID_A);
      await events.untilTap(upper(UID_A), 0);
      await h.hold(UID_A);
      await h.hold(UID_A);
      await h.remove();
      await events.untilRemoved(upper(UID_A), 0);
      expect(events.removals()).toEqual([{ uid: upper(UID_A), readerName: h.readerName }]);
      // the same card again after it was taken away: a new tap, which is also the barrier proving no late repeat
      const again = events.mark;
      await h.present(UID_A);
      await events.untilTap(upper(UID_A), again);
      await h.remove();
      await events.untilRemoved(upper(UID_A), again);
      expect(events.cardEvents()).toEqual([
        `card:${upper(UID_A)}`,
        `removed:${upper(UID_A)}`,
        `card:${upper(UID_A)}`,
        `removed:${upper(UID_A)}`,
      ]);
    });

    it('reports two different cards as two taps, in order, each removed once', async () => {
      const { h, log: events } = await started();
      await presentation(h, events, UID_B);
      await presentation(h, events, UID_C);
      expect(events.cardEvents()).toEqual([
        `card:${upper(UID_B)}`,
        `removed:${upper(UID_B)}`,
        `card:${upper(UID_C)}`,
        `removed:${upper(UID_C)}`,
      ]);
      expect(events.taps().map((t) => t.readerName)).toEqual([h.readerName, h.readerName]);
    });

    it('names the driver in health(), is connected after start(), and its counters never go down', async () => {
      const { h, log: events } = await setUp();
      const snapshots: DriverHealth[] = [h.reader.health()];
      expect(snapshots[0]).toMatchObject({ driver: h.driver, connected: false, framesRejected: 0, reconnects: 0 });
      await h.reader.start();
      await untilConnected(h.reader, events);
      snapshots.push(h.reader.health());
      expect(h.reader.health()).toMatchObject({ driver: h.driver, connected: true });
      await presentation(h, events, UID_A);
      snapshots.push(h.reader.health());
      await h.reader.stop();
      snapshots.push(h.reader.health());
      expect(h.reader.health()).toMatchObject({ driver: h.driver, connected: false });
      await h.reader.start();
      await untilConnected(h.reader, events);
      snapshots.push(h.reader.health());
      await presentation(h, events, UID_B);
      snapshots.push(h.reader.health());
      // every snapshot, pulled or pushed, in the order they were taken
      expectCountersNeverDecrease(snapshots);
      expectCountersNeverDecrease(events.healths());
      for (const snapshot of [...snapshots, ...events.healths()]) expect(snapshot.driver).toBe(h.driver);
      // a health() result is a snapshot: changing it does not change the driver's
      const copy = h.reader.health();
      copy.framesRejected = -1;
      expect(h.reader.health().framesRejected).toBeGreaterThanOrEqual(0);
    });

    it('emits nothing after stop(), and works again after a restart', async () => {
      const { h, log: events } = await started();
      await presentation(h, events, UID_A);
      await h.reader.stop();
      const stoppedAt = events.mark;
      // a card comes and goes while the reader is stopped: nothing until start() is called again
      await h.present(UID_B);
      await h.hold(UID_B);
      await h.remove();
      expect(events.entries.slice(stoppedAt)).toEqual([]);
      const restartedAt = events.mark;
      await h.reader.start();
      await untilConnected(h.reader, events);
      await presentation(h, events, UID_C);
      // Bytes a serial module sent while the driver was stopped may still be in the OS's buffers (or in socat) when
      // the port is reopened; reading them after the restart is not an event after stop(), so B may show up here,
      // nothing else may.
      const afterRestart = events.cardEvents(restartedAt).filter((e) => !e.endsWith(`:${upper(UID_B)}`));
      expect(afterRestart).toEqual([`card:${upper(UID_C)}`, `removed:${upper(UID_C)}`]);
      // and after the final stop nothing at all, not even health
      await h.reader.stop();
      const finalMark = events.mark;
      await h.present(UID_A);
      await h.hold(UID_A);
      await h.remove();
      expect(events.entries.slice(finalMark)).toEqual([]);
    });
  });
}
