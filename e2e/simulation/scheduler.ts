/**
 * The simulation's clock and agenda: actions run in time order, and in the order they were scheduled when
 * their times are equal (as callbacks queued for the same moment run in order). Nothing here is random.
 */
interface Agendum {
  at: number;
  order: number;
  run: () => void;
}

export class Scheduler {
  private heap: Agendum[] = [];
  private order = 0;
  now = 0;
  steps = 0;

  at(time: number, run: () => void): void {
    this.push({ at: Math.max(time, this.now), order: this.order++, run });
  }

  after(delayMs: number, run: () => void): void {
    this.at(this.now + delayMs, run);
  }

  /** Runs the next action; false when nothing is left. */
  step(): boolean {
    const next = this.pop();
    if (!next) return false;
    this.now = next.at;
    this.steps += 1;
    next.run();
    return true;
  }

  nextTime(): number | null {
    return this.heap[0]?.at ?? null;
  }

  private less(x: Agendum, y: Agendum): boolean {
    return x.at < y.at || (x.at === y.at && x.order < y.order);
  }

  private push(item: Agendum): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Agendum | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && this.less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && this.less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
