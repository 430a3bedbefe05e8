/**
 * The screen's source of truth: one EventSource on GET /api/events brings the session (with the staff member
 * signed in), the link state and the hardware state — the current ones first, then each change — and the messages
 * shown over the screen for a few seconds (a kiosk flow's or HQ's; FlowMessageBanner.vue takes them down). Nothing is
 * polled: EventSource reconnects by itself when the kiosk restarts, and each (re)connection starts with the
 * current state. The kiosk's state (store, configuration, mode) is read on each (re)connection and whenever a
 * member is shown, because a new configuration may have arrived since.
 */
import { reactive } from 'vue';
import { kioskApi } from './api.ts';
import type { HardwareState, KioskState, LinkStateData, ScreenMessage, SessionEventData, SessionView, StaffSessionView } from './contract.ts';

export const EVENTS_PATH = '/api/events';

export interface KioskScreenState {
  session: SessionView | null;
  receiptText: string | null;
  staff: StaffSessionView | null;
  link: LinkStateData | null;
  hardware: HardwareState | null;
  /** The message over the screen, until its seconds are up (FlowMessageBanner.vue clears it); null: none. */
  message: ScreenMessage | null;
  /** GET /api/state, refreshed on (re)connection and per member shown. */
  state: KioskState | null;
  /** Whether the event stream is open; false while the kiosk service restarts. */
  streamOpen: boolean;
}

export const kiosk: KioskScreenState = reactive({
  session: null,
  receiptText: null,
  staff: null,
  link: null,
  hardware: null,
  message: null,
  state: null,
  streamOpen: false,
});

async function refreshState(): Promise<void> {
  try {
    kiosk.state = await kioskApi.get<KioskState>('/api/state');
  } catch {
    // Kept as it was: the stream's next (re)connection reads it again.
  }
}

function showSession(data: SessionEventData): void {
  const before = kiosk.session;
  kiosk.session = data.session;
  kiosk.receiptText = data.receiptText;
  kiosk.staff = data.staff;
  if (data.session.name === 'member' && (before?.name !== 'member' || before.version !== data.session.version)) void refreshState();
}

/** Opens the stream; listeners update `kiosk`. Returns the function that closes it. */
export function connectKioskStream(): () => void {
  let source: EventSource | null = null;
  let retry: number | undefined;
  const open = () => {
    source = new EventSource(EVENTS_PATH);
    source.onopen = () => {
      kiosk.streamOpen = true;
      void refreshState();
    };
    source.addEventListener('session', (e) => showSession(JSON.parse((e as MessageEvent<string>).data) as SessionEventData));
    source.addEventListener('link', (e) => (kiosk.link = JSON.parse((e as MessageEvent<string>).data) as LinkStateData));
    source.addEventListener('hardware', (e) => (kiosk.hardware = JSON.parse((e as MessageEvent<string>).data) as HardwareState));
    source.addEventListener('screen-message', (e) => (kiosk.message = JSON.parse((e as MessageEvent<string>).data) as ScreenMessage));
    source.onerror = () => {
      kiosk.streamOpen = false;
      // EventSource retries by itself while CONNECTING; CLOSED means it gave up: start a new one.
      if (source?.readyState === EventSource.CLOSED) retry = window.setTimeout(open, 2000);
    };
  };
  open();
  return () => {
    window.clearTimeout(retry);
    source?.close();
  };
}
