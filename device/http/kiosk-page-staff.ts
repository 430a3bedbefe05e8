/**
 * The kiosk screen's script, part 4: staff on the kiosk. A clerk taps their staff card; the member look-up
 * answers CARD_IS_STAFF, so the session shows that "error", which this page shows as a PIN pad instead
 * (digits only, 4 to 8, large keys). The PIN goes to POST /api/staff/sign-in; the hub checks it (with its
 * lockout), the session goes back to idle and the staff session arrives pushed with the session (`staff`), so the
 * banner ("店员：NAME · 退出 / Sign out") and the staff actions follow the stream, never a poll. Staff actions
 * are offered only for the kinds the role may do (`mayDo`); the kiosk and the hub check them again.
 *
 * Staff-facing words are zh-CN first with English (STAFF_TEXT, PLAIN_ZH in part 1). The PIN never leaves this
 * page except in the sign-in request, is never shown (dots only), and is forgotten after each attempt.
 *
 * String.raw so regular expressions need no double escaping; it must not contain a backtick or a dollar-brace.
 */
export const KIOSK_STAFF_SCRIPT = String.raw`
/** The PIN being typed: the digits (never rendered), the last refusal, and whether a sign-in is running. */
const pin = { digits: "", notice: null, busy: false };
let pinTimer = null;

/** The pushed staff session; true when it differs from what is shown. */
function showStaff(next) {
  const before = staff ? staff.sessionId + "|" + staff.expiresAt + "|" + (staff.mayDo || []).join(",") : "";
  const after = next ? next.sessionId + "|" + next.expiresAt + "|" + (next.mayDo || []).join(",") : "";
  staff = next || null;
  const bar = $("#staff-bar");
  if (!staff) {
    bar.hidden = true;
    bar.innerHTML = "";
  } else {
    const until = new Date(staff.expiresAt);
    const time = isNaN(until.getTime()) ? "" : until.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    bar.hidden = false;
    bar.innerHTML = '<div class="who-staff"><span lang="zh-CN">' + esc(STAFF_TEXT.staff[0]) + "：</span>" + '<strong class="staff-name">' + esc(staff.name) + "</strong>" +
      (time ? '<span class="dim">' + esc(STAFF_TEXT.until[0]) + " " + esc(time) + " · " + esc(STAFF_TEXT.until[1]) + " " + esc(time) + "</span>" : "") + "</div>" +
      '<button type="button" class="secondary" id="staff-out">' + esc(STAFF_TEXT.signOut[0]) + " / " + esc(STAFF_TEXT.signOut[1]) + "</button>";
    $("#staff-out").onclick = async (e) => {
      e.currentTarget.disabled = true;
      // The banner goes when the sign-out is pushed; a refusal is said and the button works again.
      if (await post("/api/staff/sign-out")) showStaff(staff);
    };
  }
  return before !== after;
}

/** Both words of a pair with {n} filled in. */
function fill(pair, n) { return pair.map((text) => text.replace("{n}", String(n))); }

function pinDots() {
  const slots = Math.max(4, pin.digits.length);
  let dots = "";
  for (let i = 0; i < slots; i++) dots += '<span class="dot' + (i < pin.digits.length ? " on" : "") + '"></span>';
  return dots;
}

/**
 * Why the last PIN did not sign in, zh-CN first: after a wrong PIN the title and the tries left (the pad itself
 * asks for the PIN again); otherwise the title and what to do.
 */
function pinNoticeHtml() {
  const n = pin.notice;
  if (!n) return "";
  const en = plain(n.code), zh = PLAIN_ZH[n.code] || null;
  if (Number.isInteger(n.attemptsLeft)) {
    const left = fill(STAFF_TEXT.attemptsLeft, n.attemptsLeft);
    return "<strong>" + bi(zh ? zh[0] + " · " + left[0] : "", en[0] + " · " + left[1]) + "</strong>" + codeLine(n.code);
  }
  return "<strong>" + bi(zh ? zh[0] : "", en[0]) + "</strong><p>" + bi(zh ? zh[1] : "", en[1]) + "</p>" + codeLine(n.code, n.message);
}

function secondsLeft(s) {
  const ms = Date.parse(s.expiresAt || "") - Date.now();
  return isNaN(ms) ? null : Math.max(0, Math.ceil(ms / 1000));
}

/** The PIN pad for the staff card on the reader. */
function pinPanel(s) {
  const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((k) => '<button type="button" data-pin="' + k + '">' + k + "</button>").join("") +
    '<button type="button" class="small-key" data-pin="clear">' + bi(STAFF_TEXT.clear) + '</button><button type="button" data-pin="0">0</button>' +
    '<button type="button" data-pin="back" aria-label="删除 Delete last digit">⌫</button>';
  const left = secondsLeft(s);
  // Landscape: prompt, dots and buttons beside the keys; portrait: the keys between the dots and the buttons.
  return '<section class="panel pin-pad" aria-label="Staff sign-in"><div class="pin-side">' +
    "<h2>" + bi(STAFF_TEXT.pinTitle) + "</h2>" +
    // The refusal takes the prompt's place, so the buttons stay where they were.
    (pin.notice ? '<div id="pin-notice" class="pin-notice bad" role="alert">' + pinNoticeHtml() + "</div>"
      : '<p class="muted">' + bi(STAFF_TEXT.pinPrompt) + '</p><div id="pin-notice" role="alert"></div>') +
    '<div class="pin-row"><div class="pin-dots" id="pin-dots" role="img" aria-label="' + pin.digits.length + ' digits">' + pinDots() + "</div>" +
    '<span class="dim" id="pin-left">' + (left === null ? "" : esc(fill(STAFF_TEXT.secondsLeft, left).join(" · "))) + "</span></div></div>" +
    '<div class="keypad pin-keys" role="group" aria-label="PIN keypad">' + keys + "</div>" +
    '<div class="actions pin-actions"><button type="button" class="secondary" id="pin-cancel">' + bi(STAFF_TEXT.cancel) + "</button>" +
    '<button type="button" class="go" id="pin-ok"' + (pinReady() ? "" : " disabled") + ">" + bi(pin.busy ? STAFF_TEXT.signingIn : STAFF_TEXT.signIn) + "</button></div></section>";
}

function pinReady() { return !pin.busy && /^[0-9]{4,8}$/.test(pin.digits); }

/** Typing changes the dots and the button only: nothing else on the pad moves under the finger. */
function pinTyped() {
  const dots = $("#pin-dots"), ok = $("#pin-ok");
  if (dots) { dots.innerHTML = pinDots(); dots.setAttribute("aria-label", pin.digits.length + " digits"); }
  if (ok) ok.disabled = !pinReady();
}

async function signIn() {
  if (!pinReady()) return;
  const digits = pin.digits;
  Object.assign(pin, { digits: "", busy: true, notice: null });
  rerender();
  let r;
  try {
    r = await api("POST", "/api/staff/sign-in", { pin: digits });
  } catch (error) {
    r = { status: 0, json: { error: { code: "KIOSK_UNREACHABLE", message: "the kiosk service did not answer" } } };
  }
  pin.busy = false;
  // Signed in: the session goes back to idle and the staff session is pushed; nothing to render from here.
  if (r.json && r.json.staff) return;
  const e = (r.json && r.json.error) || { code: "INTERNAL", message: "" };
  const onPad = lastSession && lastSession.name === "error" && lastSession.code === "CARD_IS_STAFF";
  if (!onPad) return sayError(e.code, e.message);
  pin.notice = { code: e.code, message: e.message || "", attemptsLeft: attemptsLeftOf(e) };
  rerender();
}

/** How many tries are left after a wrong PIN: details.attemptsLeft when the API gives it, else the hub's message ("4 attempts left"). */
function attemptsLeftOf(e) {
  if (e.code !== "STAFF_PIN_WRONG") return null;
  if (e.details && Number.isInteger(e.details.attemptsLeft)) return e.details.attemptsLeft;
  const m = /^(\d+) attempts? left/.exec(e.message || "");
  return m ? Number(m[1]) : null;
}

/** On a frozen or lost card's screen, what a signed-in staff member may do about it. */
function staffCardOps(s) {
  if (!staff || s.offline) return "";
  const op = s.code === "CARD_FROZEN" && staffMay("card_unfreeze") ? ["unfreeze", STAFF_TEXT.unfreeze] : s.code === "CARD_LOST" && staffMay("card_cancel_loss") ? ["cancel-loss", STAFF_TEXT.cancelLoss] : null;
  return op ? '<button type="button" class="go" data-staff-op="' + op[0] + '">' + bi(op[1]) + "</button>" : "";
}

/**
 * A card operation on a card the hub refused to show (frozen, lost): no member is on screen, so the session does
 * not change and the reply says how it went.
 */
async function staffCardOp(op, button) {
  button.disabled = true;
  let r;
  try {
    r = await api("POST", "/api/tx/card/" + op, {});
  } catch (error) {
    r = { status: 0, json: { error: { code: "KIOSK_UNREACHABLE", message: "the kiosk service did not answer" } } };
  }
  const j = r.json || {};
  if (j.error) { button.disabled = false; return sayError(j.error.code, j.error.message); }
  if (j.status === "rejected" || (j.result && j.result.status === "rejected")) { button.disabled = false; return sayError((j.result && j.result.code) || "REJECTED", j.result && j.result.message); }
  const el = $("#message");
  el.className = "panel ok";
  el.innerHTML = bi(j.status === "queued" ? STAFF_TEXT.saved : STAFF_TEXT.tapAgain);
}

function bindStaff() {
  if (pinTimer) { clearInterval(pinTimer); pinTimer = null; }
  document.querySelectorAll("[data-staff-op]").forEach((el) => { el.onclick = () => staffCardOp(el.getAttribute("data-staff-op"), el); });
  const freeze = $("#staff-freeze");
  if (freeze) freeze.onclick = () => { ui.panel = "freeze"; say(""); rerender(); };
  if (!$("#pin-ok")) return;
  document.querySelectorAll("[data-pin]").forEach((el) => {
    el.onclick = () => {
      const key = el.getAttribute("data-pin");
      pin.digits = key === "clear" ? "" : key === "back" ? pin.digits.slice(0, -1) : (pin.digits + key).slice(0, 8);
      pinTyped();
    };
  });
  $("#pin-ok").onclick = () => signIn();
  $("#pin-cancel").onclick = () => { Object.assign(pin, { digits: "", notice: null }); post("/api/session/reset"); };
  // A hardware keyboard (a counter kiosk) types too.
  document.onkeydown = (e) => {
    if (!$("#pin-ok") || e.altKey || e.ctrlKey || e.metaKey) return;
    if (/^[0-9]$/.test(e.key)) pin.digits = (pin.digits + e.key).slice(0, 8);
    else if (e.key === "Backspace") pin.digits = pin.digits.slice(0, -1);
    else if (e.key === "Enter") return signIn();
    else return;
    e.preventDefault();
    pinTyped();
  };
  // The session gives the staff card so long on screen: the pad says how long is left.
  pinTimer = setInterval(() => {
    const left = lastSession ? secondsLeft(lastSession) : null, el = $("#pin-left");
    if (el && left !== null) el.textContent = fill(STAFF_TEXT.secondsLeft, left).join(" · ");
  }, 1000);
}
`;
