/**
 * What the kiosk tells about itself and hears about the hub: its retained availability (`online` when the
 * link is up, `offline` said on a clean stop; the last will says it otherwise), its retained state report
 * (versions, outbox depth, epoch, oldest pending slot, at most MAX_STATE_REPORT_BYTES, throttled to one a
 * second, and not sent again unchanged within STATE_REFRESH_MS on one connection), and what the hub last announced
 * on its own availability topic (unknown counts as online).
 */
import type { Logger } from 'pino';
import { MAX_STATE_REPORT_BYTES } from '../../core/wire/limits.ts';
import type { Topics } from '../../core/wire/topics.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import { LINK_LOG_CODES } from './link-log-codes.ts';

const STATE_PUBLISH_INTERVAL_MS = 1000;
/**
 * A report the same as the last one published on this connection (but for its time) is skipped for this long.
 * Every closed sale asks for a report; a selling kiosk's depth goes 1 → 0 and reads 0 at each one, so a fleet of
 * thousands sent the hub the same record at every sale (a retained message to the broker, a row write on the hub).
 * Signs of life do not need it: the hub counts any message as one. The first report on each connection always goes.
 */
const STATE_REFRESH_MS = 5 * 60_000;

type Publish = (topic: string, payload: string, options: { qos: 1; retain: true }) => void;

export interface PresenceOptions {
  deviceId: string;
  topics: Topics;
  outbox: Outbox;
  logger: Logger;
  /** Extra fields for the retained state report (versions, driver health). */
  reportState?: () => Record<string, unknown>;
  /** How to publish right now; null when not connected. */
  publisher: () => Publish | null;
}

export interface Presence {
  /** The link is up: say `online`. */
  announceOnline(): void;
  /** The hub's availability message; returns true when it is a live `online` (the hub came back). */
  onHubAvailability(online: boolean, retained: boolean): boolean;
  /** What the hub last announced; unknown counts as online. */
  hubOnline(): boolean;
  /** Publishes the retained state report now-ish (throttled). */
  publishState(): void;
  /** Stops the pending state report. */
  cancel(): void;
}

export function createPresence(opts: PresenceOptions): Presence {
  const { deviceId, topics, outbox, logger: log } = opts;
  let hubOnline = true;
  let stateTimer: NodeJS.Timeout | null = null;
  let lastStateAt = 0;
  /** What the last report said (without its time) on this connection; null: nothing sent on it yet. */
  let lastContent: string | null = null;
  let lastContentAt = 0;

  function publishStateNow(): void {
    const publish = opts.publisher();
    if (!publish) return;
    const now = Date.now();
    lastStateAt = now;
    const oldest = outbox.oldestPending();
    const content = {
      deviceId,
      connected: true,
      outboxDepth: outbox.depth(),
      epoch: outbox.epoch(),
      oldestPending: oldest ? { epoch: oldest.epoch, seq: oldest.seq } : null,
      ...(opts.reportState?.() ?? {}),
    };
    const contentText = JSON.stringify(content);
    if (contentText === lastContent && now - lastContentAt < STATE_REFRESH_MS) return;
    const text = JSON.stringify({ ...content, at: new Date(now).toISOString() });
    if (Buffer.byteLength(text) > MAX_STATE_REPORT_BYTES) {
      log.warn({ code: LINK_LOG_CODES.stateTooLarge, bytes: Buffer.byteLength(text) }, 'state report too large; not published');
      return;
    }
    publish(topics.state(deviceId), text, { qos: 1, retain: true });
    lastContent = contentText;
    lastContentAt = now;
  }

  return {
    announceOnline() {
      // A new connection: its first report goes whatever the last one said.
      lastContent = null;
      opts.publisher()?.(topics.availability(deviceId), 'online', { qos: 1, retain: true });
    },
    onHubAvailability(online, retained) {
      if (online !== hubOnline) log.info({ hubOnline: online }, online ? 'the hub is online' : 'the hub announced itself offline');
      hubOnline = online;
      // A live announcement, not the retained copy every subscribe gets.
      return online && !retained;
    },
    hubOnline: () => hubOnline,
    publishState() {
      if (!opts.publisher() || stateTimer) return;
      const wait = Math.max(0, lastStateAt + STATE_PUBLISH_INTERVAL_MS - Date.now());
      stateTimer = setTimeout(() => {
        stateTimer = null;
        publishStateNow();
      }, wait);
      stateTimer.unref();
    },
    cancel() {
      if (stateTimer) clearTimeout(stateTimer);
      stateTimer = null;
    },
  };
}
