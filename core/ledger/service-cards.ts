/**
 * Count cards and time cards in the ledger: what buying one grants and what refunding it takes back.
 * Punches are an account per service (`punches:<serviceId>`), so they are journaled and audited like money;
 * validity is state per member and service (a date is not a quantity one can sum).
 */
import type { CardGrant } from '../rules/types.ts';
import { punchAccount, type CardGrantRecord, type LedgerEffect, type Posting, type ServiceCardState } from './types.ts';

type ServiceCardChange = NonNullable<LedgerEffect['serviceCardChanges']>[number];

/** The later of two validity ends, where null means "no end" and so always wins. */
export function laterValidity(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return null;
  return a > b ? a : b;
}

/**
 * Credits what a basket's card grants give. Two cards for the same service pool their punches and share
 * the later validity end: a member holds one card per service, and a visit does not care which purchase
 * it came from.
 */
export function grantServiceCards(
  grants: readonly CardGrant[],
  current: readonly ServiceCardState[],
): { postings: Posting[]; changes: ServiceCardChange[]; records: CardGrantRecord[] } {
  const working = new Map(current.map((c) => [c.serviceId, { counted: c.punches !== null, validUntil: c.validUntil }]));
  const postings: Posting[] = [];
  const records: CardGrantRecord[] = [];
  for (const grant of grants) {
    const before = working.get(grant.serviceId) ?? null;
    const after = {
      counted: (before?.counted ?? false) || grant.punches !== null,
      validUntil: before ? laterValidity(before.validUntil, grant.validUntil) : grant.validUntil,
    };
    working.set(grant.serviceId, after);
    if (grant.punches !== null && grant.punches > 0) postings.push({ account: punchAccount(grant.serviceId), amount: grant.punches });
    records.push({ lineNo: grant.lineNo, serviceId: grant.serviceId, punches: grant.punches, validUntil: after.validUntil, before: before ? { ...before } : null });
  }
  return { postings, changes: changesOf(working, new Set(grants.map((g) => g.serviceId))), records };
}

/**
 * Takes back what refunded card lines granted. Only punches still left come back: visits already used stay
 * used and are not charged (the line's money is refunded as for any line), so a 10-visit card used 3 times
 * gives back 7 punches. The validity goes back to what it was before the purchase, unless a later purchase
 * moved it since (then it stays); a card that did not exist before ends at the refund's time.
 */
export function takeBackServiceCards(
  records: readonly CardGrantRecord[],
  current: readonly ServiceCardState[],
  at: string,
): { postings: Posting[]; changes: ServiceCardChange[]; punchesBack: number; punchesUsed: number } {
  const working = new Map(current.map((c) => [c.serviceId, { counted: c.punches !== null, validUntil: c.validUntil, punches: c.punches ?? 0 }]));
  const postings: Posting[] = [];
  let punchesBack = 0;
  let punchesUsed = 0;
  for (const record of records) {
    const card = working.get(record.serviceId);
    if (!card) continue;
    if (record.punches !== null && record.punches > 0) {
      const take = Math.min(record.punches, Math.max(card.punches, 0));
      if (take > 0) postings.push({ account: punchAccount(record.serviceId), amount: -take });
      card.punches -= take;
      punchesBack += take;
      punchesUsed += record.punches - take;
    }
    if (card.validUntil === record.validUntil) {
      card.validUntil = record.before ? record.before.validUntil : at;
      card.counted = record.before ? record.before.counted || card.punches > 0 : card.counted;
    }
  }
  return { postings, changes: changesOf(working, new Set(records.map((r) => r.serviceId))), punchesBack, punchesUsed };
}

function changesOf(working: Map<string, { counted: boolean; validUntil: string | null }>, touched: Set<string>): ServiceCardChange[] {
  return [...touched].flatMap((serviceId) => {
    const card = working.get(serviceId);
    return card ? [{ serviceId, counted: card.counted, validUntil: card.validUntil }] : [];
  });
}
