/**
 * What the screen is told, pushed as it happens (GET /api/events carries it as server-sent events):
 *
 * - `session`: the session view whenever the session changes (a tap, a look-up answered, an action running,
 *   its result and receipt, a timeout back to idle), with the text preview of the receipt on screen. This is
 *   the one way a transaction's result reaches the page: the page renders it from here, never from the HTTP
 *   reply of the request that made the transaction.
 *   The staff member signed in on this kiosk (`staff`) rides along, and a sign-in, a sign-out or the staff
 *   session's expiry pushes the session again: the screen shows the staff banner and actions without asking.
 * - `link`: whether the hub is reachable and how many transactions wait to be sent, whenever either changes.
 * - `hardware`: the reader and the printer in one word each (device/hardware/hardware-state.ts), whenever either
 *   changes: a reader unplugged, a printer out of paper, either back.
 * - `screen-message`: a message over whatever the screen shows, for a few seconds (screen-message.ts: a kiosk flow's or
 *   HQ's); a page that subscribes while one is up gets it too, with the seconds it has left.
 *
 * A subscriber first gets the current session, link and hardware state, then the changes: a page that (re)connects
 * loads the current view from its first events. The link state is compared with what each subscriber was last
 * sent and sent only when it differs; it is checked on the link's events (connected, disconnected, an entry closed), when a
 * use case appended, and once a second while anyone listens, because a hub announcing itself offline or an
 * epoch move changes it without an event of its own. That check reads two values in memory: nothing is polled
 * over the network. The hardware state is compared the same way: on the drivers' health events, and with the
 * link state each second.
 */
import { renderReceiptSvg } from '../../drivers/printer/svg-preview.ts';
import { renderReceiptText } from '../../drivers/printer/text-preview.ts';
import type { EventEmitter } from 'node:events';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import { sameHardwareState, type HardwareState } from '../hardware/hardware-state.ts';
import type { HubLinkEvents } from '../link/hub-link.ts';
import type { KioskSession, SessionView } from '../session/kiosk-session.ts';
import { remainingMessage, type ScreenMessage } from './screen-message.ts';

/** GET /api/session: the view with both previews of the receipt on screen (the printer's own layouts). */
export interface SessionSnapshot {
  session: SessionView;
  receiptText: string | null;
  receiptSvg: string | null;
}

/** The session as pushed: the view, the preview the page shows, and the staff member signed in (or null). */
export interface SessionEventData {
  session: SessionView;
  receiptText: string | null;
  staff: StaffSessionView | null;
}

export interface LinkStateData {
  connected: boolean;
  outboxDepth: number;
}

export type KioskEvent =
  | { type: 'session'; data: SessionEventData }
  | { type: 'link'; data: LinkStateData }
  | { type: 'hardware'; data: HardwareState }
  | { type: 'screen-message'; data: ScreenMessage };

/** Something whose 'health' event means the hardware state may have changed (the card source, the receipt sink). */
export interface HealthEventSource {
  on(event: 'health', listener: () => void): unknown;
  off(event: 'health', listener: () => void): unknown;
}

/** The reader and printer state, and what tells of a change. */
export interface HardwareStateSource {
  state(): HardwareState;
  sources: readonly HealthEventSource[];
}

export type KioskEventListener = (event: KioskEvent) => void;

/** The link's events the kiosk listens to (HubLink is one). */
export type LinkEventSource = Pick<EventEmitter<HubLinkEvents>, 'on' | 'off'>;

export interface KioskEvents {
  /** Sends the current session and link state to `listener` at once, then every change, until unsubscribed. */
  subscribe(listener: KioskEventListener): () => void;
  /** Something may have moved the link state (an append): pushed soon, if it changed. */
  linkMayHaveChanged(): void;
  /**
   * The staff session is now `staff` (signed in) or null (signed out): the session is pushed again with it. An
   * open staff session is pushed once more, as null, when it expires.
   */
  staffChanged(staff: StaffSessionView | null): void;
  /** A message over the screen, replacing the one on show (screen-message.ts). */
  showMessage(message: ScreenMessage): void;
  sessionSnapshot(): SessionSnapshot;
  /** How many listen right now. */
  listeners(): number;
  stop(): void;
}

export interface KioskEventsDeps {
  session: Pick<KioskSession, 'view' | 'state'> & Pick<EventEmitter<{ change: [SessionView] }>, 'on' | 'off'>;
  link: LinkEventSource;
  linkState: () => LinkStateData;
  /** Absent: no `hardware` events (a kiosk without drivers to report, some tests). */
  hardware?: HardwareStateSource;
  /** How often the link state is compared while anyone listens; default 1000 ms. */
  linkCheckMs?: number;
  /** A listener that throws is dropped (a closed stream); this hears of it. */
  onListenerError?: (error: unknown) => void;
  /** For the staff session's expiry; default Date.now. */
  now?: () => number;
}

/** setTimeout's longest wait. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createKioskEvents(deps: KioskEventsDeps): KioskEvents {
  /** Each listener with the link and hardware state it was last sent. */
  const listeners = new Map<KioskEventListener, { link: LinkStateData; hardware: HardwareState | null }>();
  let checkScheduled = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const now = deps.now ?? Date.now;
  let staff: StaffSessionView | null = null;
  let staffTimer: NodeJS.Timeout | null = null;
  /** The last message shown; sent to a page that subscribes before it has gone. */
  let message: ScreenMessage | null = null;

  /** The staff session as last told, unless it has expired since. */
  function staffNow(): StaffSessionView | null {
    if (staff && Date.parse(staff.expiresAt) <= now()) staff = null;
    return staff;
  }

  function receiptOnScreen() {
    const state = deps.session.state();
    return state.name === 'receipt' ? state.receipt : null;
  }

  function sessionData(): SessionEventData {
    const receipt = receiptOnScreen();
    return { session: deps.session.view(), receiptText: receipt ? renderReceiptText(receipt) : null, staff: staffNow() };
  }

  function send(listener: KioskEventListener, event: KioskEvent): void {
    try {
      listener(event);
    } catch (error) {
      listeners.delete(listener);
      deps.onListenerError?.(error);
    }
  }

  const onSessionChange = () => {
    if (listeners.size === 0) return;
    const event: KioskEvent = { type: 'session', data: sessionData() };
    for (const listener of [...listeners.keys()]) send(listener, event);
  };

  function setStaff(next: StaffSessionView | null): void {
    if (staffTimer) clearTimeout(staffTimer);
    staffTimer = null;
    staff = next;
    const left = next ? Date.parse(next.expiresAt) - now() : 0;
    // Its expiry is pushed too (a timer can wait at most about 24.8 days; a longer session is re-armed then).
    if (next && left > 0) {
      staffTimer = setTimeout(() => setStaff(left > MAX_TIMER_MS ? next : null), Math.min(left, MAX_TIMER_MS));
      staffTimer.unref();
    }
    onSessionChange();
  }

  function checkLink(): void {
    checkScheduled = false;
    if (stopped || listeners.size === 0) return;
    const now = deps.linkState();
    const hardware = deps.hardware?.state() ?? null;
    for (const [listener, last] of [...listeners]) {
      if (last.link.connected !== now.connected || last.link.outboxDepth !== now.outboxDepth) {
        last.link = now;
        send(listener, { type: 'link', data: now });
      }
      if (hardware && (!last.hardware || !sameHardwareState(last.hardware, hardware))) {
        last.hardware = hardware;
        send(listener, { type: 'hardware', data: hardware });
      }
    }
  }

  /** Coalesced: a burst of results closing entries is one comparison, after the burst. */
  function scheduleLinkCheck(): void {
    if (checkScheduled || stopped) return;
    checkScheduled = true;
    setImmediate(checkLink);
  }

  deps.session.on('change', onSessionChange);
  deps.link.on('connected', scheduleLinkCheck);
  deps.link.on('disconnected', scheduleLinkCheck);
  deps.link.on('result', scheduleLinkCheck);
  for (const source of deps.hardware?.sources ?? []) source.on('health', scheduleLinkCheck);

  return {
    subscribe(listener) {
      if (stopped) return () => undefined;
      const link = deps.linkState();
      const hardware = deps.hardware?.state() ?? null;
      listeners.set(listener, { link, hardware });
      send(listener, { type: 'session', data: sessionData() });
      send(listener, { type: 'link', data: link });
      if (hardware) send(listener, { type: 'hardware', data: hardware });
      const showing = message ? remainingMessage(message, now()) : null;
      if (showing) send(listener, { type: 'screen-message', data: showing });
      if (!timer) {
        timer = setInterval(checkLink, deps.linkCheckMs ?? 1000);
        timer.unref();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
    linkMayHaveChanged: scheduleLinkCheck,
    staffChanged(next) {
      if (!stopped) setStaff(next);
    },
    showMessage(next) {
      if (stopped) return;
      message = next;
      const event: KioskEvent = { type: 'screen-message', data: next };
      for (const listener of [...listeners.keys()]) send(listener, event);
    },
    sessionSnapshot() {
      const receipt = receiptOnScreen();
      // Both previews come from the printer's own layout of the same receipt, so the screen shows what the paper gets.
      return { session: deps.session.view(), receiptText: receipt ? renderReceiptText(receipt) : null, receiptSvg: receipt ? renderReceiptSvg(receipt) : null };
    },
    listeners: () => listeners.size,
    stop() {
      stopped = true;
      listeners.clear();
      if (timer) clearInterval(timer);
      timer = null;
      if (staffTimer) clearTimeout(staffTimer);
      staffTimer = null;
      deps.session.off('change', onSessionChange);
      deps.link.off('connected', scheduleLinkCheck);
      deps.link.off('disconnected', scheduleLinkCheck);
      deps.link.off('result', scheduleLinkCheck);
      for (const source of deps.hardware?.sources ?? []) source.off('health', scheduleLinkCheck);
    },
  };
}
