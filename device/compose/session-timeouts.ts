/**
 * How long the kiosk's screen waits at each step: the command line's tuning where it sets one, else the member's
 * screen idles as long as the signed configuration says (screen.idleSeconds), else the session's defaults. Apart
 * from device/main.ts so the composition root reads as steps.
 */
import type { ConfigStore } from '../config/config-store.ts';
import type { SessionTimeouts } from '../session/kiosk-session.ts';
import type { ResolvedDeviceConfig } from './device-config.ts';

/** What createKioskSession takes of them: `timeouts`, and `memberIdleMs` unless the tuning set the member's. */
export function sessionTimeouts(config: ResolvedDeviceConfig, configStore: ConfigStore): { timeouts: Partial<SessionTimeouts>; memberIdleMs?: () => number | undefined } {
  return {
    timeouts: stripUndefined(config.tuning.session ?? {}),
    // The configuration's idle time, unless the command line's tuning set one.
    ...(config.tuning.session?.memberMs === undefined ? { memberIdleMs: () => secondsToMs(configStore.current()?.effective.screen.idleSeconds) } : {}),
  };
}

function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}

function stripUndefined(timeouts: { [K in keyof SessionTimeouts]?: number | undefined }): Partial<SessionTimeouts> {
  return Object.fromEntries(Object.entries(timeouts).filter(([, v]) => v !== undefined));
}
