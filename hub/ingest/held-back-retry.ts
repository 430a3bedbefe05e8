/**
 * Holds back a transaction the ledger answered with a gap (`TX_OUT_OF_ORDER`, `retry: true`) and applies it again
 * a moment later, before the kiosk is told.
 *
 * Why: with several hub workers on shared subscriptions (hub/workers/), consecutive transactions of one kiosk land
 * on different workers. Seq n+1 may reach worker B while worker A is still applying n; the ledger rightly refuses
 * n+1 as a gap, and the kiosk, told so, rewinds and resends everything from its oldest pending entry — per
 * transaction, a resend storm. A few milliseconds later A has committed n and n+1 applies. So the worker waits
 * (10 ms, growing to 200 ms: about half a second in all) and puts the item back into its ingest queue; only when
 * the gap outlasts that (n really lost on the way) does the kiosk get the answer, and resends as it always did.
 * The other items of the batch are answered at once: only the item with the gap waits.
 *
 * Nothing is decided here that the ledger does not decide again: a held item is applied afresh (it may then be
 * applied, a duplicate, or still a gap). Held items live in memory only: a worker that dies holding some loses
 * nothing the kiosk does not still have pending and resend.
 */
import type { TxResult } from '../../core/wire/result.ts';
import type { ReceivedTransaction } from '../ledger/ledger-store.ts';

/** The waits before each new try: the first gap waits 10 ms, the sixth 200 ms, then the kiosk is answered. */
export const HELD_BACK_DELAYS_MS: readonly number[] = [10, 20, 40, 80, 160, 200];
/**
 * The waits for a kiosk or card another worker holds (TX_DEVICE_BUSY): about three seconds in all. Unlike a gap,
 * which may be a transaction lost on the way, a busy claim ends for sure when the other worker's batch does (under a
 * second, or a few under load), and a kiosk told "busy" backs off for seconds (delivery-machine.ts).
 */
export const BUSY_DELAYS_MS: readonly number[] = [10, 20, 40, 80, 160, 250, 250, 250, 250, 250, 250, 250, 250, 250, 250];

export interface HeldBackRetryOptions {
  /** Puts the item back into the ingest's queue (TxIngest.requeue). */
  requeue(item: ReceivedTransaction): void;
  delaysMs?: readonly number[];
  /** The waits for TX_DEVICE_BUSY (BUSY_DELAYS_MS). */
  busyDelaysMs?: readonly number[];
  /** At most this many items waiting at once; past it a gap is answered at once (a flood is not hoarded in memory). */
  maxHeld?: number;
}

export class HeldBackRetry {
  private readonly tries = new WeakMap<ReceivedTransaction, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly delays: readonly number[];
  private readonly busyDelays: readonly number[];
  private readonly maxHeld: number;
  private stopped = false;
  /** Items held back so far (for tests and logs). */
  heldTotal = 0;

  constructor(private readonly options: HeldBackRetryOptions) {
    this.delays = options.delaysMs ?? HELD_BACK_DELAYS_MS;
    this.busyDelays = options.busyDelaysMs ?? BUSY_DELAYS_MS;
    this.maxHeld = options.maxHeld ?? 10_000;
  }

  /**
   * The ingest's hook, called for each result before it is published: true when this one is taken (applied again
   * later; its result is not sent now), false when it is to be answered now.
   */
  offer(item: ReceivedTransaction, result: TxResult): boolean {
    // A gap, or a kiosk another worker holds right now (hub/ledger/postgres/device-claims.ts): both pass in moments.
    const isGap = result.status === 'rejected' && (result.code === 'TX_OUT_OF_ORDER' || result.code === 'TX_DEVICE_BUSY') && result.retry === true;
    const tried = this.tries.get(item) ?? 0;
    const delay = (result.code === 'TX_DEVICE_BUSY' ? this.busyDelays : this.delays)[tried];
    if (!isGap || delay === undefined || this.stopped || this.timers.size >= this.maxHeld) {
      this.tries.delete(item);
      return false;
    }
    this.tries.set(item, tried + 1);
    this.heldTotal += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) this.options.requeue(item);
    }, delay);
    this.timers.add(timer);
    return true;
  }

  /** How many items wait now. */
  holding(): number {
    return this.timers.size;
  }

  /** Drops whatever waits (the hub is stopping: the kiosks still hold those entries and send them again). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
