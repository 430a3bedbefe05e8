/** Credit (赊账) reads and HQ's credit-limit change on the PostgreSQL ledger: the statements of ../sqlite/sqlite-credit.ts. */
import type pg from 'pg';
import type { CreditEntry } from '../../../core/credit/credit-statements.ts';
import type { CreditStore } from '../credit-store.ts';

export class PostgresCredit implements CreditStore {
  constructor(private readonly pool: pg.Pool) {}

  async creditEntries(memberId: string): Promise<CreditEntry[] | null> {
    if ((await this.pool.query('SELECT 1 FROM members WHERE member_id = $1', [memberId])).rowCount === 0) return null;
    // A transaction's time is when it was made (created_at), as the statements date a purchase by its receipt.
    const rows = await this.pool.query<{ amount: number; at: string; kind: string; statement: string | null }>(
      `SELECT j.amount AS amount, t.created_at AS at, t.kind AS kind,
              CASE WHEN t.kind = 'credit_charge' THEN t.payload::jsonb ->> 'statement' END AS statement
         FROM journal j JOIN transactions t ON t.tx_id = j.tx_id
        WHERE j.member_id = $1 AND j.account = 'credit'
        ORDER BY t.created_at, j.entry_id`,
      [memberId],
    );
    return rows.rows.map((r) => ({ amountCents: r.amount, at: r.at, kind: r.kind, ...(r.statement ? { statement: r.statement } : {}) }));
  }

  async creditProfile(memberId: string): Promise<{ ownLimitCents: number; cardType: string | null } | null> {
    const member = (await this.pool.query<{ credit_limit_cents: number }>('SELECT credit_limit_cents FROM members WHERE member_id = $1', [memberId])).rows[0];
    if (!member) return null;
    const card = (
      await this.pool.query<{ card_type: string | null }>(
        "SELECT card_type FROM cards WHERE member_id = $1 AND status = 'active' ORDER BY holder_name IS NOT NULL, issued_at LIMIT 1",
        [memberId],
      )
    ).rows[0];
    return { ownLimitCents: member.credit_limit_cents, cardType: card?.card_type ?? null };
  }

  async membersWithCredit(): Promise<string[]> {
    return (await this.pool.query<{ member_id: string }>("SELECT DISTINCT member_id FROM journal WHERE account = 'credit' ORDER BY member_id")).rows.map((r) => r.member_id);
  }

  async setCreditLimit(memberId: string, cents: number): Promise<boolean> {
    return ((await this.pool.query('UPDATE members SET credit_limit_cents = $1 WHERE member_id = $2', [cents, memberId])).rowCount ?? 0) > 0;
  }
}
