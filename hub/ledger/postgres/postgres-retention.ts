/**
 * HQ's retention rules, the contact-log purge and the erasure of inactive members on the PostgreSQL ledger
 * (../retention-store.ts; the statements and rules of ../sqlite/sqlite-retention.ts). Each change and its audit
 * line are one SERIALIZABLE database transaction on the store's retrying runner — but the erasure, which kiosk batches
 * race: it runs at READ COMMITTED, locks the member's row first (as every batch does before it reads a member,
 * row-locks.ts), and then checks that the member is still a candidate. A batch another worker applies meanwhile (a
 * visit, a top-up) either committed before — and the check sees it — or waits for the erasure and then finds the
 * member erased; SQLite gets the same from its one writer (BEGIN IMMEDIATE).
 */
import type pg from 'pg';
import { HQ_ONLY_TX_KINDS } from '../../../core/wire/transaction.ts';
import type { ErasureCandidate, RetentionRules, RetentionSettings, RetentionStore } from '../retention-store.ts';
import { appendAuditIn } from './postgres-audit-append.ts';
import { eraseMemberIn, type PostgresTransaction } from './postgres-member-profiles.ts';
import { memberRowLock } from './row-locks.ts';

interface CandidateRow { member_id: string; name: string; phone: string; home_store_id: string | null; created_at: string; last_visit_at: string | null }
interface RunRow { run_id: number; at: string; trigger: 'daily' | 'manual'; contacts_deleted: number; members_erased: number; complete: number }
interface SettingRow { rule: string; months: number | null; updated_at: string; updated_by: string }

/** HQ's sweeps and imports are not visits: the member was not there. Everything else (a sale, a top-up, a card action) is. */
const NOT_VISITS = HQ_ONLY_TX_KINDS.map((k) => `'${k}'`).join(', ');

/** The eligibility test, on `m` (members) with the cut-off as $1: one text for the list and for the check before erasing. */
const ELIGIBLE = `
  NOT EXISTS (SELECT 1 FROM member_profiles p WHERE p.member_id = m.member_id AND p.erased_at IS NOT NULL)
  AND m.created_at < $1
  AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.member_id AND a.balance <> 0)
  AND NOT EXISTS (SELECT 1 FROM point_lots l WHERE l.member_id = m.member_id AND l.remaining <> 0)
  AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.member_id = m.member_id AND t.created_at >= $1 AND t.kind NOT IN (${NOT_VISITS}))`;
const LAST_VISIT = `(SELECT MAX(t.created_at) FROM transactions t WHERE t.member_id = m.member_id AND t.kind NOT IN (${NOT_VISITS}))`;
const CANDIDATE_COLUMNS = `m.member_id, m.name, m.phone, m.home_store_id, m.created_at, ${LAST_VISIT} AS last_visit_at`;

const toCandidate = (r: CandidateRow): ErasureCandidate => ({ memberId: r.member_id, name: r.name, phone: r.phone, homeStoreId: r.home_store_id, createdAt: r.created_at, lastVisitAt: r.last_visit_at });

async function readSettings(db: pg.ClientBase | pg.Pool): Promise<RetentionSettings> {
  const rows = (await db.query<SettingRow>('SELECT rule, months, updated_at, updated_by FROM retention_settings')).rows;
  const months = (rule: string) => rows.find((r) => r.rule === rule)?.months ?? null;
  const newest = rows.reduce<SettingRow | undefined>((a, r) => (!a || r.updated_at > a.updated_at ? r : a), undefined);
  return { contactMonths: months('contacts'), inactiveMonths: months('inactive_members'), updatedAt: newest?.updated_at ?? null, updatedBy: newest?.updated_by ?? null };
}

export class PostgresRetention implements RetentionStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly transaction: PostgresTransaction,
    /** READ COMMITTED, for the erasure: its member's row locked before its check (row-locks.ts). */
    private readonly lockingTransaction: PostgresTransaction,
  ) {}

  async settings(): Promise<RetentionSettings> {
    return readSettings(this.pool);
  }

  async saveSettings(...[rules, at, audit]: Parameters<RetentionStore['saveSettings']>): Promise<{ before: RetentionSettings; after: RetentionSettings }> {
    return this.transaction(async ({ client }) => {
      const before = await readSettings(client);
      const upsert = (rule: string, months: RetentionRules['contactMonths']) =>
        client.query(
          `INSERT INTO retention_settings (rule, months, updated_at, updated_by) VALUES ($1, $2, $3, $4)
           ON CONFLICT (rule) DO UPDATE SET months = excluded.months, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          [rule, months, at, audit.actorId],
        );
      await upsert('contacts', rules.contactMonths);
      await upsert('inactive_members', rules.inactiveMonths);
      const after = await readSettings(client);
      await appendAuditIn(client, { ...audit, before: { contactMonths: before.contactMonths, inactiveMonths: before.inactiveMonths }, after: { contactMonths: after.contactMonths, inactiveMonths: after.inactiveMonths } });
      return { before, after };
    });
  }

  async contactsDue(cutoffDay: string): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT count(*) AS n FROM member_contacts WHERE contacted_on < $1', [cutoffDay])).rows[0]?.n ?? 0;
  }

  async purgeContacts(...[cutoffDay, limit, at, audit]: Parameters<RetentionStore['purgeContacts']>): Promise<{ deleted: number; members: number; more: boolean }> {
    return this.transaction(async ({ client }) => {
      const due = (
        await client.query<{ contact_id: number; member_id: string }>('SELECT contact_id, member_id FROM member_contacts WHERE contacted_on < $1 ORDER BY contacted_on, contact_id LIMIT $2', [cutoffDay, limit + 1])
      ).rows;
      const batch = due.slice(0, limit);
      const perMember = new Map<string, number>();
      for (const c of batch) perMember.set(c.member_id, (perMember.get(c.member_id) ?? 0) + 1);
      if (batch.length > 0) await client.query('DELETE FROM member_contacts WHERE contact_id = ANY($1::bigint[])', [batch.map((c) => c.contact_id)]);
      for (const [memberId, n] of perMember) {
        await client.query(
          `INSERT INTO member_contacts_purged (member_id, purged, last_purged_at) VALUES ($1, $2, $3)
           ON CONFLICT (member_id) DO UPDATE SET purged = member_contacts_purged.purged + excluded.purged, last_purged_at = excluded.last_purged_at`,
          [memberId, n, at],
        );
      }
      // Only the numbers: the notes deleted must not live on in the (append-only) audit log.
      if (batch.length > 0) await appendAuditIn(client, { ...audit, before: null, after: null, detail: { ...audit.detail, deleted: batch.length, members: perMember.size } });
      return { deleted: batch.length, members: perMember.size, more: due.length > limit };
    });
  }

  async erasureCandidates(cutoffIso: string, limit: number): Promise<{ total: number; candidates: ErasureCandidate[] }> {
    // One snapshot: the count and the page agree.
    return this.transaction(async ({ client }) => {
      const total = (await client.query<{ n: number }>(`SELECT count(*) AS n FROM members m WHERE ${ELIGIBLE}`, [cutoffIso])).rows[0]?.n ?? 0;
      const rows = (await client.query<CandidateRow>(`SELECT ${CANDIDATE_COLUMNS} FROM members m WHERE ${ELIGIBLE} ORDER BY m.member_id LIMIT $2`, [cutoffIso, limit])).rows;
      return { total, candidates: rows.map(toCandidate) };
    });
  }

  async eraseIfEligible(...[memberId, cutoffIso, at, auditOf]: Parameters<RetentionStore['eraseIfEligible']>): Promise<boolean> {
    return this.lockingTransaction(async ({ client }) => {
      // Locked, then checked: each statement at READ COMMITTED reads what every earlier holder of the row committed.
      const lock = memberRowLock(memberId);
      await client.query(lock.sql, [...lock.params]);
      const row = (await client.query<CandidateRow>(`SELECT ${CANDIDATE_COLUMNS} FROM members m WHERE m.member_id = $2 AND ${ELIGIBLE}`, [cutoffIso, memberId])).rows[0];
      if (!row) return false;
      if (!(await eraseMemberIn(client, memberId, at))) return false;
      await appendAuditIn(client, auditOf(toCandidate(row)));
      return true;
    });
  }

  async recordRun(run: Parameters<RetentionStore['recordRun']>[0]): Promise<void> {
    await this.pool.query('INSERT INTO retention_runs (at, trigger, contacts_deleted, members_erased, complete) VALUES ($1, $2, $3, $4, $5)', [
      run.at, run.trigger, run.contactsDeleted, run.membersErased, run.complete ? 1 : 0,
    ]);
  }

  async runs(limit: number): Promise<Awaited<ReturnType<RetentionStore['runs']>>> {
    const rows = (await this.pool.query<RunRow>('SELECT * FROM retention_runs ORDER BY run_id DESC LIMIT $1', [limit])).rows;
    return rows.map((r) => ({ runId: r.run_id, at: r.at, trigger: r.trigger, contactsDeleted: r.contacts_deleted, membersErased: r.members_erased, complete: r.complete === 1 }));
  }
}
