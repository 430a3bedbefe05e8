/** HQ console, first cut: members with balances, the journal audit, the broker. Server-rendered, no scripts. */
import { formatPoints, formatYuan } from '../../core/money/format-yuan.ts';
import type { MemberView } from '../../core/wire/lookup.ts';
import type { AuditFinding } from '../ledger/ledger-store.ts';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const yuan = formatYuan;
const grouped = formatPoints;

const KIND_LABELS: Record<string, string> = { purchase: 'Purchase', top_up: 'Top-up', redeem_gift: 'Gift', refund: 'Refund' };

export function renderConsole(view: { members: MemberView[]; audit: AuditFinding[]; transactions: number; brokerUrl: string }): string {
  const rows = view.members
    .map((m) => {
      const tier = m.tier.toLowerCase();
      const recent = m.history
        .map((h) => `<span class="chip${h.status === 'rejected' ? ' rejected' : ''}" title="${escape(h.at)}">${escape(KIND_LABELS[h.kind] ?? h.kind)}${h.status === 'rejected' ? ' ✗' : ''}</span>`)
        .join('');
      return `<tr><td class="mono">${escape(m.memberId)}</td><td class="name">${escape(m.name)}</td><td class="mono">${escape(m.phoneMasked)}</td>
      <td><span class="tier ${escape(tier)}">${escape(m.tier)}</span></td><td><span class="status ${m.card.status === 'active' ? 'ok' : 'warn'}">${escape(m.card.status)}</span></td>
      <td class="n">${yuan(m.balances.storedValueCents)}</td><td class="n">${yuan(m.balances.bonusValueCents)}</td>
      <td class="n">${grouped(m.balances.points)}</td><td>${recent}</td></tr>`;
    })
    .join('\n');
  const totalStored = view.members.reduce((sum, m) => sum + m.balances.storedValueCents, 0);
  const totalPoints = view.members.reduce((sum, m) => sum + m.balances.points, 0);
  const auditOk = view.audit.length === 0;
  const audit = auditOk
    ? '<div class="banner ok"><strong>Journal audit passed.</strong> Every balance matches the journal.</div>'
    : `<div class="banner bad"><strong>Journal audit: ${view.audit.length} difference${view.audit.length === 1 ? '' : 's'}.</strong> Balances and journal disagree; see /api/audit.</div>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>memberkiosk hub</title>
<style>
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1d2330;background:#f4f6fb}
header{display:flex;align-items:center;justify-content:space-between;padding:14px 32px;background:#0f172a;color:#f8fafc}
header h1{margin:0;font-size:20px;font-weight:700;display:flex;align-items:center;gap:10px}
header .meta{font-size:13px;color:#cbd5e1;font-family:ui-monospace,"DejaVu Sans Mono",monospace}
main{max-width:1280px;margin:0 auto;padding:24px 32px 40px}
.cards{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:16px;margin-bottom:20px}
.card{background:#fff;border:1px solid #e2e6ef;border-radius:12px;padding:14px 18px}
.card .label{font-size:13px;color:#5b6477;text-transform:uppercase;letter-spacing:.06em}
.card .value{font-size:26px;font-weight:700;font-variant-numeric:tabular-nums;margin-top:2px}
.banner{border-radius:10px;padding:10px 16px;margin-bottom:20px}
.banner.ok{background:#e7f6ec;color:#14532d;border:1px solid #b7e1c3}.banner.bad{background:#fdecec;color:#7f1d1d;border:1px solid #f5b5b5}
section{background:#fff;border:1px solid #e2e6ef;border-radius:12px;overflow:hidden}
section h2{margin:0;padding:14px 18px;font-size:16px;border-bottom:1px solid #e2e6ef}
table{border-collapse:collapse;width:100%}
td,th{padding:10px 14px;border-bottom:1px solid #edf0f5;text-align:left;vertical-align:middle}
tr:last-child td{border-bottom:0}
th{font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:#5b6477;background:#f8f9fc;font-weight:600}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:13px;color:#414a5c}
.name{font-weight:600}
.tier{display:inline-block;padding:2px 10px;border-radius:999px;font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.05em;background:#e0e7ff;color:#312e81}
.tier.silver{background:#e5e7eb;color:#374151}.tier.gold{background:#fef3c7;color:#78350f}.tier.diamond{background:#cffafe;color:#164e63}
.status{font-size:13px;font-weight:600}.status.ok{color:#15803d}.status.warn{color:#b45309}
.status::before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;background:currentColor;margin-right:6px;vertical-align:1px}
.chip{display:inline-block;padding:1px 8px;margin:1px 4px 1px 0;border-radius:6px;background:#eef1f7;font-size:12px;color:#414a5c}
.chip.rejected{background:#fdecec;color:#991b1b}
</style></head><body>
<header><h1><svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true"><rect x="3" y="7" width="26" height="18" rx="4" fill="#38bdf8"/><rect x="3" y="11" width="26" height="4" fill="#0f172a"/><rect x="7" y="19" width="8" height="3" rx="1.5" fill="#0f172a"/></svg>memberkiosk hub</h1>
<div class="meta"><a href="/console/">新版控制台 · New HQ console</a> · Broker ${escape(view.brokerUrl)}</div></header>
<main>
<div class="cards">
<div class="card"><div class="label">Members</div><div class="value">${grouped(view.members.length)}</div></div>
<div class="card"><div class="label">Transactions</div><div class="value">${grouped(view.transactions)}</div></div>
<div class="card"><div class="label">Stored value held</div><div class="value">${yuan(totalStored)}</div></div>
<div class="card"><div class="label">Points outstanding</div><div class="value">${grouped(totalPoints)}</div></div>
</div>
${audit}
<section><h2>Members</h2>
<table><thead><tr><th>Member</th><th>Name</th><th>Phone</th><th>Tier</th><th>Card</th><th class="n">Stored value</th><th class="n">Bonus value</th><th class="n">Points</th><th>Recent</th></tr></thead>
<tbody>${rows}</tbody></table></section></main></body></html>`;
}

/**
 * The console's sign-in page (zh-CN first, English beside it). The form posts JSON to /api/login, which sets the
 * session cookie (HttpOnly, SameSite=Strict); the page then reloads into the console.
 */
export function renderLogin(): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>会员系统总部控制台 · HQ console — 登录 Sign in</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;background:#f4f6f8;display:grid;place-items:center;min-height:100vh;margin:0}
form{background:#fff;padding:2rem;border-radius:12px;box-shadow:0 2px 12px #0002;display:grid;gap:.8rem;width:min(22rem,90vw)}
input,button{font:inherit;padding:.6rem;border-radius:8px;border:1px solid #ccd}button{background:#1f6feb;color:#fff;border:0}
.error{color:#b42318;min-height:1.2em}</style></head><body>
<form id="login"><h1>总部控制台登录<br><small>HQ console sign in</small></h1>
<label>登录名 Login <input name="login" autocomplete="username" required></label>
<label>密码 Password <input name="password" type="password" autocomplete="current-password" required></label>
<button>登录 Sign in</button><p class="error" id="error" role="alert"></p></form>
<script>
document.getElementById('login').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: form.get('login'), password: form.get('password') }) });
  if (response.ok) { location.reload(); return; }
  const body = await response.json().catch(() => ({}));
  document.getElementById('error').textContent = (body.error && body.error.code === 'STAFF_LOCKED') ? '尝试次数过多，账户已暂时锁定 · Too many attempts: locked for a while' : '登录名或密码错误 · Login or password not accepted';
});
</script></body></html>`;
}
