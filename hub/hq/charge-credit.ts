/**
 * HQ's credit sweep (赊账 late fee and interest), on the schedule of the points expiry sweep (hourly, and once at
 * start): every member's statements are worked out from the journal; each statement left unpaid past its due
 * date and not charged yet gets one credit_charge (the terms' late fee, and interest = floor(unpaid at the due
 * date × interestBpPerMonth / 10 000)), applied as an HQ transaction through the ledger port like every other.
 * Once per statement: the sweep skips a statement the journal shows charged, and the ledger refuses a second
 * charge of the same statement (CREDIT_CHARGE_INVALID) should two sweeps race. A rerun charges nothing.
 */
import { creditChargeFor, creditStatements } from '../../core/credit/credit-statements.ts';
import type { CreditStore } from '../ledger/credit-store.ts';
import type { HqTransactionBody, LedgerStore } from '../ledger/ledger-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import { applyHqInChunks } from './apply-hq-in-chunks.ts';
import { HQ_DEVICE_ID } from './hq-transactions.ts';

export interface CreditSweepResult {
  /** Statements charged (one applied transaction each). */
  statements: number;
  lateFeeCents: number;
  interestCents: number;
  /** Charges the ledger refused (another sweep got there first, or the terms changed in between). */
  refused: number;
}

export type CreditSweepStore = Pick<LedgerStore, 'applyHqBatch'> & Pick<RulesStore, 'latestRulesBundle'> & { readonly credit: Pick<CreditStore, 'membersWithCredit' | 'creditEntries'> };

export async function chargeCredit(store: CreditSweepStore, asOf: string): Promise<CreditSweepResult> {
  const result: CreditSweepResult = { statements: 0, lateFeeCents: 0, interestCents: 0, refused: 0 };
  const bundle = await store.latestRulesBundle();
  const terms = bundle?.credit;
  if (!bundle || !terms || ((terms.lateFeeCents ?? 0) === 0 && (terms.interestBpPerMonth ?? 0) === 0)) return result;
  const bodies: HqTransactionBody[] = [];
  for (const memberId of await store.credit.membersWithCredit()) {
    const entries = (await store.credit.creditEntries(memberId)) ?? [];
    for (const statement of creditStatements(entries, terms, bundle.timezone, asOf)) {
      const charge = creditChargeFor(statement, terms);
      if (charge) bodies.push({ kind: 'credit_charge', storeId: HQ_DEVICE_ID, memberId, statement: statement.month, ...charge });
    }
  }
  const results = await applyHqInChunks(store, bodies, asOf);
  results.forEach((r, i) => {
    const body = bodies[i] as Extract<HqTransactionBody, { kind: 'credit_charge' }>;
    if (r.status !== 'applied') {
      result.refused += 1;
      return;
    }
    result.statements += 1;
    result.lateFeeCents += body.lateFeeCents;
    result.interestCents += body.interestCents;
  });
  return result;
}
