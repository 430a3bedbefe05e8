/**
 * The kiosk screen: one self-contained page (no build step, no CDN, no web fonts: kiosks are often offline).
 * It polls /api/session, which is cheap on loopback and survives the process restarting, unlike a held SSE
 * stream.
 *
 * Written for a shopper with nobody to help: one big prompt when idle, touch targets of at least 56 px,
 * high contrast (light text on near-black, ≥ 7:1 for body text), money always as yuan with two decimals
 * ("¥1,000.00", from integer cents by integer arithmetic), errors as a plain sentence with the code small
 * underneath for staff. Lays out in one column on a portrait kiosk (1080×1920) and in two on a landscape one
 * (1280×800). Amounts typed in are turned into integer cents by string arithmetic, never by multiplying a
 * float.
 *
 * The template is String.raw so the inline script's regular expressions need no double escaping; it must not
 * contain a backtick or a dollar-brace.
 */
export const KIOSK_PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>memberkiosk</title>
<style>
  :root {
    --bg:#0b1120; --panel:#172033; --panel-2:#1f2a40; --line:#334155; --fg:#f8fafc; --muted:#cbd5e1; --dim:#94a3b8;
    --brand:#38bdf8; --go:#22c55e; --go-ink:#052e16; --warn:#fbbf24; --warn-ink:#422006; --bad:#f87171; --bad-bg:#3b0d0d;
    --btn:#2563eb; --btn-hi:#1d4ed8; --radius:18px;
    --gold:#facc15; --silver:#e2e8f0; --diamond:#67e8f9; --standard:#a5b4fc;
  }
  * { box-sizing:border-box; }
  html, body { height:100%; }
  body { margin:0; font:clamp(18px, 1.15vw + 10px, 24px)/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", sans-serif;
    background:var(--bg); color:var(--fg); -webkit-font-smoothing:antialiased; display:flex; flex-direction:column; overflow-x:hidden; }
  header { display:flex; justify-content:space-between; align-items:center; gap:16px; padding:10px 28px; background:#0f172a; border-bottom:1px solid var(--line); min-height:64px; }
  .brand { display:flex; align-items:center; gap:12px; font-weight:700; font-size:22px; letter-spacing:.2px; }
  .brand svg { width:32px; height:32px; }
  .status { display:flex; align-items:center; gap:14px; font-size:17px; color:var(--muted); }
  #clock { font-variant-numeric:tabular-nums; }
  .badge { display:inline-flex; align-items:center; gap:8px; padding:6px 14px; border-radius:999px; font-size:17px; font-weight:700; white-space:nowrap; }
  .badge::before { content:""; width:10px; height:10px; border-radius:50%; background:currentColor; }
  .online { background:#14532d; color:#bbf7d0; } .offline { background:var(--warn); color:var(--warn-ink); }
  main { flex:1; width:100%; max-width:1400px; margin:0 auto; padding:20px 28px; }
  .panel { background:var(--panel); border:1px solid var(--line); border-radius:var(--radius); padding:22px 26px; }
  h1, h2, h3 { margin:0; line-height:1.15; }
  h3 { font-size:20px; color:var(--muted); font-weight:600; text-transform:uppercase; letter-spacing:.08em; margin-bottom:12px; }
  .muted { color:var(--muted); } .dim { color:var(--dim); font-size:16px; }
  .num { font-variant-numeric:tabular-nums; }

  /* idle, reading, error: one message in the middle of the screen */
  .hero { min-height:calc(100vh - 200px); display:flex; flex-direction:column; align-items:center; justify-content:center; text-align:center; gap:20px; padding:40px 24px; }
  .hero h1 { font-size:clamp(44px, 5vw + 12px, 84px); font-weight:800; letter-spacing:-.5px; }
  .hero p { font-size:clamp(22px, 1.2vw + 14px, 32px); color:var(--muted); margin:0; max-width:24em; }
  .reader { width:clamp(160px, 18vw, 240px); height:auto; color:var(--brand); }
  .pulse { animation:pulse 2.2s ease-in-out infinite; transform-origin:center; }
  @keyframes pulse { 0%,100% { opacity:.35; transform:scale(.96); } 50% { opacity:1; transform:scale(1.04); } }
  @media (prefers-reduced-motion: reduce) { .pulse { animation:none; opacity:1; } }
  .spinner { width:96px; height:96px; border:10px solid var(--line); border-top-color:var(--brand); border-radius:50%; animation:spin 1s linear infinite; }
  @keyframes spin { to { transform:rotate(360deg); } }
  .hero.error { border:3px solid var(--bad); background:var(--bad-bg); border-radius:var(--radius); }
  .hero.error h1 { color:#fecaca; }
  .code { font:15px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; color:var(--dim); }

  /* member on screen */
  .layout { display:grid; gap:20px; grid-template-columns:1fr; }
  @media (min-width:1100px) and (orientation:landscape) { .layout { grid-template-columns:minmax(0, 1.1fr) minmax(0, 1fr); align-items:start; } }
  .who { display:flex; justify-content:space-between; align-items:flex-start; gap:16px; flex-wrap:wrap; }
  .who h2 { font-size:clamp(32px, 2vw + 16px, 48px); font-weight:800; }
  .tier { display:inline-block; margin-top:8px; padding:4px 14px; border-radius:999px; font-weight:800; font-size:17px; color:#0b1120; text-transform:uppercase; letter-spacing:.08em; background:var(--standard); }
  .tier.gold { background:var(--gold); } .tier.silver { background:var(--silver); } .tier.diamond { background:var(--diamond); }
  .card-no { margin-left:10px; }
  .tiles { display:grid; grid-template-columns:1.5fr 1fr 1fr; gap:14px; margin-top:20px; }
  .tile { background:var(--panel-2); border-radius:14px; padding:14px 18px; min-width:0; }
  .tile .label { color:var(--muted); font-size:16px; }
  .tile .value { font-size:clamp(26px, 1.4vw + 14px, 40px); font-weight:800; font-variant-numeric:tabular-nums; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
  .tile.main .value { color:#86efac; }
  .history { width:100%; border-collapse:collapse; margin-top:8px; font-size:18px; }
  .history td { padding:9px 4px; border-bottom:1px solid var(--line); }
  .history tr:last-child td { border-bottom:0; }
  .history td.r { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
  .plus { color:#86efac; } .minus { color:#fca5a5; } .rejected { color:var(--dim); text-decoration:line-through; }
  .section { margin-top:20px; }

  /* purchase */
  .choices { display:grid; grid-template-columns:repeat(3, minmax(0, 1fr)); gap:12px; }
  button, .btn { font:inherit; font-weight:700; min-height:64px; min-width:64px; border-radius:14px; border:2px solid transparent; padding:8px 18px; cursor:pointer;
    background:var(--btn); color:#fff; touch-action:manipulation; }
  button:active { transform:translateY(1px); background:var(--btn-hi); }
  button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline:4px solid var(--warn); outline-offset:2px; }
  button:disabled { opacity:.55; cursor:default; }
  .choice { background:var(--panel-2); border-color:var(--line); color:var(--fg); display:flex; flex-direction:column; align-items:flex-start; justify-content:center; text-align:left; padding:10px 16px; }
  .choice small { font-weight:600; color:var(--muted); font-size:17px; }
  .choice[aria-pressed="true"] { border-color:var(--brand); background:#0c4a6e; box-shadow:0 0 0 2px var(--brand) inset; }
  .row { display:flex; align-items:center; gap:14px; flex-wrap:wrap; margin-top:16px; }
  .row .label { min-width:4.6em; color:var(--muted); }
  .stepper { display:flex; align-items:center; gap:8px; }
  .stepper button { width:64px; padding:0; font-size:32px; line-height:1; background:var(--panel-2); border-color:var(--line); }
  .stepper output { min-width:2.2em; text-align:center; font-size:30px; font-weight:800; font-variant-numeric:tabular-nums; }
  .seg { display:flex; gap:8px; flex:1; }
  .seg button { flex:1; white-space:nowrap; padding:8px 10px; background:var(--panel-2); border-color:var(--line); color:var(--fg); }
  .seg button[aria-pressed="true"] { border-color:var(--brand); background:#0c4a6e; box-shadow:0 0 0 2px var(--brand) inset; }
  .pay { width:100%; margin-top:18px; min-height:76px; font-size:clamp(24px, 1vw + 16px, 30px); background:var(--go); color:var(--go-ink); }
  .pay:active { background:#16a34a; }
  .secondary { background:#475569; }
  .done { width:100%; min-height:72px; margin-top:16px; }

  /* result of an action */
  .result { border-width:3px; }
  .result.ok { border-color:var(--go); } .result.queued { border-color:var(--warn); } .result.bad { border-color:var(--bad); background:var(--bad-bg); }
  .result h2 { font-size:clamp(30px, 1.5vw + 16px, 42px); font-weight:800; }
  .result.ok h2 { color:#86efac; } .result.queued h2 { color:#fde68a; } .result.bad h2 { color:#fecaca; }
  .facts { display:grid; grid-template-columns:repeat(2, minmax(0, 1fr)); gap:12px; margin-top:16px; }
  .receipt { background:#fff; color:#111; padding:14px 18px; border-radius:10px; font:15px/1.35 ui-monospace, "DejaVu Sans Mono", monospace; white-space:pre; overflow:auto; max-height:320px; margin:16px 0 0; }
  details.receipt-box summary, details.staff summary, details.demo summary { min-height:56px; display:flex; align-items:center; gap:10px; cursor:pointer; color:var(--muted); font-weight:600; list-style:none; }
  details summary::-webkit-details-marker { display:none; }
  details summary::before { content:"▸"; font-size:.9em; transition:transform .15s; }
  details[open] > summary::before { transform:rotate(90deg); }

  /* a tall portrait kiosk (1080×1920) is read from further away: everything larger */
  @media (orientation: portrait) and (min-width: 900px) {
    body { font-size:28px; }
    header { min-height:88px; padding:12px 40px; } .brand { font-size:30px; } .brand svg { width:44px; height:44px; }
    .status, .badge { font-size:22px; }
    main { padding:32px 40px; }
    .layout { gap:32px; }
    .panel { padding:32px 36px; }
    h3 { font-size:24px; margin-bottom:18px; }
    .who h2 { font-size:64px; }
    .tier { font-size:22px; padding:6px 18px; }
    .dim { font-size:21px; } .code { font-size:19px; }
    .tiles { gap:18px; margin-top:28px; }
    .tile { padding:20px 24px; } .tile .label { font-size:22px; } .tile .value { font-size:52px; }
    .history { font-size:25px; } .history td { padding:16px 6px; }
    button, .btn { min-height:92px; }
    .choice small { font-size:23px; }
    .row { margin-top:24px; }
    .stepper button { width:92px; font-size:44px; } .stepper output { font-size:44px; }
    .pay { min-height:116px; font-size:42px; margin-top:28px; }
    .done { min-height:100px; }
    details.receipt-box summary, details.staff summary, details.demo summary { min-height:72px; }
    input, select { min-height:80px; }
    .receipt { font-size:21px; max-height:none; }
    #message { font-size:26px; }
  }

  /* staff and demo helpers, out of the shopper's way */
  details.staff { margin-top:16px; }
  details.staff > summary { font-size:.85em; }
  label { display:block; color:var(--muted); font-size:17px; margin-top:10px; }
  input, select { font:inherit; min-height:60px; border-radius:12px; border:2px solid var(--line); background:#0b1220; color:var(--fg); padding:0 14px; width:100%; margin-top:4px; }
  .form-grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(200px, 1fr)); gap:8px 14px; align-items:end; }
  #message { margin-top:14px; min-height:1.4em; font-size:20px; }
  #message.bad { color:#fecaca; }
  footer { padding:0 28px 16px; display:flex; justify-content:flex-end; }
  details.demo { font-size:17px; }
  details.demo form { display:flex; gap:10px; align-items:end; }
  details.demo input { width:16em; }
</style>
</head>
<body>
<header>
  <div class="brand"><svg viewBox="0 0 32 32" aria-hidden="true"><rect x="3" y="7" width="26" height="18" rx="4" fill="#38bdf8"/><rect x="3" y="11" width="26" height="4" fill="#0b1120"/><rect x="7" y="19" width="8" height="3" rx="1.5" fill="#0b1120"/></svg><span>Member Kiosk</span></div>
  <div class="status"><span id="depth"></span><span id="clock" class="num"></span><span id="link" class="badge offline" role="status">Connecting…</span></div>
</header>
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
"use strict";
const $ = (s) => document.querySelector(s);
let lastVersion = -1;
let lastSession = null;
/** What the last purchase/top-up call answered, shown with the receipt of the same transaction. */
let lastOutcome = null;

const ITEMS = [
  { sku: "COFFEE", category: "drinks", name: "Coffee", cents: 350 },
  { sku: "SANDWICH", category: "food", name: "Sandwich", cents: 1200 },
  { sku: "WATER", category: "drinks", name: "Water", cents: 200 },
];
const order = { item: 0, qty: 1, method: "stored_value" };

/** Integer cents → "¥1,234.56" by integer arithmetic only. */
function yuan(c) {
  const neg = c < 0, a = Math.abs(c), rest = a % 100, whole = String((a - rest) / 100).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (neg ? "−" : "") + "¥" + whole + "." + String(rest).padStart(2, "0");
}
function signedYuan(c) { return c > 0 ? "+" + yuan(c) : yuan(c); }
function num(n) { return String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
function signedPoints(n) { return (n > 0 ? "+" : n < 0 ? "−" : "") + num(n) + " pts"; }
function toCents(text) {
  const m = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(String(text).trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || "0").padEnd(2, "0"));
}
function esc(v) { return String(v).replace(/[&<>"']/g, (c) => ({ "&":"&amp;", "<":"&lt;", ">":"&gt;", '"':"&quot;", "'":"&#39;" })[c]); }
function when(iso) {
  const d = new Date(iso);
  if (isNaN(d.getTime())) return "";
  return d.toLocaleDateString("en-GB", { day: "numeric", month: "short" }) + ", " + d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}
function cap(s) { s = String(s || ""); return s.charAt(0).toUpperCase() + s.slice(1); }

const KINDS = { purchase: "Purchase", top_up: "Top-up", redeem_gift: "Gift redeemed", refund: "Refund", card_report_loss: "Card reported lost",
  card_cancel_loss: "Loss report cancelled", card_freeze: "Card frozen", card_unfreeze: "Card unfrozen", card_replace: "Card replaced" };

/** Plain words for the codes a shopper can meet; the code itself is shown small underneath for staff. */
const PLAIN = {
  CARD_UNKNOWN: ["Card not recognised", "This card is not registered as a membership card. Please ask at the service desk."],
  CARD_LOST: ["This card is reported lost", "It cannot be used. Please ask at the service desk to get a new card."],
  CARD_FROZEN: ["This card is frozen", "It cannot be used right now. Please ask at the service desk."],
  CARD_CANCELLED: ["This card is cancelled", "Please ask at the service desk."],
  CARD_EXPIRED: ["This card has expired", "Please ask at the service desk to renew it."],
  MEMBER_UNKNOWN: ["Member not found", "Please ask at the service desk."],
  INSUFFICIENT_STORED_VALUE: ["Not enough stored value", "Your balance does not cover this payment. Choose cash, or top up first."],
  INSUFFICIENT_POINTS: ["Not enough points", "You do not have enough points for this."],
  PAYMENT_MISMATCH: ["Payment does not match", "The payment does not add up to the total. Please try again."],
  STAFF_UNAUTHORIZED: ["Staff card not accepted", "Only store staff can do this."],
  SESSION_NO_CARD: ["Please tap your card first", "Hold your membership card to the reader, then try again."],
  BAD_REQUEST: ["That did not work", "Please check what you entered and try again."],
  TX_INVALID: ["That did not work", "Please check what you entered and try again."],
};
function plain(code, fallback) { return PLAIN[code] || [fallback || "Something went wrong", "Please try again, or ask at the service desk."]; }
function codeLine(code, message) { return '<div class="code">Code: ' + esc(code) + (message ? " · " + esc(message) : "") + "</div>"; }

async function api(method, path, body) {
  const res = await fetch(path, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => ({}));
  return { status: res.status, json };
}

const READER_SVG = '<svg class="reader" viewBox="0 0 200 200" aria-hidden="true" fill="none" stroke="currentColor" stroke-linecap="round">' +
  '<g class="pulse" stroke-width="8"><path d="M128 52a70 70 0 0 1 0 96"/><path d="M148 32a98 98 0 0 1 0 136"/></g>' +
  '<rect x="28" y="48" width="78" height="104" rx="12" stroke-width="8"/><rect x="44" y="66" width="26" height="20" rx="4" fill="currentColor" stroke="none"/>' +
  '<path d="M44 118h46M44 134h30" stroke-width="8"/></svg>';

function memberPanel(s) {
  const m = s.member, b = m.balances, tier = String(m.tier || "").toLowerCase();
  const badge = s.offline
    ? '<span class="badge offline">Offline · balance as of ' + esc(when(s.asOf)) + "</span>"
    : '<span class="badge online">Live balance</span>';
  const rows = m.history.slice(0, 4).map((h) => {
    const cls = h.status === "rejected" ? ' class="rejected"' : "";
    const value = h.valueDeltaCents ? '<span class="' + (h.valueDeltaCents > 0 ? "plus" : "minus") + '">' + signedYuan(h.valueDeltaCents) + "</span>" : "";
    const pts = h.pointsDelta ? '<span class="' + (h.pointsDelta > 0 ? "plus" : "minus") + '">' + signedPoints(h.pointsDelta) + "</span>" : "";
    return "<tr" + cls + '><td class="dim">' + esc(when(h.at)) + "</td><td>" + esc(KINDS[h.kind] || cap(h.kind)) + (h.status === "rejected" ? " (not applied)" : "") +
      '</td><td class="r">' + [value, pts].filter(Boolean).join('<span class="dim"> · </span>') + "</td></tr>";
  }).join("");
  return '<section class="panel" aria-label="Your membership">' +
    '<div class="who"><div><h2>' + esc(m.name) + '</h2><span class="tier ' + esc(tier) + '">' + esc(cap(tier)) + ' member</span><span class="dim card-no">Card ' + esc(s.card || "") +
    (m.card.status && m.card.status !== "active" ? " · " + esc(m.card.status) : "") + "</span></div><div>" + badge + "</div></div>" +
    '<div class="tiles"><div class="tile main"><div class="label">Stored value</div><div class="value" id="sv">' + yuan(b.storedValueCents) + "</div></div>" +
    '<div class="tile"><div class="label">Bonus value</div><div class="value">' + yuan(b.bonusValueCents) + "</div></div>" +
    '<div class="tile"><div class="label">Points</div><div class="value" id="points">' + num(b.points) + "</div></div></div>" +
    '<div class="section"><h3>Recent activity</h3>' + (rows ? '<table class="history">' + rows + "</table>" : '<p class="muted">No transactions yet.</p>') + "</div></section>";
}

function orderTotal() { const item = ITEMS[order.item]; return item ? item.cents * order.qty : 0; }

function purchasePanel() {
  const choices = ITEMS.map((it, i) => '<button type="button" class="choice" data-item="' + i + '" aria-pressed="' + (i === order.item) + '">' + esc(it.name) + "<small>" + yuan(it.cents) + "</small></button>").join("");
  const method = (value, label) => '<button type="button" data-method="' + value + '" aria-pressed="' + (order.method === value) + '">' + label + "</button>";
  return '<section class="panel" aria-label="Buy">' +
    "<h3>Buy something</h3>" +
    '<div class="choices">' + choices + "</div>" +
    '<div class="row"><span class="label">Quantity</span><div class="stepper"><button type="button" id="less" aria-label="One less">−</button><output id="qty" aria-live="polite">' + order.qty +
    '</output><button type="button" id="more" aria-label="One more">+</button></div></div>' +
    '<div class="row"><span class="label">Pay with</span><div class="seg">' + method("stored_value", "Stored value") + method("cash", "Cash") + "</div></div>" +
    '<button type="button" class="pay" id="pay">Pay ' + yuan(orderTotal()) + "</button>" +
    '<details class="staff"><summary>Staff: top up this card</summary><form id="topup" class="form-grid">' +
    '<label>Amount (¥)<input name="amount" inputmode="decimal" value="50.00"></label>' +
    '<label>Tender<select name="tender"><option value="cash">Cash</option><option value="bank_card">Bank card</option><option value="mobile">Mobile</option></select></label>' +
    '<label>Staff card<input name="staff" value="A5AFF0000001" autocomplete="off"></label><button>Top up</button></form></details>' +
    '<button type="button" class="secondary done" id="done">Done — log out</button></section>';
}

function resultPanel(s) {
  const outcome = lastOutcome && lastOutcome.id === s.txId ? lastOutcome : null;
  const o = outcome && outcome.result && outcome.result.outcome;
  const rejected = s.status === "rejected";
  const queued = s.status === "queued";
  const what = outcome && outcome.kind === "top_up" ? "Top-up" : "Payment";
  let head, text;
  if (rejected) {
    const code = outcome && outcome.result && outcome.result.code || "REJECTED";
    const p = plain(code, what + " not accepted");
    head = '<h2>' + esc(p[0]) + "</h2><p>" + esc(p[1]) + "</p>" + codeLine(code, outcome && outcome.result && outcome.result.message);
  } else if (queued) {
    head = "<h2>" + what + " saved</h2><p>The hub cannot be reached right now. It will be sent automatically; your balance updates once it is confirmed.</p>";
  } else {
    head = "<h2>" + what + " complete</h2><p class=\"muted\">Thank you! Your new balance is shown on the left.</p>";
  }
  const b = s.member.balances;
  text = '<div class="facts">' +
    (o ? '<div class="tile"><div class="label">' + (o.valueDeltaCents <= 0 ? "Paid from stored value" : "Added to stored value") + '</div><div class="value">' + yuan(Math.abs(o.valueDeltaCents)) + "</div></div>" +
      '<div class="tile"><div class="label">Points earned</div><div class="value">+' + num(o.pointsEarned) + "</div></div>" : "") +
    '<div class="tile main"><div class="label">Stored value now</div><div class="value">' + yuan(b.storedValueCents) + "</div></div>" +
    '<div class="tile"><div class="label">Points now</div><div class="value">' + num(b.points) + "</div></div></div>";
  const receipt = s.receiptText ? '<details class="receipt-box"><summary>Show receipt</summary><pre class="receipt">' + esc(s.receiptText) + "</pre></details>" : "";
  return '<section class="panel result ' + (rejected ? "bad" : queued ? "queued" : "ok") + '" aria-label="Result">' + head + (rejected ? "" : text) + receipt +
    '<button type="button" class="done" id="done">Done — log out</button></section>';
}

function hero(inner, extra) { return '<section class="panel hero' + (extra ? " " + extra : "") + '">' + inner + "</section>"; }

function render(s) {
  const screen = $("#screen");
  lastSession = s;
  if (s.name !== "member" && s.name !== "action") say("");
  if (s.name === "idle") {
    order.item = 0; order.qty = 1; order.method = "stored_value"; lastOutcome = null;
    screen.innerHTML = hero(READER_SVG + "<h1>Tap your card</h1><p>Hold your membership card flat against the reader to see your balance and points.</p>");
  } else if (s.name === "card") {
    screen.innerHTML = hero('<div class="spinner" role="progressbar" aria-label="Reading card"></div><h1>Reading your card…</h1><p>Keep it on the reader for a moment.</p>');
  } else if (s.name === "error") {
    const p = plain(s.code, "Card problem");
    screen.innerHTML = hero("<h1>" + esc(p[0]) + "</h1><p>" + esc(p[1]) + (s.offline ? " The kiosk is offline right now." : "") + "</p>" + codeLine(s.code, s.message) +
      '<button type="button" class="secondary" id="done">OK</button>', "error");
  } else if (s.name === "member") {
    screen.innerHTML = '<div class="layout">' + memberPanel(s) + purchasePanel() + "</div>";
  } else if (s.name === "action") {
    screen.innerHTML = '<div class="layout">' + memberPanel(s) + hero('<div class="spinner" role="progressbar" aria-label="Working"></div><h1>One moment…</h1><p>Sending to the hub.</p>') + "</div>";
  } else if (s.name === "receipt") {
    screen.innerHTML = '<div class="layout">' + memberPanel(s) + resultPanel(s) + "</div>";
  }
  bind();
}

function rerenderOrder() { if (lastSession && lastSession.name === "member") render(lastSession); }

function bind() {
  document.querySelectorAll("[data-item]").forEach((el) => { el.onclick = () => { order.item = Number(el.getAttribute("data-item")); rerenderOrder(); }; });
  document.querySelectorAll("[data-method]").forEach((el) => { el.onclick = () => { order.method = el.getAttribute("data-method"); rerenderOrder(); }; });
  const less = $("#less"), more = $("#more"), pay = $("#pay"), topup = $("#topup");
  if (less) less.onclick = () => { order.qty = Math.max(1, order.qty - 1); rerenderOrder(); };
  if (more) more.onclick = () => { order.qty = Math.min(99, order.qty + 1); rerenderOrder(); };
  if (pay) pay.onclick = async () => {
    const item = ITEMS[order.item];
    if (!item) return;
    pay.disabled = true;
    const total = orderTotal();
    try {
      const r = await api("POST", "/api/tx/purchase", { lines: [{ sku: item.sku, category: item.category, qty: order.qty, unitPriceCents: item.cents }], payments: [{ method: order.method, amountCents: total }] });
      if (r.json.error) sayError(r.json.error.code, r.json.error.message);
      else lastOutcome = Object.assign({ kind: "purchase" }, r.json);
    } catch (error) { sayError("KIOSK_UNREACHABLE", "the kiosk service did not answer"); }
    poll();
  };
  if (topup) topup.onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData(topup), amount = toCents(f.get("amount"));
    if (amount === null || amount <= 0) return sayError("AMOUNT_NOT_POSITIVE", "enter an amount like 50.00");
    const r = await api("POST", "/api/tx/top-up", { amountCents: amount, tender: f.get("tender"), staffCardUid: String(f.get("staff")).toUpperCase() });
    if (r.json.error) sayError(r.json.error.code, r.json.error.message);
    else lastOutcome = Object.assign({ kind: "top_up" }, r.json);
    poll();
  };
  const done = $("#done");
  if (done) done.onclick = async () => { await api("POST", "/api/session/reset"); poll(); };
}

function say(text) { const el = $("#message"); el.className = ""; el.textContent = text; }
function sayError(code, message) {
  const p = plain(code);
  const el = $("#message");
  el.className = "panel bad";
  el.innerHTML = "<strong>" + esc(p[0]) + ".</strong> " + esc(p[1]) + codeLine(code, message);
}

function tick() { $("#clock").textContent = new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }); }

async function poll() {
  try {
    const [session, state] = await Promise.all([api("GET", "/api/session"), api("GET", "/api/state")]);
    const link = $("#link");
    link.textContent = state.json.connected ? "Online" : "Offline";
    link.className = "badge " + (state.json.connected ? "online" : "offline");
    $("#depth").textContent = state.json.outboxDepth ? state.json.outboxDepth + " waiting to send" : "";
    const s = session.json.session;
    if (s && s.version !== lastVersion) { lastVersion = s.version; render(Object.assign({}, s, { receiptText: session.json.receiptText })); }
  } catch (error) {
    const link = $("#link");
    link.textContent = "Kiosk service restarting…";
    link.className = "badge offline";
  }
}

$("#tap").onsubmit = async (e) => {
  e.preventDefault();
  const uid = new FormData(e.target).get("uid");
  const r = await api("POST", "/api/sim/tap", { uid: String(uid).trim().toUpperCase() });
  if (r.json.error) sayError(r.json.error.code, r.json.error.message);
  poll();
};
tick();
setInterval(tick, 10000);
setInterval(poll, 500);
poll();
</script>
</body>
</html>
`;
