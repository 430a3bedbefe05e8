/**
 * Print jobs waiting for the printer, oldest first. Bounded: a kiosk whose printer has been dead all day must
 * not hold a day of receipts in memory, and a receipt printed hours late is worth less than a recent one, so
 * when full the oldest job is dropped (and reported) to make room.
 */
export interface PrintJob {
  id: string;
  txId: string;
  bytes: Buffer;
  queuedAt: number;
}

export class PrintQueue {
  private readonly jobs: PrintJob[] = [];

  constructor(private readonly limit: number) {}

  /** Adds a job; returns the job dropped to make room, if any. */
  push(job: PrintJob): PrintJob | undefined {
    this.jobs.push(job);
    return this.jobs.length > this.limit ? this.jobs.shift() : undefined;
  }

  peek(): PrintJob | undefined {
    return this.jobs[0];
  }

  /** Removes the job once it was handed to the printer; a no-op if it was dropped meanwhile. */
  done(job: PrintJob): void {
    const index = this.jobs.indexOf(job);
    if (index !== -1) this.jobs.splice(index, 1);
  }

  /** Removes a waiting job by id (withdrawn); false when there is none. */
  remove(id: string): boolean {
    const index = this.jobs.findIndex((job) => job.id === id);
    if (index === -1) return false;
    this.jobs.splice(index, 1);
    return true;
  }

  get depth(): number {
    return this.jobs.length;
  }
}
