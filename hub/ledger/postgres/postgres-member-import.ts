/**
 * Member imports on the PostgreSQL ledger (../member-import-store.ts; the behaviour of
 * ../sqlite/sqlite-member-import.ts). The members go through the store's own HQ apply (the one write path,
 * apply-received.ts) inside the import's one database transaction — READ COMMITTED with the write path's row locks
 * (row-locks.ts), as a batch of kiosk transactions — which also writes the profiles, the import's record and its
 * audit line: a refusal of any row, thrown out of it, rolls every row back. Two workers importing one file at once
 * meet on the record's key; the loser's unique violation runs it again, and it finds the file imported.
 */
import type pg from 'pg';
import { CodedError } from '../../../core/errors/coded-error.ts';
import { isErrorCode } from '../../../core/errors/codes.ts';
import type { TxResult } from '../../../core/wire/result.ts';
import type { HqTransactionBody } from '../ledger-store.ts';
import type { MemberImportBatch, MemberImportRecord, MemberImportStore } from '../member-import-store.ts';
import { appendAuditIn } from './postgres-audit-append.ts';

interface ImportRow {
  import_id: string; file_name: string; imported_by: string; imported_at: string; members: number;
  stored_value_cents: number; bonus_value_cents: number; points: number; first_tx_id: string | null; last_tx_id: string | null;
}

const toRecord = (r: ImportRow): MemberImportRecord => ({
  importId: r.import_id, fileName: r.file_name, importedBy: r.imported_by, importedAt: r.imported_at, members: r.members,
  storedValueCents: r.stored_value_cents, bonusValueCents: r.bonus_value_cents, points: r.points, firstTxId: r.first_tx_id, lastTxId: r.last_tx_id,
});

/** The store's HQ apply inside the database transaction under way: its seqs are taken there. */
export type ApplyHqIn = (bodies: HqTransactionBody[], createdAt: string) => Promise<TxResult[]>;
/** One database transaction of the store (retried from the start on a conflict), with its HQ apply. */
export type ImportTransaction = <T>(work: (client: pg.ClientBase, applyHq: ApplyHqIn) => Promise<T>) => Promise<T>;

export class PostgresMemberImports implements MemberImportStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly transaction: ImportTransaction,
  ) {}

  async holdings(phones: readonly string[], cardUids: readonly string[]): Promise<{ phones: Set<string>; cards: Set<string> }> {
    const found = async (sql: string, values: readonly string[]) =>
      values.length === 0 ? new Set<string>() : new Set((await this.pool.query<{ v: string }>(sql, [[...new Set(values)]])).rows.map((r) => r.v));
    return {
      phones: await found('SELECT phone AS v FROM members WHERE phone = ANY($1::text[])', phones),
      cards: await found('SELECT uid AS v FROM cards WHERE uid = ANY($1::text[])', cardUids),
    };
  }

  async findImport(importId: string): Promise<MemberImportRecord | null> {
    const row = (await this.pool.query<ImportRow>('SELECT * FROM member_imports WHERE import_id = $1', [importId])).rows[0];
    return row ? toRecord(row) : null;
  }

  async importMembers(batch: MemberImportBatch): Promise<{ record: MemberImportRecord; results: TxResult[] }> {
    return this.transaction(async (client, applyHq) => {
      if ((await client.query('SELECT 1 FROM member_imports WHERE import_id = $1', [batch.importId])).rowCount) throw new CodedError('MEMBER_IMPORT_REPEATED');
      const results = await applyHq(batch.bodies, batch.at);
      const refused = results.findIndex((r) => r.status !== 'applied');
      if (refused >= 0) {
        const result = results[refused]!;
        const code = isErrorCode(result.code) ? result.code : 'INTERNAL';
        // Thrown out of the transaction: every member applied before it is rolled back with it.
        throw new CodedError(code === 'MEMBER_EXISTS' ? 'MEMBER_IMPORT_REPEATED' : code, `row ${batch.bodies[refused]!.row}: ${result.message ?? code}`, { row: batch.bodies[refused]!.row, code });
      }
      for (const p of batch.profiles) {
        await client.query('INSERT INTO member_profiles (member_id, gender, birthday, address, custom_fields, updated_at, erased_at) VALUES ($1, $2, $3, $4, $5, $6, NULL)', [
          p.memberId, p.gender, p.birthday, p.address, JSON.stringify(p.customFields), batch.at,
        ]);
      }
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
      await client.query(
        `INSERT INTO member_imports (import_id, file_name, imported_by, imported_at, members, stored_value_cents, bonus_value_cents, points, first_tx_id, last_tx_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [record.importId, record.fileName, record.importedBy, record.importedAt, record.members, record.storedValueCents, record.bonusValueCents, record.points, record.firstTxId, record.lastTxId],
      );
      await appendAuditIn(client, {
        at: batch.at, actorKind: 'staff', actorId: batch.importedBy, surface: 'hub', action: 'member.import', target: null, outcome: 'applied', before: null,
        after: { members: record.members, storedValueCents: record.storedValueCents, bonusValueCents: record.bonusValueCents, points: record.points },
        detail: { importId: record.importId, fileName: record.fileName, firstTxId: record.firstTxId, lastTxId: record.lastTxId },
      });
      return { record, results };
    });
  }
}
