/**
 * The kiosk screen: one self-contained page (no build step, no CDN: kiosks are often offline). It polls
 * /api/session, which is cheap on loopback and survives the process restarting, unlike a held SSE stream.
 * Amounts typed in are turned into integer cents by string arithmetic, never by multiplying a float.
 */
export const KIOSK_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>memberkiosk</title>
<style>
  :root { --bg:#0f172a; --panel:#1e293b; --fg:#f1f5f9; --muted:#94a3b8; --accent:#22c55e; --warn:#f59e0b; --bad:#ef4444; }
  * { box-sizing: border-box; }
  body { margin:0; font: 20px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--fg); }
  header { display:flex; justify-content:space-between; align-items:center; padding:12px 24px; background:var(--panel); }
  main { padding:24px; max-width:1000px; margin:auto; }
  .badge { display:inline-block; padding:4px 12px; border-radius:999px; font-size:16px; font-weight:600; }
  .online { background:var(--accent); color:#052e16; } .offline { background:var(--warn); color:#451a03; }
  .panel { background:var(--panel); border-radius:16px; padding:24px; margin-bottom:20px; }
  .idle { text-align:center; padding:80px 24px; } .idle h1 { font-size:56px; margin:0 0 12px; }
  .grid { display:grid; grid-template-columns:repeat(auto-fit, minmax(180px, 1fr)); gap:16px; }
  .big { font-size:34px; font-weight:700; } .muted { color:var(--muted); font-size:16px; }
  button { min-height:64px; min-width:140px; font-size:22px; border:0; border-radius:12px; background:#3b82f6; color:white; padding:0 20px; cursor:pointer; }
  button.secondary { background:#475569; }
  input, select { min-height:56px; font-size:22px; border-radius:10px; border:1px solid #475569; background:#0b1220; color:var(--fg); padding:0 12px; width:100%; }
  label { display:block; font-size:16px; color:var(--muted); margin-top:8px; }
  form { display:grid; gap:8px; }
  pre { background:white; color:black; padding:16px; border-radius:8px; font-size:16px; white-space:pre; overflow:auto; }
  .error { border:3px solid var(--bad); }
  table { width:100%; border-collapse:collapse; font-size:16px; } td, th { padding:6px; border-bottom:1px solid #334155; text-align:left; }
  #message { min-height:28px; }
</style>
</head>
<body>
<header><strong>memberkiosk</strong><span><span id="link" class="badge offline">offline</span> <span id="depth" class="muted"></span></span></header>
<main>
  <div id="screen"></div>
  <div id="message" class="muted"></div>
  <details class="panel"><summary>Demo: simulate a card tap</summary>
    <form id="tap"><label>Card UID (hex)<input name="uid" value="04A1B2C3D4" autocomplete="off"></label><button>Tap</button></form>
  </details>
</main>
<script>
"use strict";
const $ = (s) => document.querySelector(s);
let lastVersion = -1;

function cents(n) { const s = n < 0 ? "-" : ""; n = Math.abs(n); return s + Math.floor(n / 100) + "." + String(n % 100).padStart(2, "0"); }
function toCents(text) {
  const m = /^(\\d{1,9})(?:\\.(\\d{1,2}))?$/.exec(String(text).trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || "0").padEnd(2, "0"));
}
function esc(v) { return String(v).replace(/[&<>"']/g, (c) => ({ "&":"&amp;", "<":"&lt;", ">":"&gt;", '"':"&quot;", "'":"&#39;" })[c]); }

async function api(method, path, body) {
  const res = await fetch(path, { method, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => ({}));
  return { status: res.status, json };
}

function memberPanel(s) {
  const m = s.member, b = m.balances;
  const badge = s.offline ? '<span class="badge offline">offline: as of ' + esc(new Date(s.asOf).toLocaleString()) + "</span>" : '<span class="badge online">live</span>';
  const rows = m.history.slice(0, 5).map((h) => "<tr><td>" + esc(new Date(h.at).toLocaleString()) + "</td><td>" + esc(h.kind) + "</td><td>" + cents(h.valueDeltaCents) + "</td><td>" + h.pointsDelta + "</td><td>" + esc(h.status) + "</td></tr>").join("");
  return '<div class="panel"><div style="display:flex;justify-content:space-between"><div><div class="big">' + esc(m.name) + '</div><div class="muted">' + esc(m.tier) + " · card " + esc(s.card || "") + " (" + esc(m.card.status) + ")</div></div><div>" + badge + "</div></div>" +
    '<div class="grid" style="margin-top:16px"><div><div class="muted">Stored value</div><div class="big" id="sv">' + cents(b.storedValueCents) + '</div></div><div><div class="muted">Bonus value</div><div class="big">' + cents(b.bonusValueCents) + '</div></div><div><div class="muted">Points</div><div class="big" id="points">' + b.points + "</div></div></div>" +
    (rows ? '<h3>Last transactions</h3><table><tr><th>When</th><th>What</th><th>Value</th><th>Points</th><th></th></tr>' + rows + "</table>" : "") + "</div>";
}

function actionPanels() {
  return '<div class="grid"><div class="panel"><h3>Purchase</h3><form id="purchase">' +
    '<label>Item (SKU)<input name="sku" value="COFFEE"></label><label>Category<input name="category" value="drinks"></label>' +
    '<label>Quantity<input name="qty" type="number" min="1" value="1"></label><label>Unit price<input name="price" inputmode="decimal" value="3.50"></label>' +
    '<label>Pay with<select name="method"><option value="cash">cash</option><option value="stored_value">stored value</option></select></label><button>Buy</button></form></div>' +
    '<div class="panel"><h3>Top-up (staff)</h3><form id="topup"><label>Amount<input name="amount" inputmode="decimal" value="50.00"></label>' +
    '<label>Tender<select name="tender"><option>cash</option><option value="bank_card">bank card</option><option>mobile</option></select></label>' +
    '<label>Staff card UID<input name="staff" value="5AFF0001"></label><button>Top up</button></form></div></div>' +
    '<button class="secondary" id="done">Done</button>';
}

function render(s) {
  const screen = $("#screen");
  if (s.name === "idle") screen.innerHTML = '<div class="panel idle"><h1>Tap your card</h1><div class="muted">Hold your membership card to the reader</div></div>';
  else if (s.name === "card") screen.innerHTML = '<div class="panel idle"><h1>Reading card…</h1></div>';
  else if (s.name === "error") screen.innerHTML = '<div class="panel idle error"><h1>' + (s.code === "CARD_UNKNOWN" ? "Card not recognised" : "Card problem") + '</h1><div class="muted">' + esc(s.code) + ": " + esc(s.message) + "</div></div>";
  else if (s.name === "member") screen.innerHTML = memberPanel(s) + actionPanels();
  else if (s.name === "action") screen.innerHTML = memberPanel(s) + '<div class="panel idle"><h1>Working…</h1></div>';
  else if (s.name === "receipt") screen.innerHTML = memberPanel(s) + '<div class="panel"><h3>Receipt (' + esc(s.status) + ")</h3><pre>" + esc(s.receiptText || "") + '</pre><button class="secondary" id="done">Done</button></div>';
  bind();
}

function bind() {
  const purchase = $("#purchase"), topup = $("#topup"), done = $("#done");
  if (purchase) purchase.onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData(purchase), qty = Number(f.get("qty")), unit = toCents(f.get("price"));
    if (unit === null || !Number.isInteger(qty) || qty < 1) return say("Enter a quantity and a price like 3.50");
    const total = unit * qty;
    const r = await api("POST", "/api/tx/purchase", { lines: [{ sku: f.get("sku"), category: f.get("category"), qty, unitPriceCents: unit }], payments: [{ method: f.get("method"), amountCents: total }] });
    say(r.json.error ? r.json.error.code + ": " + r.json.error.message : "Purchase " + r.json.status);
    poll();
  };
  if (topup) topup.onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData(topup), amount = toCents(f.get("amount"));
    if (amount === null || amount <= 0) return say("Enter an amount like 50.00");
    const r = await api("POST", "/api/tx/top-up", { amountCents: amount, tender: f.get("tender"), staffCardUid: String(f.get("staff")).toUpperCase() });
    say(r.json.error ? r.json.error.code + ": " + r.json.error.message : "Top-up " + r.json.status);
    poll();
  };
  if (done) done.onclick = async () => { await api("POST", "/api/session/reset"); poll(); };
}

function say(text) { $("#message").textContent = text; }

async function poll() {
  try {
    const [session, state] = await Promise.all([api("GET", "/api/session"), api("GET", "/api/state")]);
    const link = $("#link");
    link.textContent = state.json.connected ? "online" : "offline";
    link.className = "badge " + (state.json.connected ? "online" : "offline");
    $("#depth").textContent = state.json.outboxDepth ? state.json.outboxDepth + " queued" : "";
    const s = session.json.session;
    if (s && s.version !== lastVersion) { lastVersion = s.version; render(Object.assign({}, s, { receiptText: session.json.receiptText })); }
  } catch (error) { say("screen lost the kiosk service: retrying"); }
}

$("#tap").onsubmit = async (e) => { e.preventDefault(); const uid = new FormData(e.target).get("uid"); const r = await api("POST", "/api/sim/tap", { uid: String(uid).toUpperCase() }); if (r.json.error) say(r.json.error.code + ": " + r.json.error.message); poll(); };
setInterval(poll, 700);
poll();
</script>
</body>
</html>
`;
