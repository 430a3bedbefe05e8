/**
 * The SQLite side of ../retention-store.ts (schema 8 tables retention_settings, member_contacts_purged,
 * retention_runs). The erasure is sqlite-member-profiles.ts's, run inside a transaction that first checks the member
 * is still eligible: a kiosk batch applied between the preview and the erasure (a visit, a top-up) keeps them.
 */
import type { Database, Statement } from 'better-sqlite3';
import { HQ_ONLY_TX_KINDS } from '../../../core/wire/transaction.ts';
import type { ErasureCandidate, RetentionRules, RetentionSettings, RetentionStore } from '../retention-store.ts';
import { prepareAuditAppend } from './audit-log-sql.ts';
import { prepareMemberErase } from './sqlite-member-profiles.ts';
import { writeTransaction } from './write-transaction.ts';

type CandidateRow = { member_id: string; name: string; phone: string; home_store_id: string | null; created_at: string; last_visit_at: string | null };
type RunRow = { run_id: number; at: string; trigger: 'daily' | 'manual'; contacts_deleted: number; members_erased: number; complete: number };

/** HQ's sweeps and imports are not visits: the member was not there. Everything else (a sale, a top-up, a card action) is. */
const NOT_VISITS = HQ_ONLY_TX_KINDS.map((k) => `'${k}'`).join(', ');

/** The eligibility test, on `m` (members) with `@cutoff`: one text for the list and for the check before erasing. */
const ELIGIBLE = `
  NOT EXISTS (SELECT 1 FROM member_profiles p WHERE p.member_id = m.member_id AND p.erased_at IS NOT NULL)
  AND m.created_at < @cutoff
  AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.member_id AND a.balance <> 0)
  AND NOT EXISTS (SELECT 1 FROM point_lots l WHERE l.member_id = m.member_id AND l.remaining <> 0)
  AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.member_id = m.member_id AND t.created_at >= @cutoff AND t.kind NOT IN (${NOT_VISITS}))`;
const LAST_VISIT = `(SELECT MAX(t.created_at) FROM transactions t WHERE t.member_id = m.member_id AND t.kind NOT IN (${NOT_VISITS}))`;

export function createSqliteRetention(db: Database): RetentionStore {
  const appendAudit = prepareAuditAppend(db);
  const eraseMember = prepareMemberErase(db);
  const settingRows: Statement<[], { rule: string; months: number | null; updated_at: string; updated_by: string }> = db.prepare('SELECT rule, months, updated_at, updated_by FROM retention_settings');
  const upsertSetting = db.prepare<[string, number | null, string, string]>(
    'INSERT INTO retention_settings (rule, months, updated_at, updated_by) VALUES (?, ?, ?, ?) ON CONFLICT(rule) DO UPDATE SET months = excluded.months, updated_at = excluded.updated_at, updated_by = excluded.updated_by',
  );
  const contactsDue: Statement<[string], { n: number }> = db.prepare('SELECT COUNT(*) AS n FROM member_contacts WHERE contacted_on < ?');
  const oldContacts: Statement<[string, number], { contact_id: number; member_id: string }> = db.prepare(
    'SELECT contact_id, member_id FROM member_contacts WHERE contacted_on < ? ORDER BY contacted_on, contact_id LIMIT ?',
  );
  const deleteContact = db.prepare<[number]>('DELETE FROM member_contacts WHERE contact_id = ?');
  const countPurged = db.prepare<[string, number, string]>(
    'INSERT INTO member_contacts_purged (member_id, purged, last_purged_at) VALUES (?, ?, ?) ON CONFLICT(member_id) DO UPDATE SET purged = purged + excluded.purged, last_purged_at = excluded.last_purged_at',
  );
  const candidates: Statement<{ cutoff: string; limit: number }, CandidateRow> = db.prepare(
    `SELECT m.member_id, m.name, m.phone, m.home_store_id, m.created_at, ${LAST_VISIT} AS last_visit_at FROM members m WHERE ${ELIGIBLE} ORDER BY m.member_id LIMIT @limit`,
  );
  const candidateCount: Statement<{ cutoff: string }, { n: number }> = db.prepare(`SELECT COUNT(*) AS n FROM members m WHERE ${ELIGIBLE}`);
  const candidate: Statement<{ cutoff: string; memberId: string }, CandidateRow> = db.prepare(
    `SELECT m.member_id, m.name, m.phone, m.home_store_id, m.created_at, ${LAST_VISIT} AS last_visit_at FROM members m WHERE m.member_id = @memberId AND ${ELIGIBLE}`,
  );
  const insertRun = db.prepare<[string, string, number, number, number]>('INSERT INTO retention_runs (at, trigger, contacts_deleted, members_erased, complete) VALUES (?, ?, ?, ?, ?)');
  const runs: Statement<[number], RunRow> = db.prepare('SELECT * FROM retention_runs ORDER BY run_id DESC LIMIT ?');

  const toCandidate = (r: CandidateRow): ErasureCandidate => ({ memberId: r.member_id, name: r.name, phone: r.phone, homeStoreId: r.home_store_id, createdAt: r.created_at, lastVisitAt: r.last_visit_at });
  const readSettings = (): RetentionSettings => {
    const rows = settingRows.all();
    const months = (rule: string) => rows.find((r) => r.rule === rule)?.months ?? null;
    const newest = rows.reduce<(typeof rows)[number] | undefined>((a, r) => (!a || r.updated_at > a.updated_at ? r : a), undefined);
    return { contactMonths: months('contacts'), inactiveMonths: months('inactive_members'), updatedAt: newest?.updated_at ?? null, updatedBy: newest?.updated_by ?? null };
  };

  const save = writeTransaction(db, (rules: RetentionRules, at: string, audit: Parameters<RetentionStore['saveSettings']>[2]) => {
    const before = readSettings();
    upsertSetting.run('contacts', rules.contactMonths, at, audit.actorId);
    upsertSetting.run('inactive_members', rules.inactiveMonths, at, audit.actorId);
    const after = readSettings();
    appendAudit({ ...audit, before: { contactMonths: before.contactMonths, inactiveMonths: before.inactiveMonths }, after: { contactMonths: after.contactMonths, inactiveMonths: after.inactiveMonths } });
    return { before, after };
  });
  const purge = writeTransaction(db, (cutoffDay: string, limit: number, at: string, audit: Parameters<RetentionStore['purgeContacts']>[3]) => {
    const due = oldContacts.all(cutoffDay, limit + 1);
    const batch = due.slice(0, limit);
    const perMember = new Map<string, number>();
    for (const c of batch) {
      deleteContact.run(c.contact_id);
      perMember.set(c.member_id, (perMember.get(c.member_id) ?? 0) + 1);
    }
    for (const [memberId, n] of perMember) countPurged.run(memberId, n, at);
    // Only the numbers: the notes deleted must not live on in the (append-only) audit log.
    if (batch.length > 0) appendAudit({ ...audit, before: null, after: null, detail: { ...audit.detail, deleted: batch.length, members: perMember.size } });
    return { deleted: batch.length, members: perMember.size, more: due.length > limit };
  });
  const eraseIfEligible = writeTransaction(db, (memberId: string, cutoffIso: string, at: string, auditOf: Parameters<RetentionStore['eraseIfEligible']>[3]) => {
    const row = candidate.get({ cutoff: cutoffIso, memberId });
    if (!row) return false;
    if (!eraseMember(memberId, at)) return false;
    appendAudit(auditOf(toCandidate(row)));
    return true;
  });

  return {
    async settings() {
      return readSettings();
    },
    async saveSettings(rules, at, audit) {
      return save(rules, at, audit);
    },
    async contactsDue(cutoffDay) {
      return contactsDue.get(cutoffDay)?.n ?? 0;
    },
    async purgeContacts(cutoffDay, limit, at, audit) {
      return purge(cutoffDay, limit, at, audit);
    },
    async erasureCandidates(cutoffIso, limit) {
      return { total: candidateCount.get({ cutoff: cutoffIso })?.n ?? 0, candidates: candidates.all({ cutoff: cutoffIso, limit }).map(toCandidate) };
    },
    async eraseIfEligible(memberId, cutoffIso, at, auditOf) {
      // IMMEDIATE: the check and the erasure see the same ledger; a kiosk batch waits instead of slipping between.
      return eraseIfEligible(memberId, cutoffIso, at, auditOf);
    },
    async recordRun(run) {
      insertRun.run(run.at, run.trigger, run.contactsDeleted, run.membersErased, run.complete ? 1 : 0);
    },
    async runs(limit) {
      return runs.all(limit).map((r) => ({ runId: r.run_id, at: r.at, trigger: r.trigger, contactsDeleted: r.contacts_deleted, membersErased: r.members_erased, complete: r.complete === 1 }));
    },
  };
}
