/**
 * The kiosk screen's script, part 3: the screen is pushed what to show. One EventSource on GET /api/events
 * (device/http/event-stream.ts) brings the session and the link state, the current ones first, then each
 * change; nothing is polled. EventSource reconnects by itself when the stream drops (the kiosk restarting),
 * and each (re)connection starts with the current state, so the page loads the current view from its stream.
 * Should the browser give up on the stream (a reply that is not a stream), the page opens a new one.
 *
 * The path and the event names come from the TypeScript side (EVENTS_PATH, KioskEvent), and the data shapes
 * are described by the JSDoc types below (SessionEventData, LinkStateData in device/app/kiosk-events.ts).
 * Inlined after parts 1 and 2; like theirs, the script must not contain a backtick, and its only dollar-braces
 * are the values interpolated here.
 */
import type { KioskEvent } from '../app/kiosk-events.ts';
import { EVENTS_PATH } from './event-stream.ts';

/** The page's function for each event the kiosk pushes: a new event type does not compile until it has one. */
const HANDLERS: Record<KioskEvent['type'], string> = { session: 'showSession', link: 'showLink' };
const LISTENERS = Object.entries(HANDLERS)
  .map(([type, handler]) => `  source.addEventListener(${JSON.stringify(type)}, (e) => ${handler}(JSON.parse(e.data)));`)
  .join('\n');

export const KIOSK_STREAM_SCRIPT = String.raw`
/**
 * @typedef {{ name: string, version: number, card: (string|null), expiresAt: (string|null) }} SessionView the session, as
 *   device/session/kiosk-session.ts views it; by state also member, offline, asOf, receipt, status, kind, result, welcome, notice, code, message
 * @typedef {{ name: string, role: string, expiresAt: string, mayDo: string[] }} StaffSessionView the staff member signed in
 *   (core/wire/lookup.ts; also sessionId, staffId, storeIds)
 * @typedef {{ session: SessionView, receiptText: (string|null), staff: (StaffSessionView|null) }} SessionEventData pushed as "session"
 * @typedef {{ connected: boolean, outboxDepth: number }} LinkStateData pushed as "link"
 */

/** @param {SessionEventData} data */
function showSession(data) {
  const s = Object.assign({}, data.session, { receiptText: data.receiptText });
  // A sign-in, sign-out or expiry comes with the session unchanged: the banner and the staff actions follow it.
  const staffMoved = showStaff(data.staff || null);
  if (s.version === lastVersion) {
    if (staffMoved) rerender();
    return;
  }
  lastVersion = s.version;
  // What a new session state brings once: the welcome after a registration, or why a registration is not done.
  if (s.name === "member" && s.welcome) welcome = { name: s.welcome.name, points: s.welcome.pointsEarned };
  if (s.name === "register" && s.notice) showRegistrationNotice(s.notice);
  render(s);
}

/** @param {LinkStateData} data */
function showLink(data) {
  const link = $("#link");
  link.textContent = data.connected ? "Online" : "Offline";
  link.className = "badge " + (data.connected ? "online" : "offline");
  $("#depth").textContent = data.outboxDepth ? data.outboxDepth + " waiting to send" : "";
}

function connectEvents() {
  const source = new EventSource(${JSON.stringify(EVENTS_PATH)});
  // A (re)connection starts with the current session: render it whatever its version (a restarted kiosk counts from 0 again).
  source.onopen = () => { lastVersion = -1; };
${LISTENERS}
  source.onerror = () => {
    const link = $("#link");
    link.textContent = "Kiosk service restarting…";
    link.className = "badge offline";
    // EventSource retries by itself while CONNECTING; CLOSED means it gave up: start a new one.
    if (source.readyState === EventSource.CLOSED) setTimeout(connectEvents, 2000);
  };
}
`;
