/**
 * Credit (赊账) reads and HQ's credit-limit change on the SQLite ledger. What a member owes is only ever changed
 * by journal entries (the `credit` account); these reads give the statements (core/credit/credit-statements.ts)
 * the entries with the time each counts at, and the sweep the members who owe anything.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { CreditEntry } from '../../../core/credit/credit-statements.ts';
import type { CreditStore } from '../credit-store.ts';

interface EntryRow {
  amount: number;
  at: string;
  kind: string;
  statement: string | null;
}

export class SqliteCredit implements CreditStore {
  private readonly entries: Statement<[string], EntryRow>;
  private readonly memberRow: Statement<[string], { credit_limit_cents: number }>;
  private readonly activeCardType: Statement<[string], { card_type: string | null }>;
  private readonly withCredit: Statement<[], { member_id: string }>;
  private readonly updateLimit: Statement<[number, string]>;

  constructor(db: Database) {
    // A transaction's time is when it was made (created_at), as the statements date a purchase by its receipt.
    this.entries = db.prepare(
      `SELECT j.amount AS amount, t.created_at AS at, t.kind AS kind,
              CASE WHEN t.kind = 'credit_charge' THEN json_extract(t.payload, '$.statement') END AS statement
         FROM journal j JOIN transactions t ON t.tx_id = j.tx_id
        WHERE j.member_id = ? AND j.account = 'credit'
        ORDER BY t.created_at, j.entry_id`,
    );
    this.memberRow = db.prepare('SELECT credit_limit_cents FROM members WHERE member_id = ?');
    // The member's own card (an attached card has a holder of its own), the oldest active one: its type's limit.
    this.activeCardType = db.prepare("SELECT card_type FROM cards WHERE member_id = ? AND status = 'active' ORDER BY holder_name IS NOT NULL, issued_at LIMIT 1");
    this.withCredit = db.prepare("SELECT DISTINCT member_id FROM journal WHERE account = 'credit' ORDER BY member_id");
    this.updateLimit = db.prepare('UPDATE members SET credit_limit_cents = ? WHERE member_id = ?');
  }

  async creditEntries(memberId: string): Promise<CreditEntry[] | null> {
    if (!this.memberRow.get(memberId)) return null;
    return this.entries.all(memberId).map((r) => ({ amountCents: r.amount, at: r.at, kind: r.kind, ...(r.statement ? { statement: r.statement } : {}) }));
  }

  async creditProfile(memberId: string): Promise<{ ownLimitCents: number; cardType: string | null } | null> {
    const row = this.memberRow.get(memberId);
    if (!row) return null;
    return { ownLimitCents: row.credit_limit_cents, cardType: this.activeCardType.get(memberId)?.card_type ?? null };
  }

  async membersWithCredit(): Promise<string[]> {
    return this.withCredit.all().map((r) => r.member_id);
  }

  async setCreditLimit(memberId: string, cents: number): Promise<boolean> {
    return this.updateLimit.run(cents, memberId).changes > 0;
  }
}

/** Whether a credit_charge for this member and statement was applied (the planner refuses a second). */
export function creditStatementChargedSql(db: Database): (memberId: string, statement: string) => boolean {
  const charged = db.prepare<[string, string], { one: number }>(
    "SELECT 1 AS one FROM transactions WHERE member_id = ? AND kind = 'credit_charge' AND status = 'applied' AND json_extract(payload, '$.statement') = ? LIMIT 1",
  );
  return (memberId, statement) => charged.get(memberId, statement) !== undefined;
}
