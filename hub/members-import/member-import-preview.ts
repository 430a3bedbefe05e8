/**
 * What a member file's check answers (POST /api/member-import/preview, and a refused commit's details): types only,
 * so the console reads them without the hub's I/O.
 */
import type { ImportRowError } from '../../core/members-import/row-reasons.ts';
import type { ImportedMemberRow } from '../../core/members-import/validate-member-rows.ts';
import type { MemberImportRecord } from '../ledger/member-import-store.ts';

export type MemberFileFormat = 'csv' | 'xlsx';
export type MemberFileEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'gbk' | 'xlsx';

export interface MemberImportPreview {
  importId: string;
  fileName: string;
  format: MemberFileFormat;
  encoding: MemberFileEncoding;
  /** Each column of the header: the field it was read as (`field:phone`, `custom:car_plate`), or `ignored`. */
  columns: { header: string; meaning: string }[];
  counts: { rows: number; valid: number; invalid: number; errors: number };
  totals: { storedValueCents: number; bonusValueCents: number; points: number };
  /** The first errors, by row (counts.errors says how many there are in all). */
  errors: ImportRowError[];
  /** The first rows as they would be stored, with the member id each would get. */
  preview: (ImportedMemberRow & { memberId: string })[];
  /** Set when this very file was imported already (a commit would be refused). */
  alreadyImported: MemberImportRecord | null;
}
