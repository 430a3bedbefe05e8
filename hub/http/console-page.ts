/** HQ console, first cut: members with balances, the journal audit, the broker. Server-rendered, no scripts. */
import { formatCents } from '../../core/money/integers.ts';
import type { MemberView } from '../../core/wire/lookup.ts';
import type { AuditFinding } from '../ledger/ledger-store.ts';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderConsole(view: { members: MemberView[]; audit: AuditFinding[]; transactions: number; brokerUrl: string }): string {
  const rows = view.members
    .map(
      (m) => `<tr><td>${escape(m.memberId)}</td><td>${escape(m.name)}</td><td>${escape(m.phoneMasked)}</td><td>${escape(m.tier)}</td>
      <td>${escape(m.card.status)}</td><td class="n">${formatCents(m.balances.storedValueCents)}</td><td class="n">${formatCents(m.balances.bonusValueCents)}</td>
      <td class="n">${m.balances.points}</td><td>${m.history.map((h) => `${escape(h.kind)} ${h.status === 'rejected' ? '✗' : ''}`).join(', ')}</td></tr>`,
    )
    .join('\n');
  const audit = view.audit.length === 0 ? '<p class="ok">Journal audit: every balance matches the journal.</p>' : `<p class="bad">Journal audit: ${view.audit.length} differences</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>memberkiosk hub</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2330}table{border-collapse:collapse;width:100%}
td,th{padding:.4rem .6rem;border-bottom:1px solid #dde}th{text-align:left;background:#f3f5fa}.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37}.bad{color:#c62828;font-weight:600}</style></head><body>
<h1>memberkiosk hub</h1><p>Broker ${escape(view.brokerUrl)} · ${view.transactions} transactions</p>${audit}
<table><thead><tr><th>Member</th><th>Name</th><th>Phone</th><th>Tier</th><th>Card</th><th>Stored value</th><th>Bonus value</th><th>Points</th><th>Recent</th></tr></thead>
<tbody>${rows}</tbody></table></body></html>`;
}
