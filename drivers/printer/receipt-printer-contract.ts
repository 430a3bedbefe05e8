import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { sampleReceipt } from '../testing/sample-receipt.ts';
import type { PrinterStatus, ReceiptPrinter } from './types.ts';

/**
 * The ReceiptPrinter contract as a test suite, run identically against every back end
 * (`receipt-printer-contract.test.ts`). A back end joins by giving a harness: the real driver over a real
 * transport, plus the printer on the far side of it (a fake TCP or serial printer, or the simulator's own knobs).
 */
export interface ReceiptPrinterHarness {
  /** The printer under test, constructed but not started. */
  printer: ReceiptPrinter;
  /** What `health().driver` must say. */
  driver: string;
  /** Switches the far-side printer off (unreachable) or on again. May be called before start(). */
  setOnline(online: boolean): Promise<void>;
  /** The far side's paper and cover sensors. May be called before start(). */
  setPaper(state: { paperOut?: boolean; coverOpen?: boolean }): Promise<void>;
  /** Tx ids of the receipts that came out of the far side, in order, over the harness's whole life. */
  printedTxIds(): string[];
  /** Tx ids of receipts that came out while the far side had no paper or an open cover (must stay empty). */
  printedWhileUnable(): string[];
  /** Releases the far side (sockets, socat, ports) and stops the printer; safe to call twice. */
  dispose(): Promise<void>;
}

/** print() hands the job to a queue; a member's session must never wait on the printer. */
const PRINT_RESOLVES_WITHIN_MS = 200;
const EVENT_TIMEOUT_MS = 10_000;

let txCounter = 0;
const nextTxId = (): string => `01CONTRACT${String(++txCounter).padStart(8, '0')}`;

function until(check: () => boolean, what: string, describeState: () => string, timeoutMs = EVENT_TIMEOUT_MS): Promise<void> {
  if (check()) return Promise.resolve();
  // Waits on whatever the far side or the driver reports: polled on a short tick, since the far side (a socket
  // peer, a pty) has no event of its own to hook.
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = setInterval(() => {
      if (check()) {
        clearInterval(tick);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(tick);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${describeState()}`));
      }
    }, 10);
  });
}

export function describeReceiptPrinterContract(name: string, makeHarness: () => Promise<ReceiptPrinterHarness>): void {
  describe(`ReceiptPrinter contract: ${name}`, () => {
    let harness: ReceiptPrinterHarness | undefined;

    afterEach(async () => {
      const h = harness;
      harness = undefined;
      await h?.dispose();
    });

    async function setUp(): Promise<ReceiptPrinterHarness> {
      harness = await makeHarness();
      return harness;
    }

    const state = (h: ReceiptPrinterHarness) => (): string =>
      `status ${JSON.stringify(h.printer.status())}, health ${JSON.stringify(h.printer.health())}, printed [${h.printedTxIds().join(', ')}]`;

    function untilStatus(h: ReceiptPrinterHarness, accept: (s: PrinterStatus) => boolean, what: string): Promise<void> {
      return until(() => accept(h.printer.status()), what, state(h));
    }

    function untilPrinted(h: ReceiptPrinterHarness, count: number): Promise<void> {
      return until(() => h.printedTxIds().length >= count, `${count} receipt(s) out of the printer`, state(h));
    }

    /** print() and how long it took to resolve. */
    async function timedPrint(h: ReceiptPrinterHarness, txId: string): Promise<{ elapsedMs: number; queueDepth: number; jobId: string }> {
      const receipt = sampleReceipt({ txId, language: 'en', paperWidthMm: 58 });
      const started = performance.now();
      const result = await h.printer.print(receipt);
      const elapsedMs = performance.now() - started;
      expect(result.status).toBe('queued');
      return { elapsedMs, queueDepth: result.queueDepth, jobId: result.jobId };
    }

    /**
     * The job held back is printed exactly once when the printer can print again: a second job printed after it
     * is the barrier proving no duplicate of the first came out in between or after.
     */
    async function expectPrintedExactlyOnceAfter(
      h: ReceiptPrinterHarness,
      held: string,
      jobs: { jobId: string; txId: string }[],
      before: number,
    ): Promise<void> {
      await untilPrinted(h, before + 1);
      const barrier = nextTxId();
      await timedPrint(h, barrier);
      await untilPrinted(h, before + 2);
      // The far end can hold the barrier's bytes before the driver's write is acknowledged (a serial line's
      // drain), so the queue empties a moment after the paper comes out: wait for it, not assume it.
      await untilStatus(h, (s) => s.queueDepth === 0, 'the queue empty once the barrier is out');
      expect(h.printedTxIds().slice(before)).toEqual([held, barrier]);
      expect(h.printedTxIds().filter((t) => t === held)).toHaveLength(1);
      expect(jobs.filter((j) => j.txId === held)).toHaveLength(1);
      expect(jobs.filter((j) => j.txId === barrier)).toHaveLength(1);
      expect(h.printedWhileUnable()).toEqual([]);
    }

    /**
     * The driver reports a job printed once its write is acknowledged, which can come a moment after the far end
     * holds the paper: wait for the reports rather than assume them.
     */
    function untilReported(h: ReceiptPrinterHarness, jobs: { txId: string }[], count: number): Promise<void> {
      return until(() => jobs.length >= count, `${count} job.printed report(s)`, () => `${state(h)()}, reported [${jobs.map((j) => j.txId).join(', ')}]`);
    }

    function recordJobs(h: ReceiptPrinterHarness): { jobId: string; txId: string }[] {
      const jobs: { jobId: string; txId: string }[] = [];
      h.printer.on('job.printed', (job) => jobs.push(job));
      return jobs;
    }

    it('names the driver in health(); start() and stop() are idempotent; it prints again after a restart', async () => {
      const h = await setUp();
      const jobs = recordJobs(h);
      expect(h.printer.health()).toMatchObject({ driver: h.driver, connected: false });
      await h.printer.stop();
      await Promise.all([h.printer.start(), h.printer.start()]);
      await h.printer.start();
      await untilStatus(h, (s) => s.online, 'online after start()');
      expect(h.printer.health()).toMatchObject({ driver: h.driver, connected: true });
      const first = nextTxId();
      await timedPrint(h, first);
      await untilPrinted(h, 1);
      await Promise.all([h.printer.stop(), h.printer.stop()]);
      await h.printer.stop();
      expect(h.printer.health()).toMatchObject({ driver: h.driver, connected: false });
      await h.printer.start();
      await untilStatus(h, (s) => s.online, 'online after a restart');
      const second = nextTxId();
      await timedPrint(h, second);
      await untilPrinted(h, 2);
      await untilReported(h, jobs, 2);
      // started several times, still one pump: each receipt came out once
      expect(h.printedTxIds()).toEqual([first, second]);
      expect(jobs.map((j) => j.txId)).toEqual([first, second]);
      expect(new Set(jobs.map((j) => j.jobId)).size).toBe(2);
    });

    it('reports a printer switched off at start as offline, queues without waiting, prints the job once when it is on', async () => {
      const h = await setUp();
      const jobs = recordJobs(h);
      await h.setOnline(false);
      await h.printer.start();
      expect(h.printer.status().online).toBe(false);
      const held = nextTxId();
      const printedBefore = h.printedTxIds().length;
      const { elapsedMs, queueDepth } = await timedPrint(h, held);
      expect(elapsedMs).toBeLessThan(PRINT_RESOLVES_WITHIN_MS);
      expect(queueDepth).toBe(1);
      expect(h.printer.status()).toMatchObject({ online: false, queueDepth: 1 });
      expect(h.printedTxIds()).toEqual([]);
      await h.setOnline(true);
      await untilStatus(h, (s) => s.online, 'online once switched on');
      await expectPrintedExactlyOnceAfter(h, held, jobs, printedBefore);
      expect(h.printer.health()).toMatchObject({ driver: h.driver, connected: true });
    });

    it('notices a printer going away while running, queues without waiting, prints the job once when it is back', async () => {
      const h = await setUp();
      const jobs = recordJobs(h);
      await h.printer.start();
      await untilStatus(h, (s) => s.online, 'online after start()');
      await h.setOnline(false);
      await untilStatus(h, (s) => !s.online, 'offline after the printer went away');
      const held = nextTxId();
      const printedBefore = h.printedTxIds().length;
      const { elapsedMs } = await timedPrint(h, held);
      expect(elapsedMs).toBeLessThan(PRINT_RESOLVES_WITHIN_MS);
      expect(h.printer.status().queueDepth).toBe(1);
      await h.setOnline(true);
      await expectPrintedExactlyOnceAfter(h, held, jobs, printedBefore);
      expect(h.printer.status().online).toBe(true);
    });

    it('reports paper out, queues without waiting, prints the job once when paper is back', async () => {
      const h = await setUp();
      const jobs = recordJobs(h);
      await h.setPaper({ paperOut: true });
      await h.printer.start();
      await untilStatus(h, (s) => s.paperOut, 'paperOut in status()');
      expect(h.printer.status()).toMatchObject({ online: true, paperOut: true, coverOpen: false });
      const held = nextTxId();
      const printedBefore = h.printedTxIds().length;
      const { elapsedMs } = await timedPrint(h, held);
      expect(elapsedMs).toBeLessThan(PRINT_RESOLVES_WITHIN_MS);
      expect(h.printer.status().queueDepth).toBe(1);
      await h.setPaper({ paperOut: false });
      await untilStatus(h, (s) => !s.paperOut, 'paperOut cleared');
      await expectPrintedExactlyOnceAfter(h, held, jobs, printedBefore);
    });

    it('withdraws a job held back by paper out: it never prints, not even once paper is back; cancel() of a printed job is false', async () => {
      const h = await setUp();
      const jobs = recordJobs(h);
      await h.setPaper({ paperOut: true });
      await h.printer.start();
      await untilStatus(h, (s) => s.paperOut, 'paperOut in status()');
      const withdrawn = nextTxId();
      const { jobId } = await timedPrint(h, withdrawn);
      expect(h.printer.cancel(jobId)).toBe(true);
      expect(h.printer.cancel(jobId)).toBe(false);
      expect(h.printer.status().queueDepth).toBe(0);
      await h.setPaper({ paperOut: false });
      await untilStatus(h, (s) => !s.paperOut, 'paperOut cleared');
      // The barrier: a receipt printed after paper is back comes out alone.
      const barrier = nextTxId();
      const printed = await timedPrint(h, barrier);
      await untilPrinted(h, 1);
      await untilReported(h, jobs, 1);
      expect(h.printedTxIds()).toEqual([barrier]);
      expect(jobs.map((j) => j.txId)).toEqual([barrier]);
      expect(h.printer.cancel(printed.jobId)).toBe(false);
    });

    it('reports the cover open, queues without waiting, prints the job once when it is closed', async () => {
      const h = await setUp();
      const jobs = recordJobs(h);
      await h.printer.start();
      await untilStatus(h, (s) => s.online, 'online after start()');
      await h.setPaper({ coverOpen: true });
      await untilStatus(h, (s) => s.coverOpen, 'coverOpen in status()');
      expect(h.printer.status()).toMatchObject({ online: true, coverOpen: true, paperOut: false });
      const held = nextTxId();
      const printedBefore = h.printedTxIds().length;
      const { elapsedMs } = await timedPrint(h, held);
      expect(elapsedMs).toBeLessThan(PRINT_RESOLVES_WITHIN_MS);
      expect(h.printer.status().queueDepth).toBe(1);
      await h.setPaper({ coverOpen: false });
      await untilStatus(h, (s) => !s.coverOpen, 'coverOpen cleared');
      await expectPrintedExactlyOnceAfter(h, held, jobs, printedBefore);
    });
  });
}
