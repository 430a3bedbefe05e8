/**
 * The kiosk screen's style sheet, inlined into the page (kiosks are often offline: no external files). Dark,
 * high contrast, touch targets of at least 56 px (92 px on a tall portrait kiosk).
 */
export const KIOSK_STYLE = String.raw`  :root {
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

  /* rewards, count cards, the loss link (member screen) */
  @media (min-width:1100px) and (orientation:landscape) {
    .member-screen { grid-template-rows:auto 1fr; }
    .member-screen > .acts { grid-column:2; grid-row:1 / span 2; }
    .member-screen > .rewards { grid-column:1; grid-row:2; align-self:start; }
  }
  .acts { min-width:0; }
  .points-row { min-height:64px; }
  .gifts { display:grid; gap:10px; }
  .gift { width:100%; display:flex; justify-content:space-between; align-items:center; gap:16px; text-align:left; background:var(--panel-2); border-color:var(--line); color:var(--fg); }
  .gift .price { color:#fde68a; font-variant-numeric:tabular-nums; white-space:nowrap; }
  .gift small { display:block; font-size:16px; font-weight:600; color:var(--dim); }
  .gift:disabled { opacity:1; color:var(--dim); background:transparent; border-style:dashed; }
  .gift:disabled .price { color:var(--dim); }
  .upgrade { width:100%; margin-bottom:12px; background:var(--gold); color:#1c1400; }
  .upgrade:disabled { opacity:1; background:transparent; border:2px dashed var(--line); color:var(--dim); }
  .note { color:var(--muted); font-size:18px; margin:0; }
  .visits { width:100%; border-collapse:collapse; font-size:18px; }
  .visits td { padding:8px 4px; border-bottom:1px solid var(--line); }
  .visits tr:last-child td { border-bottom:0; }
  .visits td.r { text-align:right; }
  .visits button { min-height:56px; font-size:18px; }
  .loss { margin-top:18px; padding-top:4px; border-top:1px solid var(--line); display:flex; justify-content:flex-end; }
  .linkish { background:none; border:0; color:var(--muted); font-weight:600; font-size:17px; text-decoration:underline; text-underline-offset:4px; min-height:56px; padding:8px 6px; }
  .toggle { width:100%; display:flex; justify-content:space-between; align-items:center; gap:12px; background:var(--panel-2); border-color:var(--line); color:var(--fg); text-align:left; }
  .toggle[aria-pressed="true"] { border-color:var(--gold); background:#3f3410; box-shadow:0 0 0 2px var(--gold) inset; }
  .toggle small { color:var(--muted); font-weight:600; font-size:17px; }
  .split { margin:10px 0 0; color:var(--muted); font-size:18px; }

  /* confirmations, welcome, registration */
  .actions { display:grid; grid-template-columns:1fr 1fr; gap:12px; margin-top:22px; }
  .confirm h2 { font-size:clamp(28px, 1.4vw + 16px, 40px); font-weight:800; }
  .confirm p { color:var(--muted); }
  .danger { background:#b91c1c; } .danger:active { background:#991b1b; }
  .go { background:var(--go); color:var(--go-ink); }
  .register { max-width:1100px; margin:0 auto; }
  .register h2 { font-size:clamp(30px, 1.5vw + 16px, 42px); font-weight:800; }
  .reg-grid { display:grid; gap:24px; grid-template-columns:1fr; margin-top:12px; }
  @media (min-width:900px) and (orientation:landscape) { .reg-grid { grid-template-columns:minmax(0, 1.2fr) minmax(0, 1fr); } }
  input.target { border-color:var(--brand); box-shadow:0 0 0 2px var(--brand) inset; }
  .keypad { display:grid; grid-template-columns:repeat(3, minmax(0, 1fr)); gap:10px; align-content:start; }
  .keypad button { font-size:30px; background:var(--panel-2); border-color:var(--line); }
  .keypad .small-key { font-size:20px; }
  @media (orientation: portrait) and (min-width: 900px) {
    .gift small, .toggle small, .note, .split, .visits, .linkish { font-size:23px; }
    .keypad button { font-size:40px; }
    .points-row { min-height:92px; }
  }

  /* zh-CN first, English after it: in headings on a line of its own, smaller */
  .en { color:var(--muted); }
  h1 .en, h2 .en, h3 .en { display:block; font-size:.62em; font-weight:700; margin-top:.2em; letter-spacing:0; text-transform:none; }
  h3 .en { font-size:.85em; font-weight:600; }
  strong .en { display:block; font-size:.85em; }
  button .en { color:inherit; opacity:.85; font-size:.8em; }

  /* staff signed in: a bar across the top, unmistakable */
  .staff-bar { display:flex; align-items:center; justify-content:space-between; gap:16px; padding:6px 28px; background:#3f2a06; border-bottom:3px solid var(--warn); color:#fde68a; font-size:20px; flex-wrap:wrap; }
  .staff-bar[hidden] { display:none; }
  .staff-bar .who-staff { flex:1 1 12em; min-width:0; overflow-wrap:anywhere; }
  .staff-bar .staff-name { color:#fff; }
  .staff-bar .dim { display:block; color:#fcd34d; font-size:.8em; }
  .staff-bar button { flex:0 0 auto; min-height:56px; font-size:19px; padding:6px 20px; }
  .staff-acts { margin-bottom:20px; border-color:var(--warn); }
  .staff-acts h3 { color:#fde68a; }
  .staff-acts .form-grid { margin-bottom:12px; }
  .staff-acts label { font-size:18px; }
  .staff-acts input, .staff-acts select { font-size:22px; }
  .wide { width:100%; margin-top:8px; }
  #message.ok { color:#bbf7d0; border-color:var(--go); }

  /* the staff PIN pad: prompt and dots beside the keys on a landscape screen, above them on a portrait one */
  .pin-pad { max-width:1100px; margin:0 auto; display:grid; gap:18px 28px; grid-template-columns:1fr; grid-template-areas:"side" "keys" "acts"; }
  @media (orientation: landscape) and (min-width:700px) {
    .pin-pad { grid-template-columns:minmax(0, 1fr) minmax(0, 1fr); grid-template-rows:1fr auto; grid-template-areas:"side keys" "acts keys"; }
  }
  .pin-side { grid-area:side; min-width:0; } .pin-keys { grid-area:keys; } .pin-actions { grid-area:acts; align-self:end; }
  .pin-pad h2 { font-size:clamp(28px, 1.5vw + 16px, 42px); font-weight:800; }
  .pin-pad p { margin:10px 0 0; }
  .pin-row { display:flex; align-items:center; justify-content:space-between; gap:12px; flex-wrap:wrap; margin-top:16px; }
  .pin-dots { display:flex; gap:14px; min-height:32px; align-items:center; }
  .pin-dots .dot { width:26px; height:26px; border-radius:50%; border:3px solid var(--muted); }
  .pin-dots .dot.on { background:var(--fg); border-color:var(--fg); }
  .pin-notice { margin-top:12px; }
  .pin-notice.bad { border:2px solid var(--bad); background:var(--bad-bg); border-radius:12px; padding:10px 14px; color:#fecaca; }
  .pin-notice p { margin:4px 0 0; }
  .pin-pad .actions { margin-top:0; }
  .pin-keys button { font-size:32px; }
  .pin-keys .small-key { font-size:18px; }
  /* a small landscape screen (800×480, 1024×600): the pad must fit above the fold */
  @media (orientation: landscape) and (max-height:640px) {
    header { min-height:52px; padding:4px 20px; }
    main { padding:12px 20px; }
    .pin-pad { padding:14px 20px; gap:10px 22px; }
    .pin-pad h2 { font-size:26px; }
    .pin-row { margin-top:10px; }
    .pin-pad p { font-size:17px; margin-top:6px; }
    .pin-keys { gap:8px; }
    .pin-keys button { min-height:64px; }
    .staff-bar { padding:4px 20px; font-size:18px; }
  }
  @media (orientation: portrait) and (min-width: 900px) {
    .staff-bar { font-size:28px; padding:12px 40px; }
    .staff-bar button { min-height:80px; font-size:26px; }
    .pin-pad h2 { font-size:56px; }
    .pin-dots .dot { width:40px; height:40px; }
    .pin-keys button { min-height:130px; font-size:52px; }
    .pin-keys .small-key { font-size:26px; }
    .staff-acts label { font-size:24px; }
    .staff-acts input, .staff-acts select { font-size:30px; }
  }
`;
