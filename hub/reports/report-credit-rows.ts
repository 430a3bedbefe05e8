/**
 * Many members' credit reads at once, for the credit reports on PostgreSQL (postgres-member-report-reads.ts): the
 * entries and profiles the ledger's per-member reads answer (../ledger/postgres/postgres-credit.ts, whose rules these
 * queries keep: a transaction's time is its created_at; a member's card type is their oldest active card's, their
 * own before an attached one), read in two queries, and answered member by member from memory through the
 * CreditStore port that hub/credit/member-credit.ts reads.
 */
import type { CreditEntry } from '../../core/credit/credit-statements.ts';
import type { CreditStore } from '../ledger/credit-store.ts';
import type { ReportQuery } from './postgres-report-snapshot.ts';

export interface CreditRows {
  entries: Map<string, CreditEntry[]>;
  profiles: Map<string, { ownLimitCents: number; cardType: string | null }>;
}

export async function readCreditRows(query: ReportQuery, memberIds: string[]): Promise<CreditRows> {
  const entries = new Map<string, CreditEntry[]>();
  const profiles = new Map<string, { ownLimitCents: number; cardType: string | null }>();
  if (memberIds.length === 0) return { entries, profiles };
  const members = await query<{ member_id: string; credit_limit_cents: number; card_type: string | null }>(
    `SELECT m.member_id, m.credit_limit_cents,
       (SELECT c.card_type FROM cards c WHERE c.member_id = m.member_id AND c.status = 'active' ORDER BY c.holder_name IS NOT NULL, c.issued_at LIMIT 1) AS card_type
     FROM members m WHERE m.member_id = ANY($1::text[])`,
    [memberIds],
  );
  for (const m of members) {
    profiles.set(m.member_id, { ownLimitCents: m.credit_limit_cents, cardType: m.card_type });
    entries.set(m.member_id, []);
  }
  const rows = await query<{ member_id: string; amount: number; at: string; kind: string; statement: string | null }>(
    `SELECT j.member_id, j.amount AS amount, t.created_at AS at, t.kind AS kind,
            CASE WHEN t.kind = 'credit_charge' THEN t.payload::jsonb ->> 'statement' END AS statement
       FROM journal j JOIN transactions t ON t.tx_id = j.tx_id
      WHERE j.member_id = ANY($1::text[]) AND j.account = 'credit'
      ORDER BY j.member_id, t.created_at, j.entry_id`,
    [memberIds],
  );
  for (const r of rows) entries.get(r.member_id)?.push({ amountCents: r.amount, at: r.at, kind: r.kind, ...(r.statement ? { statement: r.statement } : {}) });
  return { entries, profiles };
}

/** The reads member-credit.ts makes, answered from rows read before; a member not read is unknown (null). */
export function creditStoreOfRows(rows: CreditRows): CreditStore {
  return {
    creditEntries: async (memberId) => rows.entries.get(memberId) ?? null,
    creditProfile: async (memberId) => rows.profiles.get(memberId) ?? null,
    membersWithCredit: async () => [...rows.entries.keys()].filter((id) => (rows.entries.get(id)?.length ?? 0) > 0).sort(),
    setCreditLimit: () => Promise.reject(new Error('the credit reports only read')),
  };
}
