/**
 * The kiosk screen: one self-contained page (no build step, no CDN, no web fonts: kiosks are often offline).
 * It is pushed what to show: the session and the link state arrive on one server-sent event stream
 * (GET /api/events), which the browser reopens by itself when the kiosk restarts; nothing is polled.
 *
 * Written for a shopper with nobody to help: one big prompt when idle, touch targets of at least 56 px,
 * high contrast (light text on near-black, ≥ 7:1 for body text), money always as yuan with two decimals
 * ("¥1,000.00", from integer cents by integer arithmetic), errors as a plain sentence with the code small
 * underneath for staff. Lays out in one column on a portrait kiosk (1080×1920) and in two on a landscape one
 * (1280×800). Amounts typed in are turned into integer cents by string arithmetic, never by multiplying a
 * float.
 *
 * The style and the script live in their own modules (kiosk-page-style.ts, kiosk-page-script.ts for the member
 * screen and buying, kiosk-page-actions.ts for rewards, count cards, the loss report and registration,
 * kiosk-page-staff.ts for the staff PIN pad, banner and actions, kiosk-page-stream.ts for the event stream) and are inlined here: the page is still one file on the wire.
 *
 * The template is String.raw; apart from the inlined parts it must not contain a backtick or a dollar-brace.
 */
import { KIOSK_ACTIONS_SCRIPT } from './kiosk-page-actions.ts';
import { KIOSK_SCRIPT } from './kiosk-page-script.ts';
import { KIOSK_STAFF_SCRIPT } from './kiosk-page-staff.ts';
import { KIOSK_STREAM_SCRIPT } from './kiosk-page-stream.ts';
import { KIOSK_STYLE } from './kiosk-page-style.ts';

export const KIOSK_PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>memberkiosk</title>
<style>
${KIOSK_STYLE}</style>
</head>
<body>
<header>
  <div class="brand"><svg viewBox="0 0 32 32" aria-hidden="true"><rect x="3" y="7" width="26" height="18" rx="4" fill="#38bdf8"/><rect x="3" y="11" width="26" height="4" fill="#0b1120"/><rect x="7" y="19" width="8" height="3" rx="1.5" fill="#0b1120"/></svg><span>Member Kiosk</span></div>
  <div class="status"><span id="depth"></span><span id="clock" class="num"></span><span id="link" class="badge offline" role="status">Connecting…</span></div>
</header>
<div id="staff-bar" class="staff-bar" role="status" aria-label="Staff signed in" hidden></div>
<main>
  <div id="screen" aria-live="polite"></div>
  <div id="message" role="alert"></div>
</main>
<footer>
  <details class="demo"><summary>Demo: simulate a card tap</summary>
    <form id="tap"><label>Card UID (hex)<input name="uid" value="04C1B2C3D4E5F6" autocomplete="off" spellcheck="false"></label><button>Tap card</button></form>
  </details>
</footer>
<script>
${KIOSK_SCRIPT}
${KIOSK_ACTIONS_SCRIPT}
${KIOSK_STAFF_SCRIPT}
${KIOSK_STREAM_SCRIPT}
$("#tap").onsubmit = async (e) => {
  e.preventDefault();
  const uid = new FormData(e.target).get("uid");
  await post("/api/sim/tap", { uid: String(uid).trim().toUpperCase() });
};
tick();
setInterval(tick, 10000);
connectEvents();
</script>
</body>
</html>
`;
