/**
 * The SQLite side of ../member-import-store.ts. The members go through the store's own HQ apply (the one write path,
 * apply-received.ts), called inside an outer database transaction that also writes the profiles, the import's record
 * and its audit line: better-sqlite3 runs the inner one as a savepoint, so a refusal of any row, thrown out of the
 * outer transaction, rolls every row back with it.
 */
import type { Database } from 'better-sqlite3';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { isErrorCode } from '../../../core/errors/codes.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { HqTransactionBody } from '../ledger-store.ts';
import type { MemberImportBatch, MemberImportRecord, MemberImportStore } from '../member-import-store.ts';
import { prepareAuditAppend } from './audit-log-sql.ts';
import { writeTransaction } from './write-transaction.ts';

interface ImportRow {
  import_id: string; file_name: string; imported_by: string; imported_at: string; members: number;
  stored_value_cents: number; bonus_value_cents: number; points: number; first_tx_id: string | null; last_tx_id: string | null;
}

const toRecord = (r: ImportRow): MemberImportRecord => ({
  importId: r.import_id, fileName: r.file_name, importedBy: r.imported_by, importedAt: r.imported_at, members: r.members,
  storedValueCents: r.stored_value_cents, bonusValueCents: r.bonus_value_cents, points: r.points, firstTxId: r.first_tx_id, lastTxId: r.last_tx_id,
});

/** SQLite's default limit on host parameters is 32766; look-ups go in chunks well under it. */
const CHUNK = 500;

export interface SqliteMemberImportDeps {
  /** The store's HQ apply (its seqs taken inside the transaction), run here nested in the import's transaction. */
  applyHq(bodies: HqTransactionBody[], createdAt: string): TxResult[];
  /** Called before the import's transaction; what it returns is called if that rolls back (the write port's caches and alerts of it are void). */
  beforeTransaction(): () => void;
}

export function createSqliteMemberImport(db: Database, deps: SqliteMemberImportDeps): MemberImportStore {
  const findImport = db.prepare<[string], ImportRow>('SELECT * FROM member_imports WHERE import_id = ?');
  const insertImport = db.prepare(
    `INSERT INTO member_imports (import_id, file_name, imported_by, imported_at, members, stored_value_cents, bonus_value_cents, points, first_tx_id, last_tx_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertProfile = db.prepare(
    `INSERT INTO member_profiles (member_id, gender, birthday, address, custom_fields, updated_at, erased_at) VALUES (?, ?, ?, ?, ?, ?, NULL)`,
  );
  const appendAudit = prepareAuditAppend(db);

  const inChunks = (values: readonly string[], sql: (marks: string) => string): Set<string> => {
    const found = new Set<string>();
    const unique = [...new Set(values)];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const part = unique.slice(i, i + CHUNK);
      const rows = db.prepare<string[], { v: string }>(sql(part.map(() => '?').join(','))).all(...part);
      for (const r of rows) found.add(r.v);
    }
    return found;
  };

  const run = writeTransaction(db, (batch: MemberImportBatch) => {
    if (findImport.get(batch.importId)) throw new CodedError('MEMBER_IMPORT_REPEATED');
    const results = deps.applyHq(batch.bodies, batch.at);
    const refused = results.findIndex((r) => r.status !== 'applied');
    if (refused >= 0) {
      const result = results[refused]!;
      const code = isErrorCode(result.code) ? result.code : 'INTERNAL';
      // Thrown out of the transaction: every member applied before it is rolled back with it.
      throw new CodedError(code === 'MEMBER_EXISTS' ? 'MEMBER_IMPORT_REPEATED' : code, `row ${batch.bodies[refused]!.row}: ${result.message ?? code}`, { row: batch.bodies[refused]!.row, code });
    }
    for (const p of batch.profiles) insertProfile.run(p.memberId, p.gender, p.birthday, p.address, JSON.stringify(p.customFields), batch.at);
    const sum = (pick: (b: MemberImportBatch['bodies'][number]) => number) => batch.bodies.reduce((t, b) => t + pick(b), 0);
    const record: MemberImportRecord = {
      importId: batch.importId,
      fileName: batch.fileName,
      importedBy: batch.importedBy,
      importedAt: batch.at,
      members: batch.bodies.length,
      storedValueCents: sum((b) => b.storedValueCents),
      bonusValueCents: sum((b) => b.bonusValueCents),
      points: sum((b) => b.points),
      firstTxId: results[0]?.id ?? null,
      lastTxId: results.at(-1)?.id ?? null,
    };
    insertImport.run(record.importId, record.fileName, record.importedBy, record.importedAt, record.members, record.storedValueCents, record.bonusValueCents, record.points, record.firstTxId, record.lastTxId);
    appendAudit({
      at: batch.at, actorKind: 'staff', actorId: batch.importedBy, surface: 'hub', action: 'member.import', target: null, outcome: 'applied', before: null,
      after: { members: record.members, storedValueCents: record.storedValueCents, bonusValueCents: record.bonusValueCents, points: record.points },
      detail: { importId: record.importId, fileName: record.fileName, firstTxId: record.firstTxId, lastTxId: record.lastTxId },
    });
    return { record, results };
  });

  return {
    async holdings(phones, cardUids) {
      return {
        phones: inChunks(phones, (marks) => `SELECT phone AS v FROM members WHERE phone IN (${marks})`),
        cards: inChunks(cardUids, (marks) => `SELECT uid AS v FROM cards WHERE uid IN (${marks})`),
      };
    },
    async findImport(importId) {
      const row = findImport.get(importId);
      return row ? toRecord(row) : null;
    },
    async importMembers(batch) {
      const rolledBack = deps.beforeTransaction();
      try {
        // IMMEDIATE: the write lock first, so HQ's seqs and the checks inside cannot be raced by another writer.
        return run(batch);
      } catch (error) {
        rolledBack();
        throw error;
      }
    },
  };
}
