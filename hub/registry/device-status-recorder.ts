/**
 * Takes what kiosks say on their state and availability topics (and that they said anything at all) from the
 * hub's MQTT client and records it write-behind: changes are merged per device in memory and written in one
 * database transaction per batch (BATCH_MS), so 500 kiosks reporting at once make a handful of transactions,
 * not 500 synchronous ones on the hub's event loop. Every record written is announced to `onRecorded` listeners
 * (the config fan-out benchmark times "published → recorded" with it). Nothing a kiosk sends can make it throw:
 * an unreadable payload is logged with its code, counted and ignored.
 */
import type { Logger } from 'pino';
import type { ErrorCode } from '../../core/errors/codes.ts';
import { parseAvailability, parseStateReport } from './device-state-report.ts';
import { mergeChanges, type DeviceStatus, type DeviceStatusChange, type DeviceStatusStore, type RolloutContext } from './device-status.ts';

/** How long changes gather before one transaction writes them. */
export const BATCH_MS = 100;
/** After a failed write, the batch is retried this much later (merged with what came since). */
const RETRY_MS = 1_000;
/** Any message from a kiosk counts as seen; recorded at most this often per kiosk (reports always are). */
const SEEN_RESOLUTION_MS = 5_000;
/** One log line per kiosk and code in this long; the rest are counted. */
const LOG_EVERY_MS = 60_000;

export interface RecorderCounters {
  /** State reports recorded (whole or with unreadable fields dropped). */
  states: number;
  /** State reports with some fields dropped as unreadable. */
  partialStates: number;
  availability: number;
  malformed: number;
  tooLarge: number;
  /** Reports that named another device than their topic. */
  mismatched: number;
  /** Retained copies ignored: they came after a newer report the kiosk sent live (see receiveState). */
  staleRetained: number;
  batches: number;
  writeFailures: number;
}

export interface DeviceStatusRecorderOptions {
  store: DeviceStatusStore;
  logger: Logger;
  batchMs?: number;
  now?: () => number;
}

/** A record as written, with the change it was written for (whether it carried a state report or availability). */
type Listener = (status: DeviceStatus, change: DeviceStatusChange) => void;

export class DeviceStatusRecorder {
  private readonly store: DeviceStatusStore;
  private readonly log: Logger;
  private readonly batchMs: number;
  private readonly now: () => number;
  private pending = new Map<string, DeviceStatusChange>();
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** Takes changes only between start() and stop(). */
  private stopped = true;
  private readonly listeners = new Set<Listener>();
  private readonly seenRecordedAt = new Map<string, number>();
  /** Each kiosk's own time (`at`) on the last report it sent live in this run. */
  private readonly liveReportAt = new Map<string, number>();
  private readonly loggedAt = new Map<string, { at: number; suppressed: number }>();
  private readonly counts: RecorderCounters = { states: 0, partialStates: 0, availability: 0, malformed: 0, tooLarge: 0, mismatched: 0, staleRetained: 0, batches: 0, writeFailures: 0 };

  constructor(options: DeviceStatusRecorderOptions) {
    this.store = options.store;
    this.log = options.logger.child({ component: 'hub.registry' });
    this.batchMs = options.batchMs ?? BATCH_MS;
    this.now = options.now ?? Date.now;
  }

  /** A message on `devices/{id}/state`; `retained`: delivered because the hub subscribed, not sent just now. */
  receiveState(deviceId: string, payload: Buffer, retained: boolean): void {
    if (this.stopped) return;
    // A retained report cleared (empty payload) says nothing about the kiosk.
    if (payload.length === 0) return;
    const parsed = parseStateReport(deviceId, payload);
    if (!parsed.ok) {
      if (parsed.code === 'DEVICE_STATE_TOO_LARGE') this.counts.tooLarge += 1;
      else if (parsed.code === 'DEVICE_STATE_MISMATCH') this.counts.mismatched += 1;
      else this.counts.malformed += 1;
      this.warn(deviceId, parsed.code, { channel: 'state', reason: parsed.reason, retained }, 'kiosk state report ignored');
      return;
    }
    const reportedAt = parsed.state.at === null ? NaN : Date.parse(parsed.state.at);
    if (retained) {
      // The broker sends its retained copy when the hub subscribes, and on a subscription to many kiosks' reports it
      // can send it after a newer report the kiosk sent live meanwhile (e2e/support/latest-reports.test.ts). A copy
      // no newer than the live report taken would overwrite it, and a kiosk does not repeat an unchanged report.
      const liveAt = this.liveReportAt.get(deviceId);
      if (liveAt !== undefined && !(reportedAt > liveAt)) {
        this.counts.staleRetained += 1;
        return;
      }
    } else if (Number.isFinite(reportedAt)) {
      this.liveReportAt.set(deviceId, reportedAt);
    }
    this.counts.states += 1;
    if (parsed.dropped.length > 0) {
      this.counts.partialStates += 1;
      this.warn(deviceId, 'DEVICE_STATE_MALFORMED', { channel: 'state', dropped: parsed.dropped.slice(0, 10) }, 'unreadable fields of a kiosk state report ignored; the rest recorded');
    }
    const now = this.now();
    // A retained report may be days old: it vouches for the kiosk at its own time, never later than now.
    const seenAt = retained ? (Number.isFinite(reportedAt) ? new Date(Math.min(reportedAt, now)).toISOString() : undefined) : new Date(now).toISOString();
    if (!retained) this.seenRecordedAt.set(deviceId, now);
    this.add({ deviceId, state: parsed.state, ...(seenAt ? { seenAt } : {}) });
  }

  /** `online` / `offline` on `devices/{id}/availability` (the broker publishes the kiosk's last will). */
  receiveAvailability(deviceId: string, payload: Buffer, retained: boolean): void {
    if (this.stopped) return;
    if (payload.length === 0) return;
    const parsed = parseAvailability(payload);
    if (!parsed.ok) {
      this.counts.malformed += 1;
      this.warn(deviceId, parsed.code, { channel: 'availability', reason: parsed.reason, retained }, 'kiosk availability ignored');
      return;
    }
    this.counts.availability += 1;
    const now = this.now();
    const at = new Date(now).toISOString();
    // Online said just now is a sign of life; offline is usually the broker speaking for a kiosk long gone.
    const seen = !retained && parsed.online;
    if (seen) this.seenRecordedAt.set(deviceId, now);
    this.add({ deviceId, availability: { online: parsed.online, at, live: !retained }, ...(seen ? { seenAt: at } : {}) });
  }

  /** Anything else the kiosk sent just now (a transaction, a look-up). Cheap: called on the ingest path. */
  seen(deviceId: string): void {
    if (this.stopped) return;
    const now = this.now();
    const last = this.seenRecordedAt.get(deviceId);
    if (last !== undefined && now - last < SEEN_RESOLUTION_MS) return;
    this.seenRecordedAt.set(deviceId, now);
    this.add({ deviceId, seenAt: new Date(now).toISOString() });
  }

  /** Called with each record as written (and the change it was written for), after its transaction commits. Returns the unsubscribe. */
  onRecorded(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The first record (already stored, or written from now on) that `match` accepts; rejects after `timeoutMs`.
   * For tests and benchmarks: "kiosk K reports store/S at version ≥ 3".
   */
  async waitFor(match: (status: DeviceStatus) => boolean, timeoutMs = 5_000): Promise<DeviceStatus> {
    let stop = () => undefined as unknown;
    let timer: NodeJS.Timeout | undefined;
    const later = new Promise<DeviceStatus>((resolve, reject) => {
      stop = this.onRecorded((status) => {
        if (match(status)) resolve(status);
      });
      timer = setTimeout(() => reject(new Error(`no matching device record within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const already = (await this.list()).find(match);
      return already ?? (await later);
    } finally {
      stop();
      clearTimeout(timer);
      later.catch(() => undefined);
    }
  }

  counters(): Readonly<RecorderCounters> {
    return { ...this.counts };
  }

  /** Every record, with what is still pending written first. */
  async list(): Promise<DeviceStatus[]> {
    await this.flush();
    return this.store.list();
  }

  /** What the signed configuration says about a rollout (DeviceStatusStore.rolloutContext). */
  rolloutContext(scope: string, version: number, refused: readonly { deviceId: string; snapshotVersion: number }[]): Promise<RolloutContext> {
    return this.store.rolloutContext(scope, version, refused);
  }

  /** Writes what is pending now (after any write under way). Never rejects. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.chain = this.chain.then(() => this.writePending());
    return this.chain;
  }

  /** Takes changes from now on (the store is open). */
  start(): void {
    this.stopped = false;
  }

  /** No more changes are taken; what is pending is written. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
  }

  private add(change: DeviceStatusChange): void {
    const older = this.pending.get(change.deviceId);
    this.pending.set(change.deviceId, older ? mergeChanges(older, change) : change);
    this.schedule(this.batchMs);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delayMs);
  }

  private async writePending(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    let recorded: DeviceStatus[];
    try {
      recorded = await this.store.apply(batch, new Date(this.now()).toISOString());
    } catch (error) {
      this.counts.writeFailures += 1;
      this.log.error({ err: error, code: 'DEVICE_REGISTRY_WRITE_FAILED' satisfies ErrorCode, devices: batch.length }, 'could not record kiosk reports; retrying');
      // What failed is older than whatever arrived since: merged under it, retried later (dropped once stopped).
      for (const change of batch) {
        const newer = this.pending.get(change.deviceId);
        this.pending.set(change.deviceId, newer ? mergeChanges(change, newer) : change);
      }
      this.schedule(RETRY_MS);
      return;
    }
    this.counts.batches += 1;
    // The store answers one record per change, in the batch's order.
    recorded.forEach((status, index) => {
      const change = batch[index] ?? { deviceId: status.deviceId };
      for (const listener of this.listeners) {
        try {
          listener(status, change);
        } catch (error) {
          this.log.error({ err: error }, 'a device registry listener failed');
        }
      }
    });
  }

  private warn(deviceId: string, code: ErrorCode, fields: Record<string, unknown>, message: string): void {
    const key = `${deviceId}\u0000${code}`;
    const now = this.now();
    const last = this.loggedAt.get(key);
    if (last && now - last.at < LOG_EVERY_MS) {
      last.suppressed += 1;
      return;
    }
    this.loggedAt.set(key, { at: now, suppressed: 0 });
    this.log.warn({ code, deviceId, ...fields, ...(last?.suppressed ? { suppressedSinceLast: last.suppressed } : {}) }, message);
  }
}
