/**
 * The sales a run makes, planned up front with the plan's own arithmetic of what the hub will decide (a
 * stored-value spend is covered or refused by every top-up and spend before it), so the end check can hold the
 * ledger to an answer worked out without it.
 */
import type { TxBodyInput } from '../../device/outbox/sqlite-outbox.ts';
import type { Prng } from './prng.ts';
import { SIM_MEMBERS, SIM_STAFF_ACTOR } from './sim-ledger.ts';

export interface PlannedSale {
  body: TxBodyInput;
  /** What the plan's own arithmetic says the hub will decide. */
  expect: 'applied' | 'INSUFFICIENT_STORED_VALUE';
}

/** A sale as the kiosk's outbox took it: the transaction it became, and the plan it came from. */
export interface AppendedSale {
  id: string;
  payload: string;
  createdAt: string;
  sale: PlannedSale;
}

export function planSales(rng: Prng, count: number): { sales: PlannedSale[]; storedValue: Map<string, number> } {
  const storedValue = new Map<string, number>(SIM_MEMBERS.map((m) => [m.memberId, 0]));
  const sales: PlannedSale[] = [];
  for (let i = 0; i < count; i++) {
    const member = rng.pick(SIM_MEMBERS);
    const roll = rng.next();
    const cents = rng.int(1, 300) * 100;
    if (roll < 0.35) {
      sales.push({ body: { kind: 'top_up', cardUid: member.card, amountCents: cents, tender: 'cash', actor: SIM_STAFF_ACTOR }, expect: 'applied' });
      storedValue.set(member.memberId, storedValue.get(member.memberId)! + cents);
      continue;
    }
    const method = roll < 0.7 ? 'stored_value' : 'cash';
    sales.push({
      body: { kind: 'purchase', cardUid: member.card, lines: [{ lineNo: 1, sku: `SKU-${i}`, category: 'grocery', qty: 1, unitPriceCents: cents }], payments: [{ method, amountCents: cents }] },
      expect: method === 'cash' || storedValue.get(member.memberId)! >= cents ? 'applied' : 'INSUFFICIENT_STORED_VALUE',
    });
    // Order matters: whether a spend is covered depends on every top-up and spend before it.
    if (method === 'stored_value' && storedValue.get(member.memberId)! >= cents) storedValue.set(member.memberId, storedValue.get(member.memberId)! - cents);
  }
  return { sales, storedValue };
}
