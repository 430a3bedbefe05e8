/**
 * Collects the results that arrive in one event-loop pass and hands them over together, so the outbox pays
 * one fsync for a burst of results instead of one per result (on kiosk flash an fsync is milliseconds).
 */
export interface Batcher<T> {
  add(item: T): void;
  /** Hands over whatever is collected right now (used before shutdown). */
  flushNow(): void;
  cancel(): void;
}

export function createBatcher<T>(flush: (items: T[]) => void): Batcher<T> {
  let items: T[] = [];
  let scheduled: NodeJS.Immediate | null = null;

  function run(): void {
    scheduled = null;
    if (items.length === 0) return;
    const batch = items;
    items = [];
    flush(batch);
  }

  return {
    add(item) {
      items.push(item);
      scheduled ??= setImmediate(run);
    },
    flushNow() {
      if (scheduled) clearImmediate(scheduled);
      run();
    },
    cancel() {
      if (scheduled) clearImmediate(scheduled);
      scheduled = null;
      items = [];
    },
  };
}
