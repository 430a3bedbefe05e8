/**
 * The journal audit of ../sqlite/audit-journal.ts on PostgreSQL (moved out of postgres-ledger-store.ts): balances
 * are a cache of the journal, so every balance, points lot and count-card punch balance is recomputed from it in one
 * read-only snapshot and every difference listed. The sums are cast to bigint: PostgreSQL's sum of bigint is numeric.
 */
import type pg from 'pg';
import type { AuditFinding } from '../ledger-store.ts';

export async function auditPostgresJournal(pool: pg.Pool): Promise<AuditFinding[]> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const all = async <T extends pg.QueryResultRow>(sql: string) => (await client.query<T>(sql)).rows;
    const accounts = await all<{ member_id: string; account: string; journal_sum: number; balance: number }>(
      `WITH sums AS (SELECT member_id, account, sum(amount)::bigint AS total FROM journal GROUP BY member_id, account),
            keys AS (SELECT member_id, account FROM sums UNION SELECT member_id, account FROM accounts)
       SELECT k.member_id, k.account, coalesce(s.total, 0) AS journal_sum, coalesce(a.balance, 0) AS balance
       FROM keys k
       LEFT JOIN sums s ON s.member_id = k.member_id AND s.account = k.account
       LEFT JOIN accounts a ON a.member_id = k.member_id AND a.account = k.account
       WHERE coalesce(s.total, 0) <> coalesce(a.balance, 0)`,
    );
    const lots = await all<{ member_id: string; lot_id: string; journal_sum: number; remaining: number }>(
      `WITH sums AS (SELECT lot_id, member_id, sum(amount)::bigint AS total FROM journal WHERE lot_id IS NOT NULL GROUP BY lot_id, member_id)
       SELECT l.member_id, l.lot_id, coalesce(s.total, 0) AS journal_sum, l.remaining
       FROM point_lots l LEFT JOIN sums s ON s.lot_id = l.lot_id AND s.member_id = l.member_id
       WHERE coalesce(s.total, 0) <> l.remaining
       UNION ALL
       SELECT s.member_id, s.lot_id, s.total, 0 FROM sums s LEFT JOIN point_lots l ON l.lot_id = s.lot_id WHERE l.lot_id IS NULL`,
    );
    const lotsVsPoints = await all<{ member_id: string; lots: number; balance: number }>(
      `WITH lots AS (SELECT member_id, sum(remaining)::bigint AS total FROM point_lots GROUP BY member_id)
       SELECT m.member_id, coalesce(l.total, 0) AS lots, coalesce(a.balance, 0) AS balance
       FROM members m
       LEFT JOIN lots l ON l.member_id = m.member_id
       LEFT JOIN accounts a ON a.member_id = m.member_id AND a.account = 'points'
       WHERE coalesce(l.total, 0) <> coalesce(a.balance, 0)`,
    );
    const punchesNegative = await all<{ member_id: string; account: string; journal_sum: number; balance: number }>(
      `SELECT a.member_id, a.account, coalesce((SELECT sum(amount)::bigint FROM journal j WHERE j.member_id = a.member_id AND j.account = a.account), 0) AS journal_sum, a.balance
       FROM accounts a WHERE a.account LIKE 'punches:%' AND a.balance < 0`,
    );
    const punchesWithoutCard = await all<{ member_id: string; account: string; balance: number }>(
      `SELECT a.member_id, a.account, a.balance FROM accounts a
       WHERE a.account LIKE 'punches:%' AND a.balance <> 0
         AND NOT EXISTS (SELECT 1 FROM service_cards s WHERE s.member_id = a.member_id AND 'punches:' || s.service_id = a.account AND s.counted = 1)`,
    );
    await client.query('COMMIT');
    return [
      ...accounts.map((r) => ({ memberId: r.member_id, account: r.account, journalSum: r.journal_sum, storedBalance: r.balance })),
      ...lots.map((r) => ({ memberId: r.member_id, account: 'points_lot', lotId: r.lot_id, journalSum: r.journal_sum, storedBalance: r.remaining })),
      ...lotsVsPoints.map((r) => ({ memberId: r.member_id, account: 'points_vs_lots', journalSum: r.lots, storedBalance: r.balance })),
      ...punchesNegative.map((r) => ({ memberId: r.member_id, account: `${r.account} (below zero)`, journalSum: r.journal_sum, storedBalance: r.balance })),
      ...punchesWithoutCard.map((r) => ({ memberId: r.member_id, account: `${r.account} (no count card)`, journalSum: r.balance, storedBalance: r.balance })),
    ];
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
