/**
 * The delivery guarantee, checked once a run has drained: every sale applied exactly once, in the kiosk's
 * order (append order overall, seq order within each epoch, every slot filled once), each outcome and every
 * balance equal to the same sales applied once in order on a fresh ledger (and the stored value to the plan's
 * own arithmetic), the journal audit clean, every outbox entry closed once on a recorded result.
 */
import type { Outbox } from '../../device/outbox/sqlite-outbox.ts';
import type { AppendedSale } from './sale-plan.ts';
import { applyInOrder, SIM_DEVICE_ID, SIM_MEMBERS, type SimLedger } from './sim-ledger.ts';
import type { SimRun } from './sim-run-context.ts';

const DEVICE = SIM_DEVICE_ID;

export interface RunOutcome {
  ledger: SimLedger;
  /** The sales in the order the kiosk appended them. */
  appended: readonly AppendedSale[];
  /** The kiosk's outbox at the end (null when the kiosk is down). */
  outbox: Outbox | null;
  closedCount: ReadonlyMap<string, number>;
  /** The plan's own arithmetic of each member's stored value. */
  storedValue: ReadonlyMap<string, number>;
  /** How many times another sender sent under the kiosk's id. */
  otherSenders: number;
}

/** Records every breach through `run.fail` (an ordering breach prefixed `order:`). */
export function checkOutcome(run: SimRun, outcome: RunOutcome): void {
  const { fail, stats } = run;
  const { label, epochLabel } = run.names;
  const { ledger, appended, closedCount } = outcome;
  const failOrder = (message: string) => fail(`order: ${message}`);
  const ids = appended.map((a) => a.id);
  const mine = new Set(ids);
  // Exactly once, in the kiosk's order.
  const firstApplications = ledger.applied.filter((r) => mine.has(r.id)).map((r) => r.id);
  if (firstApplications.length !== ids.length || firstApplications.some((id, i) => id !== ids[i])) {
    const counts = new Map<string, number>();
    for (const id of firstApplications) counts.set(id, (counts.get(id) ?? 0) + 1);
    const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => label(id));
    const missing = ids.filter((id) => !counts.has(id)).map(label);
    failOrder(`ledger order ${firstApplications.map(label).join(' ')} ≠ append order ${ids.map(label).join(' ')}${twice.length ? `; twice: ${twice.join(' ')}` : ''}${missing.length ? `; missing: ${missing.join(' ')}` : ''}`);
  }
  // Seq order within each epoch, and every slot filled exactly once.
  const lastSeqOf = new Map<string, number>();
  for (const record of ledger.applied) {
    if (record.deviceId !== DEVICE) continue;
    const last = lastSeqOf.get(record.epoch) ?? 0;
    if (record.seq <= last) failOrder(`${label(record.id)} applied at ${epochLabel(record.epoch)}/${record.seq} after /${last}`);
    lastSeqOf.set(record.epoch, record.seq);
  }
  for (const problem of ledger.slotGaps(DEVICE)) fail(problem);
  // Outcomes and balances equal the same sales applied once, in order, on a fresh ledger.
  const golden = applyInOrder(appended, DEVICE);
  try {
    appended.forEach((a, i) => {
      const want = golden.results[i]!;
      const wantCode = want.status === 'applied' ? 'applied' : (want.code ?? '?');
      const planned = a.sale.expect;
      if (wantCode !== planned) fail(`${label(a.id)}: in order it is ${wantCode}, the plan said ${planned}`);
      const row = ledger.transactionRow(a.id);
      const got = row ? (row.status === 'applied' ? 'applied' : (row.code ?? '?')) : 'missing';
      if (got !== wantCode) failOrder(`${label(a.id)}: the ledger holds ${got}, in order it is ${wantCode}`);
      const entry = outcome.outbox?.get(a.id);
      const closedOn = entry?.result ? (entry.result.status === 'rejected' ? (entry.result.code ?? '?') : entry.result.status === 'exists' ? (entry.result.original === 'rejected' ? (entry.result.code ?? '?') : 'applied') : 'applied') : 'none';
      if (entry?.status !== 'done') fail(`${label(a.id)} is still ${entry?.status ?? 'missing'} in the outbox`);
      else if (closedOn !== wantCode) failOrder(`${label(a.id)} closed on ${closedOn}, in order it is ${wantCode}`);
      const closes = closedCount.get(a.id) ?? 0;
      if (closes !== 1) fail(`${label(a.id)} closed ${closes} times`);
    });
    const want = golden.ledger.balances();
    const got = ledger.balances();
    for (const key of new Set([...want.keys(), ...got.keys()])) {
      if ((want.get(key) ?? 0) !== (got.get(key) ?? 0)) failOrder(`balance ${key}: ledger ${got.get(key) ?? 0}, in order ${want.get(key) ?? 0}`);
    }
    for (const m of SIM_MEMBERS) {
      const stored = got.get(`${m.memberId}/stored_value`) ?? 0;
      if (stored !== outcome.storedValue.get(m.memberId)) failOrder(`stored value of ${m.memberId}: ledger ${stored}, plan ${outcome.storedValue.get(m.memberId)}`);
    }
  } finally {
    golden.ledger.close();
  }
  // A kiosk entry applied right after another sender's transaction in the same epoch: every entry names its
  // predecessor (prevId), so the hub must refuse it and close the epoch instead.
  ledger.applied.forEach((record) => {
    if (!mine.has(record.id) || record.seq <= 1) return;
    const before = ledger.slotHolder(DEVICE, record.epoch, record.seq - 1);
    if (before === null || mine.has(before)) return;
    fail(`${label(record.id)} applied at ${epochLabel(record.epoch)}/${record.seq}, right after ${label(before)} of another sender at /${record.seq - 1}`);
  });
  const findings = ledger.audit();
  if (findings.length > 0) fail(`journal audit: ${JSON.stringify(findings.slice(0, 3))}`);
  if (ledger.defects > 0) fail(`${ledger.defects} transactions recorded as INTERNAL`);
  if (stats.epochMoves > 0 && outcome.otherSenders === 0) fail(`${stats.epochMoves} epoch moves without another sender`);
}
