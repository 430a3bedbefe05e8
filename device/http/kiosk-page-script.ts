/**
 * The kiosk screen's script, part 1: formatting, the API helper, the member panel, buying, the result of an
 * action, and rendering the session. Part 2 (kiosk-page-actions.ts) adds rewards, count cards, the loss report
 * and registration; part 3 (kiosk-page-stream.ts) listens to the kiosk's events and renders what is pushed.
 * All are inlined into one <script>, so functions may call each other across the parts.
 *
 * What an action did reaches the screen once: as the session, pushed (a receipt with the hub's result, the new
 * member, a registration notice). The reply of the request that started it is read only for a refusal made
 * before any transaction existed (an invalid amount, no card on screen), which no session change reports.
 *
 * String.raw so regular expressions need no double escaping; it must not contain a backtick or a dollar-brace.
 */
export const KIOSK_SCRIPT = String.raw`
"use strict";
const $ = (s) => document.querySelector(s);
/** The version of the session last rendered from the stream (-1: render the next one whatever its version). */
let lastVersion = -1;
let lastSession = null;
/** The staff member signed in on this kiosk (pushed with the session), or null. */
let staff = null;
/** How the kiosk stands (GET /api/state, once per member shown): an unattended kiosk never offers cash. */
let kioskMode = "unattended";

/** What the shop offers: the kiosk's configuration's items (GET /api/state, config.items) when it names any; these three otherwise. */
const DEFAULT_ITEMS = [
  { sku: "COFFEE", category: "drinks", name: "Coffee", cents: 350 },
  { sku: "SANDWICH", category: "food", name: "Sandwich", cents: 1200 },
  { sku: "WATER", category: "drinks", name: "Water", cents: 200 },
];
let ITEMS = DEFAULT_ITEMS;
/** config.items → the shop's items: the zh-CN name, and the English one beside it when HQ gave one. */
function offeredItems(items) {
  if (!Array.isArray(items) || items.length === 0) return DEFAULT_ITEMS;
  return items.map((it) => ({ sku: it.sku, category: it.category, cents: it.priceCents, name: it.name.en ? it.name["zh-CN"] + " · " + it.name.en : it.name["zh-CN"] }));
}
const order = { item: 0, qty: 1, method: "stored_value", usePoints: false };

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
function day(iso) { const d = new Date(iso); return isNaN(d.getTime()) ? "" : d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" }); }
function cap(s) { s = String(s || ""); return s.charAt(0).toUpperCase() + s.slice(1); }

const KINDS = { purchase: "Purchase", top_up: "Top-up", redeem_gift: "Gift redeemed", refund: "Refund", card_report_loss: "Card reported lost",
  card_cancel_loss: "Loss report cancelled", card_freeze: "Card frozen", card_unfreeze: "Card unfrozen", card_replace: "Card replaced", card_return: "Card returned",
  register_member: "Registered", tier_upgrade: "Tier upgrade", punch_card_use: "Visit used" };

/** Plain words for the codes a shopper can meet; the code itself is shown small underneath for staff. */
const PLAIN = {
  CARD_UNKNOWN: ["Card not recognised", "This card is not registered as a membership card. Please ask at the service desk."],
  CARD_LOST: ["This card is reported lost", "It cannot be used. Please ask at the service desk to get a new card."],
  CARD_FROZEN: ["This card is frozen", "It cannot be used right now. Please ask at the service desk."],
  CARD_CANCELLED: ["This card is cancelled", "Please ask at the service desk."],
  CARD_EXPIRED: ["This card has expired", "Please ask at the service desk to renew it."],
  CARD_BAD_STATE: ["This card cannot do that now", "Please ask at the service desk."],
  CARD_ALREADY_EXISTS: ["This card is already registered", "Tap it again to see the membership it belongs to."],
  MEMBER_UNKNOWN: ["Member not found", "Please ask at the service desk."],
  MEMBER_PHONE_TAKEN: ["This phone number is already registered", "Each phone number can have one membership. Please check the number, or ask at the service desk."],
  REFERRER_UNKNOWN: ["We could not find who referred you", "No member has that phone number. Check it, or leave the referrer empty."],
  INSUFFICIENT_STORED_VALUE: ["Not enough stored value", "Your balance does not cover this payment. Please top up first, or pay another way."],
  INSUFFICIENT_POINTS: ["Not enough points", "You do not have enough points for this."],
  PAYMENT_MISMATCH: ["Payment does not match", "The payment does not add up to the total. Please try again."],
  POINTS_PAYMENT_UNDER_MINIMUM: ["Too few points to pay with", "Paying with points needs more points than that. Pay without points instead."],
  POINTS_PAYMENT_OVER_SHARE: ["Too many points for this bill", "Points can pay only part of this bill. Please try again."],
  GIFT_OUT_OF_STOCK: ["This gift is out of stock", "Please choose another gift, or ask at the service desk."],
  GIFT_UNKNOWN: ["This gift is no longer offered", "Please choose another gift."],
  PAID_UPGRADE_UNKNOWN: ["This upgrade is not offered", "Please ask at the service desk."],
  PUNCH_CARD_EXHAUSTED: ["No visits left on this card", "Buy a new count card at the counter."],
  PUNCH_CARD_UNKNOWN: ["No count card for this service", "Please ask at the service desk."],
  CARD_IS_STAFF: ["Staff card", "Enter your PIN to sign in."],
  STAFF_PIN_WRONG: ["Wrong PIN", "Please enter it again."],
  STAFF_LOCKED: ["Too many wrong PINs", "This staff account is locked for a while. Try again later, or ask your manager."],
  STAFF_SESSION_REQUIRED: ["A staff member must sign in", "Staff: tap your staff card and enter your PIN first."],
  STAFF_UNAUTHORIZED: ["Not allowed for this staff member", "Your staff role may not do this here."],
  STAFF_CARD_UNKNOWN: ["Tap your staff card first", "No active staff card is on the reader. Tap it again, then enter your PIN."],
  TENDER_NOT_ALLOWED: ["This kiosk does not take cash", "Nobody is here to take it. Please choose another way to pay."],
  CARD_NOT_ON_READER: ["Only for the card on this reader", "The kiosk acts only for the card tapped on its own reader. Tap the card, then try again."],
  HOST_NOT_ALLOWED: ["This address is not served here", "Open the kiosk screen from the kiosk's own address."],
  SESSION_NO_CARD: ["Please tap your card first", "Hold your membership card to the reader, then try again."],
  HUB_UNREACHABLE: ["The membership system cannot be reached", "Please try again in a moment."],
  OFFLINE_CARD_DAY_LIMIT: ["Over today's offline limit", "The kiosk is offline. Please pay less, or pay another way."],
  OFFLINE_CARD_POINTS_LIMIT: ["Over today's offline points limit", "The kiosk is offline. Please use fewer points, or pay another way."],
  OFFLINE_CARD_SPENDS: ["No more offline payments for this card", "The kiosk is offline. Please pay another way."],
  OFFLINE_KIOSK_EXPOSURE: ["This kiosk cannot take more stored value offline", "Please pay another way."],
  OFFLINE_TOO_LONG: ["Offline for too long", "Stored value and points cannot be used until the kiosk is back online."],
  OFFLINE_SNAPSHOT_EXPIRED: ["Stored value and points are paused", "The kiosk's settings need renewing. Balances and earning points still work."],
  BAD_REQUEST: ["That did not work", "Please check what you entered and try again."],
  TX_INVALID: ["That did not work", "Please check what you entered and try again."],
};
/** The same words in zh-CN, shown first where a code has them (the English follows, smaller). */
const PLAIN_ZH = {
  CARD_IS_STAFF: ["店员卡", "请输入 PIN 码登录。"],
  STAFF_PIN_WRONG: ["PIN 码错误", "请重新输入。"],
  STAFF_LOCKED: ["PIN 码错误次数过多", "此店员账号已暂时锁定，请稍后再试或联系店长。"],
  STAFF_SESSION_REQUIRED: ["需要店员登录", "请店员先刷店员卡并输入 PIN 码。"],
  STAFF_UNAUTHORIZED: ["无权进行此操作", "您的店员角色不能在本机进行此操作。"],
  STAFF_CARD_UNKNOWN: ["请先刷店员卡", "读卡器上没有有效的店员卡，请重新刷卡后输入 PIN 码。"],
  TENDER_NOT_ALLOWED: ["本机不收现金", "这是无人值守的自助机，请选择其他支付方式。"],
  CARD_NOT_ON_READER: ["只能为读卡器上的卡办理", "本机只为在自己读卡器上刷的卡办理业务，请刷卡后再试。"],
  HOST_NOT_ALLOWED: ["无法通过此地址访问", "请使用自助机本机的地址打开屏幕。"],
  HUB_UNREACHABLE: ["无法连接会员系统", "请稍后再试。"],
  OFFLINE_CARD_DAY_LIMIT: ["超出今日离线支付额度", "本机暂时离线，请减少金额或使用其他方式支付。"],
  OFFLINE_CARD_POINTS_LIMIT: ["超出今日离线积分额度", "本机暂时离线，请少用积分或使用其他方式支付。"],
  OFFLINE_CARD_SPENDS: ["此卡离线支付次数已满", "本机暂时离线，请使用其他方式支付。"],
  OFFLINE_KIOSK_EXPOSURE: ["本机离线储值额度已满", "请使用其他方式支付。"],
  OFFLINE_TOO_LONG: ["本机离线时间过长", "联网前暂不能使用储值或积分支付。"],
  OFFLINE_SNAPSHOT_EXPIRED: ["储值和积分支付暂停", "本机配置需要更新；余额查询和积分累计不受影响。"],
};
/** Staff-facing words: zh-CN first, then English. */
const STAFF_TEXT = {
  staff: ["店员", "Staff"],
  signOut: ["退出", "Sign out"],
  until: ["登录至", "until"],
  pinTitle: ["店员登录", "Staff sign-in"],
  pinPrompt: ["请输入您的 PIN 码（4–8 位数字）", "Enter your PIN (4–8 digits)"],
  signIn: ["登录", "Sign in"],
  signingIn: ["正在登录…", "Signing in…"],
  cancel: ["取消", "Cancel"],
  clear: ["清除", "Clear"],
  secondsLeft: ["剩余 {n} 秒", "{n} s left"],
  attemptsLeft: ["还可尝试 {n} 次", "{n} attempts left"],
  actions: ["店员操作", "Staff actions"],
  topUp: ["充值", "Top up"],
  amount: ["金额（¥）", "Amount (¥)"],
  tender: ["收款方式", "Tender"],
  bankCard: ["银行卡", "Bank card"],
  mobile: ["移动支付", "Mobile"],
  cash: ["现金", "Cash"],
  freeze: ["冻结此卡", "Freeze this card"],
  freezeAsk: ["冻结此卡？", "Freeze this card?"],
  freezeWhat: ["冻结后此卡立即停用，余额和积分保留；解冻后恢复使用。", "The card stops working at once; its balance and points stay. Unfreeze it to use it again."],
  freezeYes: ["确认冻结", "Yes, freeze it"],
  frozen: ["此卡已冻结", "Card frozen"],
  unfreeze: ["解冻此卡", "Unfreeze this card"],
  cancelLoss: ["取消挂失", "Cancel the loss report"],
  tapAgain: ["已完成，请再刷一次卡。", "Done: tap the card again."],
  saved: ["已保存，联网后生效。", "Saved: it takes effect once the kiosk is back online."],
};
/** zh-CN first, English after it (smaller, in headings on a line of its own); just the English when there is no zh-CN. */
function bi(pair, en) {
  const zh = en === undefined ? pair[0] : pair, english = en === undefined ? pair[1] : en;
  return zh ? '<span lang="zh-CN">' + esc(zh) + '</span> <span class="en" lang="en">' + esc(english) + "</span>" : esc(english);
}
/** A code's plain words as HTML, zh-CN first where the table has them: [title, sentence]. */
function plainHtml(code, fallback) {
  const en = plain(code, fallback), zh = PLAIN_ZH[code];
  return zh ? [bi(zh[0], en[0]), bi(zh[1], en[1])] : [esc(en[0]), esc(en[1])];
}
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

/** The member's card: who, tier, balances, count cards, recent history; with the loss link when interactive. */
function memberPanel(s, interactive) {
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
    serviceCardsSection(m, interactive) +
    '<div class="section"><h3>Recent activity</h3>' + (rows ? '<table class="history">' + rows + "</table>" : '<p class="muted">No transactions yet.</p>') + "</div>" +
    (interactive && m.card.status === "active" ? lossLink() : "") + "</section>";
}

/**
 * The hub's price for the basket on screen (member prices, discounts): the hub refuses payments that do not add
 * up to its own total, so the kiosk charges the quote. Shelf prices until it answers, and when offline.
 */
const quote = { key: "", cents: null, discount: 0 };
/** The item itself, not its place in the list: the configured items can replace the list under the same index. */
function basketKey() { const item = ITEMS[order.item]; return (lastSession && lastSession.member ? lastSession.member.memberId : "") + "|" + (item ? item.sku + ":" + item.cents : "") + "|" + order.qty; }
function basketLines() { const item = ITEMS[order.item]; return item ? [{ sku: item.sku, category: item.category, qty: order.qty, unitPriceCents: item.cents }] : []; }
function wantQuote() {
  const key = basketKey();
  if (quote.key === key) return;
  Object.assign(quote, { key, cents: null, discount: 0 });
  api("POST", "/api/quote", { lines: basketLines() }).then((r) => {
    const j = r.json;
    if (quote.key !== key || !j.available || !j.quote) return;
    Object.assign(quote, { cents: j.quote.totalCents, discount: j.quote.discountCents });
    if (lastSession && lastSession.name === "member") rerender();
  }).catch(() => undefined);
}
function orderTotal() {
  const item = ITEMS[order.item];
  const shelf = item ? item.cents * order.qty : 0;
  return quote.key === basketKey() && quote.cents !== null ? quote.cents : shelf;
}

/** What the shopper is about to pay: points first (as far as the terms allow, when chosen), the rest by the chosen method. */
function orderPayments() {
  const total = orderTotal();
  const plan = order.usePoints ? pointsPlan(total) : null;
  const rest = total - (plan ? plan.cents : 0);
  const payments = [];
  if (plan) payments.push({ method: "points", points: plan.points });
  if (rest > 0) payments.push({ method: order.method, amountCents: rest });
  return { total, plan, rest, payments };
}

function purchasePanel() {
  const choices = ITEMS.map((it, i) => '<button type="button" class="choice" data-item="' + i + '" aria-pressed="' + (i === order.item) + '">' + esc(it.name) + "<small>" + yuan(it.cents) + "</small></button>").join("");
  const method = (value, label) => '<button type="button" data-method="' + value + '" aria-pressed="' + (order.method === value) + '">' + label + "</button>";
  const p = orderPayments();
  const methodWord = order.method === "cash" ? "cash" : "stored value";
  const payLabel = !p.plan ? "Pay " + yuan(p.total) : p.rest > 0 ? "Pay " + yuan(p.rest) + " + " + num(p.plan.points) + " points" : "Pay with " + num(p.plan.points) + " points";
  return '<section class="panel" aria-label="Buy">' +
    "<h3>Buy something</h3>" +
    '<div class="choices">' + choices + "</div>" +
    '<div class="row"><span class="label">Quantity</span><div class="stepper"><button type="button" id="less" aria-label="One less">−</button><output id="qty" aria-live="polite">' + order.qty +
    '</output><button type="button" id="more" aria-label="One more">+</button></div></div>' +
    // An unattended kiosk takes no cash: nobody is there to take it (the kiosk and the hub refuse it anyway).
    '<div class="row"><span class="label">Pay with</span><div class="seg">' + method("stored_value", "Stored value") + (cashAllowed() ? method("cash", "Cash") : "") + "</div></div>" +
    // The row keeps its height while the hub's terms load, so the Pay button below never jumps.
    '<div class="row points-row">' + pointsOption(p.total) + "</div>" +
    (quote.key === basketKey() && quote.discount > 0 ? '<p class="split">Member price: you save ' + yuan(quote.discount) + "</p>" : "") +
    (p.plan ? '<p class="split">' + num(p.plan.points) + " points pay " + yuan(p.plan.cents) + (p.rest > 0 ? " · " + yuan(p.rest) + " by " + methodWord : "") + " · total " + yuan(p.total) + "</p>" : "") +
    '<button type="button" class="pay" id="pay">' + payLabel + "</button>" +
    '<button type="button" class="secondary done" id="done">Done — log out</button></section>';
}

function cashAllowed() { return kioskMode === "attended"; }
/** Whether the signed-in staff member's role may start this kind (the kiosk and the hub check it again). */
function staffMay(kind) { return !!(staff && staff.mayDo && staff.mayDo.indexOf(kind) >= 0); }

/** The staff member's actions for the member on screen: only with a staff member signed in, only what the role may do. */
function staffPanel(s) {
  const topUp = staffMay("top_up"), freeze = staffMay("card_freeze") && s.member.card.status === "active" && !s.offline;
  if (!topUp && !freeze) return "";
  const tender = (value, pair) => '<option value="' + value + '">' + esc(pair[0] + " " + pair[1]) + "</option>";
  return '<section class="panel staff-acts" aria-label="Staff actions"><h3>' + bi(STAFF_TEXT.actions) + "</h3>" +
    (topUp ? '<form id="topup" class="form-grid">' +
      '<label>' + bi(STAFF_TEXT.amount) + '<input name="amount" inputmode="decimal" value="50.00" autocomplete="off"></label>' +
      '<label>' + bi(STAFF_TEXT.tender) + '<select name="tender">' + tender("bank_card", STAFF_TEXT.bankCard) + tender("mobile", STAFF_TEXT.mobile) +
      (cashAllowed() ? tender("cash", STAFF_TEXT.cash) : "") + "</select></label>" +
      '<button class="go">' + bi(STAFF_TEXT.topUp) + "</button></form>" : "") +
    (freeze ? '<button type="button" class="secondary wide" id="staff-freeze">' + bi(STAFF_TEXT.freeze) + "</button>" : "") + "</section>";
}

/**
 * How the kiosk stands and what it offers, asked once per member shown (a hub may have changed either); cash stays
 * hidden until known.
 */
const modeAsked = { key: "" };
function wantMode(s) {
  const key = s.member.memberId + "|" + s.asOf;
  if (modeAsked.key === key) return;
  modeAsked.key = key;
  api("GET", "/api/state").then((r) => {
    const mode = r.json && r.json.mode === "attended" ? "attended" : "unattended";
    const items = offeredItems(r.json && r.json.config ? r.json.config.items : null);
    const itemsChanged = JSON.stringify(items) !== JSON.stringify(ITEMS);
    if (mode === kioskMode && !itemsChanged) return;
    kioskMode = mode;
    ITEMS = items;
    if (order.item >= ITEMS.length) order.item = 0;
    if (!cashAllowed() && order.method === "cash") order.method = "stored_value";
    if (lastSession && lastSession.name === "member") rerender();
  }).catch(() => undefined);
}

const WHAT = { card_freeze: "Freeze", purchase: "Payment", top_up: "Top-up", redeem_gift: "Gift redemption", tier_upgrade: "Upgrade", punch_card_use: "Visit", card_report_loss: "Loss report" };

function tile(label, value, main) { return '<div class="tile' + (main ? " main" : "") + '"><div class="label">' + label + '</div><div class="value">' + value + "</div></div>"; }

/** The receipt state's result panel: the hub's answer is the session's own (s.result; null while queued). */
function resultPanel(s) {
  const result = s.result || null;
  const o = result && result.outcome;
  const kind = s.kind || "purchase";
  const rejected = s.status === "rejected";
  const queued = s.status === "queued";
  const what = WHAT[kind] || "Transaction";
  const b = s.member.balances;
  let head, facts;
  if (rejected) {
    const code = (result && result.code) || "REJECTED";
    const p = plainHtml(code, what + " not accepted");
    head = "<h2>" + p[0] + "</h2><p>" + p[1] + "</p>" + codeLine(code, result && result.message);
  } else if (queued) {
    head = "<h2>" + what + " saved</h2><p>The hub cannot be reached right now. It will be sent automatically; your balance updates once it is confirmed.</p>";
  } else {
    head = doneHeading(kind, s, o);
  }
  if (kind === "purchase" || kind === "top_up") {
    facts = (o ? tile(o.valueDeltaCents <= 0 ? "Paid from stored value" : "Added to stored value", yuan(Math.abs(o.valueDeltaCents))) +
      (o.pointsSpent ? tile("Points used", num(o.pointsSpent)) : "") + tile("Points earned", "+" + num(o.pointsEarned)) : "") +
      tile("Stored value now", yuan(b.storedValueCents), true) + tile("Points now", num(b.points));
  } else if (kind === "redeem_gift" || kind === "tier_upgrade") {
    facts = (o ? tile("Points spent", num(o.pointsSpent)) : "") + tile("Points left", num(b.points), true);
  } else if (kind === "punch_card_use") {
    facts = visitsLeftTiles(s);
  } else {
    facts = "";
  }
  const receipt = s.receiptText ? '<details class="receipt-box"><summary>Show receipt</summary><pre class="receipt">' + esc(s.receiptText) + "</pre></details>" : "";
  return '<section class="panel result ' + (rejected ? "bad" : queued ? "queued" : "ok") + '" aria-label="Result">' + head + (rejected || !facts ? "" : '<div class="facts">' + facts + "</div>") + receipt +
    '<button type="button" class="done" id="done">Done — log out</button></section>';
}

function hero(inner, extra) { return '<section class="panel hero' + (extra ? " " + extra : "") + '">' + inner + "</section>"; }

function render(s) {
  const screen = $("#screen");
  const previous = lastSession;
  lastSession = s;
  if (s.name !== "member" && s.name !== "action" && s.name !== "register") say("");
  if (!previous || previous.name !== s.name) {
    ui.panel = "buy";
    // A new screen starts at its top (a long member screen may have been scrolled).
    if (previous) window.scrollTo(0, 0);
  }
  if (s.name === "idle") {
    order.item = 0; order.qty = 1; order.method = "stored_value"; order.usePoints = false; welcome = null; catalog.key = ""; quote.key = "";
    screen.innerHTML = hero(READER_SVG + "<h1>Tap your card</h1><p>Hold your membership card flat against the reader to see your balance and points.</p>");
  } else if (s.name === "card") {
    screen.innerHTML = hero('<div class="spinner" role="progressbar" aria-label="Reading card"></div><h1>Reading your card…</h1><p>Keep it on the reader for a moment.</p>');
  } else if (s.name === "error" && s.code === "CARD_IS_STAFF") {
    // A staff card: the PIN pad, not an error. A new tap starts with no digits.
    if (!previous || previous.version !== s.version) Object.assign(pin, { digits: "", notice: null, busy: false });
    screen.innerHTML = pinPanel(s);
  } else if (s.name === "error") {
    screen.innerHTML = s.code === "CARD_UNKNOWN" && !s.offline ? unregisteredCard(s) : errorHero(s);
  } else if (s.name === "register") {
    if (!previous || previous.name !== "register") screen.innerHTML = registerPanel();
  } else if (s.name === "member") {
    wantCatalog(s);
    wantMode(s);
    wantQuote();
    // Rewards go last in the markup: on a one-column portrait kiosk they load below the buttons, so nothing
    // moves under the shopper's finger when the hub's answer arrives.
    screen.innerHTML = '<div class="layout member-screen">' + memberPanel(s, true) + '<div class="acts">' + actionArea(s) + "</div>" + rewardsPanel(s) + "</div>";
  } else if (s.name === "action") {
    screen.innerHTML = '<div class="layout">' + memberPanel(s, false) + hero('<div class="spinner" role="progressbar" aria-label="Working"></div><h1>One moment…</h1><p>Sending to the hub.</p>') + "</div>";
  } else if (s.name === "receipt") {
    screen.innerHTML = '<div class="layout">' + memberPanel(s, false) + resultPanel(s) + "</div>";
  }
  bind();
  bindActions();
  bindStaff();
}

function errorHero(s) {
  const p = plainHtml(s.code, "Card problem");
  return hero("<h1>" + p[0] + "</h1><p>" + p[1] + (s.offline ? " The kiosk is offline right now." : "") + "</p>" + codeLine(s.code, s.message) +
    staffCardOps(s) + '<button type="button" class="secondary" id="done">OK</button>', "error");
}

/** Re-renders the current screen after a change made on the page itself (the session's version did not move). */
function rerender() { if (lastSession) render(lastSession); }

function bind() {
  document.querySelectorAll("[data-item]").forEach((el) => { el.onclick = () => { order.item = Number(el.getAttribute("data-item")); rerender(); }; });
  document.querySelectorAll("[data-method]").forEach((el) => { el.onclick = () => { order.method = el.getAttribute("data-method"); rerender(); }; });
  const less = $("#less"), more = $("#more"), pay = $("#pay"), topup = $("#topup"), usePoints = $("#use-points");
  if (less) less.onclick = () => { order.qty = Math.max(1, order.qty - 1); rerender(); };
  if (more) more.onclick = () => { order.qty = Math.min(99, order.qty + 1); rerender(); };
  if (usePoints) usePoints.onclick = () => { order.usePoints = !order.usePoints; rerender(); };
  if (pay) pay.onclick = async () => {
    const item = ITEMS[order.item];
    if (!item) return;
    pay.disabled = true;
    await act("/api/tx/purchase", { lines: basketLines(), payments: orderPayments().payments });
  };
  if (topup) topup.onsubmit = async (e) => {
    e.preventDefault();
    const f = new FormData(topup), amount = toCents(f.get("amount"));
    if (amount === null || amount <= 0) return sayError("AMOUNT_NOT_POSITIVE", "enter an amount like 50.00");
    // Never a card or a staff card in the body: the kiosk uses its reader and its signed-in staff session.
    await act("/api/tx/top-up", { amountCents: amount, tender: f.get("tender") });
  };
  const done = $("#done");
  if (done) done.onclick = () => post("/api/session/reset");
}

/**
 * Asks the kiosk for something whose outcome arrives as the session, pushed (nothing is rendered from the
 * reply). A refusal made before any transaction existed changes no session: it is said here, and the screen
 * re-rendered so its buttons work again. Resolves whether the request was refused.
 */
async function post(path, body) {
  try {
    const r = await api("POST", path, body);
    if (!r.json.error) return false;
    sayError(r.json.error.code, r.json.error.message);
  } catch (error) { sayError("KIOSK_UNREACHABLE", "the kiosk service did not answer"); }
  rerender();
  return true;
}

/** Sends one member action; the session shows it running and then its result. */
async function act(path, body) { await post(path, body); }

function say(text) { const el = $("#message"); el.className = ""; el.textContent = text; }
function sayError(code, message) {
  const p = plainHtml(code);
  const el = $("#message");
  el.className = "panel bad";
  // An offline limit's own sentence says what is still left (in yuan): it is the text, not the small print.
  const own = /^OFFLINE_/.test(String(code)) && message;
  el.innerHTML = "<strong>" + p[0] + ".</strong> " + (own ? esc(message) : p[1]) + codeLine(code, own ? "" : message);
}

function tick() { $("#clock").textContent = new Date().toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" }); }

`;
