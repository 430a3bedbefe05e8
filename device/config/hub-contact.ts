/**
 * When the kiosk last heard the hub: now while the link is up (connected, and the hub has not announced itself
 * offline), otherwise the last moment it was seen up. Offline limits stop offline spending after
 * `maxOfflineHours` without the hub, so this survives restarts: it is saved on connect, on disconnect and every
 * `saveEveryMs` while up (a kiosk killed while connected comes back at most that much earlier: stricter, never
 * looser).
 */
import type { HubLink } from '../link/hub-link.ts';

export interface HubContactDeps {
  link: Pick<HubLink, 'on' | 'off' | 'isConnected'>;
  /** What was saved last time (ms since 1970); null: this kiosk never reached its hub. */
  initialMs: number | null;
  save: (ms: number) => Promise<unknown> | void;
  now?: () => number;
  saveEveryMs?: number;
}

export interface HubContact {
  lastContactMs(): number | null;
  /** Stops tracking; resolves once the last save is done (a restart right after reads it). */
  stop(): Promise<void>;
}

export function trackHubContact(deps: HubContactDeps): HubContact {
  const now = deps.now ?? Date.now;
  let last = deps.initialMs;
  let saving: Promise<unknown> = Promise.resolve();

  function seen(): void {
    last = now();
    const ms = last;
    // One save after the other, so an older time never lands after a newer one.
    saving = saving.then(() => deps.save(ms)).catch(() => undefined);
  }
  function check(): void {
    if (deps.link.isConnected()) seen();
  }
  deps.link.on('connected', seen);
  // The moment it went away is the last moment it was there.
  deps.link.on('disconnected', seen);
  const timer = setInterval(check, deps.saveEveryMs ?? 60_000);
  timer.unref();

  return {
    lastContactMs() {
      if (deps.link.isConnected()) return now();
      return last;
    },
    async stop() {
      clearInterval(timer);
      deps.link.off('connected', seen);
      deps.link.off('disconnected', seen);
      await saving;
    },
  };
}
