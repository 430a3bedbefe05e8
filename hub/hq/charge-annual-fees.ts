/**
 * The annual fee sweep (年费, and an attached card's 附属卡年费; hourly with the other sweeps, and once at start):
 * in each local month (the rules' time zone), every open card whose type has an annual fee and whose lineage was
 * first issued in this month is charged this local year's fee, unless that year is charged already (at issue,
 * by an earlier sweep, or on a card it replaced). Each charge is an HQ transaction of kind annual_fee through the
 * ledger's one write path: a journal entry, exactly once, in the audit.
 *
 * Ids are the store's own (not derived from card and year): a re-sent id with another seq and time would be
 * recorded as an id conflict, not recognised as the same charge. Charging once is kept instead by the year
 * filter here, the planner's ANNUAL_FEE_NOT_DUE, and a unique index of fee_charges (one annual fee per card and
 * year), so a rerun (or two hubs racing) charges nothing twice.
 */
import { cardTypeOf, localMonthOf, localYearOf, scheduledFee } from '../../core/ledger/card-types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { AnnualFeeCard, CardFeeStore } from '../ledger/card-fee-store.ts';
import type { HqTransactionBody, LedgerStore } from '../ledger/ledger-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import { applyHqInChunks } from './apply-hq-in-chunks.ts';

export interface AnnualFeeSweepResult {
  /** Cards charged (one applied transaction each). */
  cards: number;
  /** What was charged, principal taken and owed together. */
  cents: number;
  /** Transactions the ledger refused (a race with a charge made meanwhile: nothing charged twice). */
  refused: number;
}

export type AnnualFeeSweepStore = Pick<RulesStore, 'latestRulesBundle'> & Pick<LedgerStore, 'applyHqBatch'> & { cardFees: Pick<CardFeeStore, 'annualFeeCards'> };

/** A due annual fee: the transaction to apply and the schedule's fee it charges. */
export interface DueAnnualFee {
  body: HqTransactionBody;
  cents: number;
}

/** The annual_fee transactions due at `now`: pure, so the choice can be tested without a ledger. */
export function planAnnualFeeSweep(bundle: RulesBundle, cards: readonly AnnualFeeCard[], now: string): DueAnnualFee[] {
  if (!bundle.cardTypes) return [];
  const month = localMonthOf(bundle, now);
  const year = localYearOf(bundle, now);
  const due: DueAnnualFee[] = [];
  for (const card of cards) {
    if (card.firstIssuedAt > now) continue;
    if (localMonthOf(bundle, card.firstIssuedAt) !== month) continue;
    // The issue year itself is due too (a kiosk-registered card paid nothing at issue); a later year likewise.
    if (localYearOf(bundle, card.firstIssuedAt) > year) continue;
    if (card.chargedYears.includes(year)) continue;
    // A type the rules no longer define is left alone: never a fee charged on a guess.
    const cents = scheduledFee(cardTypeOf(bundle, card.cardType), 'annual');
    if (cents === 0) continue;
    due.push({ body: { kind: 'annual_fee', storeId: 'hq', memberId: card.memberId, cardUid: card.uid, year }, cents });
  }
  return due;
}

export async function chargeAnnualFees(store: AnnualFeeSweepStore, now: string): Promise<AnnualFeeSweepResult> {
  const bundle = await store.latestRulesBundle();
  if (!bundle?.cardTypes) return { cards: 0, cents: 0, refused: 0 };
  const due = planAnnualFeeSweep(bundle, await store.cardFees.annualFeeCards(), now);
  const results = await applyHqInChunks(
    store,
    due.map((d) => d.body),
    now,
  );
  const result: AnnualFeeSweepResult = { cards: 0, cents: 0, refused: 0 };
  due.forEach((d, i) => {
    if (results[i]?.status === 'applied') {
      result.cards += 1;
      result.cents += d.cents;
    } else {
      result.refused += 1;
    }
  });
  return result;
}
