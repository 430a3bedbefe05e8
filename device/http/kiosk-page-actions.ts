/**
 * The kiosk screen's script, part 2: everything a member can do besides buying — redeem a gift, pay with
 * points, buy a tier upgrade, use a count-card visit, report the card lost — and registering a fresh card.
 * What to offer comes from GET /api/catalog (the hub's gifts, upgrades and points-payment terms), fetched once
 * per member shown; offline those offers are hidden with a sentence saying why, and buying still works.
 *
 * Every action that spends or blocks something asks first, in the right-hand column, with the consequence
 * spelt out, because a shopper alone at the kiosk has nobody to undo a mistaken tap.
 *
 * String.raw so regular expressions need no double escaping; it must not contain a backtick or a dollar-brace.
 */
export const KIOSK_ACTIONS_SCRIPT = String.raw`
/** The right-hand column on the member screen: "buy", or a confirmation of "gift" / "upgrade" / "punch" / "loss". */
const ui = { panel: "buy", gift: null, upgrade: null, service: null };
/** The hub's offer for the member on screen; key = member + when the member was looked up, so every tap refetches. */
const catalog = { key: "", state: "none", data: null, code: "", message: "" };
/** Set when the session pushes a member just registered: the member screen opens with a welcome until Continue. */
let welcome = null;
/** The phone field the on-screen keypad types into. */
let keypadTarget = "reg-phone";

function serviceName(id) { return cap(String(id).replace(/[-_]+/g, " ")); }
function gcd(a, b) { while (b) { const t = a % b; a = b; b = t; } return a; }

function wantCatalog(s) {
  const key = s.member.memberId + "|" + s.asOf;
  if (catalog.key === key) return;
  Object.assign(catalog, { key, state: "loading", data: null, code: "", message: "" });
  api("GET", "/api/catalog").then((r) => {
    if (catalog.key !== key) return;
    const j = r.json;
    if (j.available && j.catalog) Object.assign(catalog, { state: "ok", data: j.catalog });
    else Object.assign(catalog, { state: "off", code: (j.error && j.error.code) || j.code || "HUB_UNREACHABLE", message: (j.error && j.error.message) || j.message || "" });
  }).catch(() => { if (catalog.key === key) Object.assign(catalog, { state: "off", code: "KIOSK_UNREACHABLE", message: "" }); })
    .then(() => { if (catalog.key === key && lastSession && lastSession.name === "member") rerender(); });
}
function offer() { return catalog.state === "ok" ? catalog.data : null; }

/**
 * The most the member's points may pay of a bill of total cents: within the max share and the balance, a whole
 * number of cents (points × 100 / pointsPerYuan must be an integer, as the hub checks), at least the minimum.
 * Integers only: the share comes as basis points. Null when points cannot pay.
 */
function pointsPlan(total) {
  const c = offer(), s = lastSession;
  const t = c && c.pointsPayment;
  if (!t || !s || !s.member || s.offline) return null;
  const byShare = Math.floor(total * t.maxShareBasisPoints / 10000);
  const byBalance = Math.floor(s.member.balances.points * 100 / t.pointsPerYuan);
  const step = 100 / gcd(t.pointsPerYuan, 100);
  let cents = Math.min(byShare, byBalance);
  cents -= cents % step;
  const points = cents * t.pointsPerYuan / 100;
  if (cents <= 0 || points < t.minPoints) return null;
  return { points, cents };
}

function pointsOption(total) {
  const c = offer();
  if (catalog.state === "loading") return '<p class="note">Checking your points…</p>';
  if (catalog.state === "off") return '<p class="note">Paying with points is not available right now.</p>';
  if (!c || !c.pointsPayment) return "";
  const plan = pointsPlan(total);
  if (!plan) {
    order.usePoints = false;
    const min = c.pointsPayment.minPoints;
    return '<p class="note">Points cannot pay for this' + (min ? " (at least " + num(min) + " points are needed)" : "") + ".</p>";
  }
  return '<button type="button" class="toggle" id="use-points" aria-pressed="' + order.usePoints + '">Use points<small>' + num(plan.points) + " pts cover " + yuan(plan.cents) + "</small></button>";
}

function rewardsPanel(s) {
  if (s.offline || catalog.state === "off") {
    return '<section class="panel rewards" aria-label="Rewards"><h3>Rewards</h3><p class="note">Gifts, upgrades and paying with points are not available right now: the kiosk cannot reach the membership system. Your balance and purchases still work.</p>' +
      (catalog.code ? codeLine(catalog.code) : "") + "</section>";
  }
  const c = offer();
  if (!c) return '<section class="panel rewards" aria-label="Rewards"><h3>Rewards</h3><p class="note">Loading gifts…</p></section>';
  const pts = s.member.balances.points;
  const upgrades = c.upgrades.map((u) => {
    const missing = u.points - pts;
    return missing > 0
      ? '<button type="button" class="upgrade" disabled>Upgrade to ' + esc(cap(u.to)) + " for " + num(u.points) + " points<small> · " + num(missing) + " more points needed</small></button>"
      : '<button type="button" class="upgrade" data-upgrade="' + esc(u.to) + '">Upgrade to ' + esc(cap(u.to)) + " for " + num(u.points) + " points</button>";
  }).join("");
  const gifts = c.gifts.map((g) => {
    const missing = g.pointsPrice - pts;
    return '<button type="button" class="gift" data-gift="' + esc(g.sku) + '"' + (missing > 0 ? " disabled" : "") + "><span>" + esc(g.name) +
      (missing > 0 ? "<small>" + num(missing) + " more points needed</small>" : "<small>Tap to redeem</small>") + '</span><span class="price">' + num(g.pointsPrice) + " pts</span></button>";
  }).join("");
  return '<section class="panel rewards" aria-label="Rewards"><h3>Rewards</h3>' + upgrades +
    (gifts ? '<div class="gifts">' + gifts + "</div>" : '<p class="note">No gifts are in stock right now.</p>') + "</section>";
}

function serviceCardsSection(m, interactive) {
  const cards = m.serviceCards || [];
  if (!cards.length) return "";
  const rows = cards.map((c) => "<tr><td>" + esc(serviceName(c.serviceId)) + '</td><td class="num">' + (c.punchesLeft === null ? "Unlimited visits" : num(c.punchesLeft) + (c.punchesLeft === 1 ? " visit left" : " visits left")) +
    '</td><td class="dim">' + (c.validUntil ? "until " + esc(day(c.validUntil)) : "") + '</td><td class="r">' +
    (interactive ? '<button type="button" data-punch="' + esc(c.serviceId) + '"' + (c.punchesLeft === 0 ? " disabled" : "") + ">Use one visit</button>" : "") + "</td></tr>").join("");
  return '<div class="section"><h3>Count cards</h3><table class="visits">' + rows + "</table></div>";
}

function lossLink() { return '<div class="loss"><button type="button" class="linkish" id="lost">Report my card lost</button></div>'; }

function confirmPanel(title, text, yes, tone) {
  return '<section class="panel confirm" aria-label="Confirm"><h2>' + esc(title) + "</h2><p>" + text + '</p><div class="actions">' +
    '<button type="button" class="secondary" id="no">Cancel</button><button type="button" class="' + tone + '" id="yes">' + esc(yes) + "</button></div></section>";
}

/** The right-hand column of the member screen. */
function actionArea(s) {
  const pts = s.member.balances.points, c = offer();
  if (welcome) {
    return '<section class="panel result ok" aria-label="Welcome"><h2>Welcome, ' + esc(welcome.name) + "!</h2><p>Your card is registered and ready: collect points on every purchase and pay with stored value or points.</p>" +
      (welcome.points ? '<div class="facts">' + tile("Welcome points", "+" + num(welcome.points), true) + "</div>" : "") +
      '<button type="button" class="done go" id="welcome-ok">Continue</button></section>';
  }
  const gift = ui.panel === "gift" && c && c.gifts.find((g) => g.sku === ui.gift);
  if (gift) return confirmPanel("Redeem " + gift.name + "?", num(gift.pointsPrice) + " of your " + num(pts) + " points will be used; " + num(pts - gift.pointsPrice) +
    " will be left. Please collect the gift at the service desk.", "Yes, redeem for " + num(gift.pointsPrice) + " points", "go");
  const up = ui.panel === "upgrade" && c && c.upgrades.find((u) => u.to === ui.upgrade);
  if (up) return confirmPanel("Upgrade to " + cap(up.to) + "?", "You become a " + esc(cap(up.to)) + " member now. " + num(up.points) + " of your " + num(pts) + " points will be used; " +
    num(pts - up.points) + " will be left.", "Yes, upgrade for " + num(up.points) + " points", "go");
  const card = ui.panel === "punch" && (s.member.serviceCards || []).find((x) => x.serviceId === ui.service);
  if (card) return confirmPanel("Use one " + serviceName(card.serviceId) + " visit?", card.punchesLeft === null ? "Your card is valid" + (card.validUntil ? " until " + esc(day(card.validUntil)) : "") + "."
    : "You have " + num(card.punchesLeft) + " left; " + num(card.punchesLeft - 1) + " after this one.", "Yes, use one visit", "go");
  if (ui.panel === "freeze" && staffMay("card_freeze")) {
    return '<section class="panel confirm" aria-label="Confirm"><h2>' + bi(STAFF_TEXT.freezeAsk) + "</h2><p>" + bi(STAFF_TEXT.freezeWhat) + '</p><div class="actions">' +
      '<button type="button" class="secondary" id="no">' + bi(STAFF_TEXT.cancel) + '</button><button type="button" class="danger" id="yes">' + bi(STAFF_TEXT.freezeYes) + "</button></div></section>";
  }
  if (ui.panel === "loss") return confirmPanel("Report this card lost?", "The card stops working at once, so nobody else can spend your balance or points. They stay safe: staff at the service desk will move them to a new card.",
    "Yes, report it lost", "danger");
  // A signed-in staff member came to do staff things: their actions come first.
  return staffPanel(s) + purchasePanel();
}

function doneHeading(kind, s, o) {
  if (kind === "redeem_gift") return "<h2>Gift redeemed</h2><p class=\"muted\">Please collect your gift at the service desk.</p>";
  if (kind === "tier_upgrade") return "<h2>You are now a " + esc(cap(s.member.tier)) + " member</h2><p class=\"muted\">Enjoy your new benefits from your next purchase.</p>";
  if (kind === "punch_card_use") return "<h2>Visit used</h2><p class=\"muted\">Show this screen or the receipt at the counter.</p>";
  if (kind === "card_freeze") return "<h2>" + bi(STAFF_TEXT.frozen) + "</h2>";
  if (kind === "card_report_loss") return "<h2>Card reported lost</h2><p>This card no longer works. Ask at the service desk for a new card; your balance and points move to it.</p>";
  return "<h2>" + (kind === "top_up" ? "Top-up" : "Payment") + " complete</h2><p class=\"muted\">Thank you! Your new balance is shown on the left.</p>";
}

function visitsLeftTiles(s) {
  return (s.member.serviceCards || []).map((c) => tile(esc(serviceName(c.serviceId)), c.punchesLeft === null ? "Valid" : num(c.punchesLeft) + " left", true)).join("");
}

function unregisteredCard(s) {
  return hero(READER_SVG + "<h1>This card is not registered yet</h1><p>It is not registered as a membership card. Register it now to collect points and pay with it — it takes about a minute.</p>" +
    '<div class="actions"><button type="button" class="secondary" id="done">Not now</button><button type="button" class="go" id="register">Register this card</button></div>' + codeLine(s.code));
}

function registerPanel() {
  const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9"].map((k) => '<button type="button" data-key="' + k + '">' + k + "</button>").join("") +
    '<button type="button" class="small-key" data-key="clear">Clear</button><button type="button" data-key="0">0</button><button type="button" data-key="back" aria-label="Delete last digit">⌫</button>';
  return '<section class="panel register" aria-label="Register"><h2>Register this card</h2><p class="muted">Your details stay with the store: receipts and screens show only the last four digits of your phone.</p>' +
    '<form id="register-form" class="reg-grid" novalidate><div>' +
    '<label for="reg-name">Your name</label><input id="reg-name" name="name" autocomplete="off" maxlength="64">' +
    '<label for="reg-phone">Mobile phone</label><input id="reg-phone" class="target" name="phone" inputmode="none" autocomplete="off" maxlength="20">' +
    '<label for="reg-referrer">Referrer\'s mobile phone (optional)</label><input id="reg-referrer" name="referrer" inputmode="none" autocomplete="off" maxlength="20">' +
    '<div class="actions"><button type="button" class="secondary" id="done">Cancel</button><button class="go" id="reg-submit">Register</button></div></div>' +
    '<div class="keypad" role="group" aria-label="Number keypad">' + keys + "</div></form></section>";
}

async function submitRegistration(form) {
  const name = form.elements.name.value.trim(), phone = form.elements.phone.value, referrer = form.elements.referrer.value;
  if (!name) return sayError("NAME_MISSING", "please type your name");
  if (!/^\d{6,20}$/.test(phone)) return sayError("PHONE_INVALID", "a phone number has 6 to 20 digits");
  if (referrer && !/^\d{6,20}$/.test(referrer)) return sayError("PHONE_INVALID", "the referrer's phone number has 6 to 20 digits");
  const button = $("#reg-submit");
  button.disabled = true;
  say("");
  // The outcome arrives as the session, pushed: the new member with a welcome, or the form with a notice.
  await post("/api/tx/register", Object.assign({ name, phone }, referrer ? { referrer: { phone: referrer } } : {}));
  button.disabled = false;
}

/** A registration that did not complete at once, as the session carries it (shown once, when pushed). */
function showRegistrationNotice(notice) {
  if (notice.status === "rejected") sayError(notice.code || "REJECTED", notice.message);
  else say("Registration saved. It completes as soon as the kiosk is back online; tap your card again then.");
}

function bindActions() {
  const on = (sel, fn) => { const el = $(sel); if (el) el.onclick = fn; };
  const choose = (panel, field, value) => { ui.panel = panel; if (field) ui[field] = value; say(""); rerender(); };
  document.querySelectorAll("[data-gift]").forEach((el) => { el.onclick = () => choose("gift", "gift", el.getAttribute("data-gift")); });
  document.querySelectorAll("[data-upgrade]").forEach((el) => { el.onclick = () => choose("upgrade", "upgrade", el.getAttribute("data-upgrade")); });
  document.querySelectorAll("[data-punch]").forEach((el) => { el.onclick = () => choose("punch", "service", el.getAttribute("data-punch")); });
  on("#lost", () => choose("loss"));
  on("#no", () => choose("buy"));
  on("#welcome-ok", () => { welcome = null; rerender(); });
  on("#yes", async (e) => {
    e.currentTarget.disabled = true;
    if (ui.panel === "gift") await act("/api/tx/redeem-gift", { giftSku: ui.gift, qty: 1 });
    else if (ui.panel === "upgrade") await act("/api/tx/tier-upgrade", { targetTier: ui.upgrade });
    else if (ui.panel === "punch") await act("/api/tx/punch", { serviceId: ui.service });
    else if (ui.panel === "loss") await act("/api/tx/card/report-loss", {});
    else if (ui.panel === "freeze") await act("/api/tx/card/freeze", {});
  });
  on("#register", () => post("/api/session/register"));
  const form = $("#register-form");
  if (!form) return;
  form.onsubmit = (e) => { e.preventDefault(); submitRegistration(form); };
  ["reg-phone", "reg-referrer"].forEach((id) => {
    const input = document.getElementById(id);
    input.onfocus = () => { keypadTarget = id; document.querySelectorAll("#register-form input").forEach((x) => x.classList.toggle("target", x.id === id)); };
    input.oninput = () => { input.value = input.value.replace(/\D+/g, "").slice(0, 20); };
  });
  document.querySelectorAll("[data-key]").forEach((el) => {
    el.onclick = () => {
      const input = document.getElementById(keypadTarget), key = el.getAttribute("data-key");
      input.value = key === "clear" ? "" : key === "back" ? input.value.slice(0, -1) : (input.value + key).slice(0, 20);
    };
  });
}
`;
