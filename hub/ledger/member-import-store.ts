/**
 * Importing members from a chain's old system (hub/members-import/): what the import reads of the ledger to validate
 * a file, and the all-or-nothing write. The members, their cards and opening balances go through the ledger's one
 * write path as HQ transactions of kind member_import (core/ledger/plan-member-import.ts), so they are journaled and
 * audited like any other; profiles, the import's record and its audit line are written in the same database
 * transaction, and a single refusal rolls every one of them back.
 */
import type { TxResult } from '../../core/wire/result.ts';
import type { HqOnlyTransactionInput } from '../../core/wire/transaction.ts';
import type { Gender } from './member-profile-store.ts';

export interface MemberImportRecord {
  /** SHA-256 (hex) of the file's bytes. */
  importId: string;
  fileName: string;
  importedBy: string;
  importedAt: string;
  members: number;
  storedValueCents: number;
  bonusValueCents: number;
  points: number;
  firstTxId: string | null;
  lastTxId: string | null;
}

export type MemberImportBody = Omit<Extract<HqOnlyTransactionInput, { kind: 'member_import' }>, 'id' | 'deviceId' | 'seq' | 'epoch' | 'createdAt' | 'bundleVersion' | 'v' | 'clockOffsetMs'>;

export interface MemberImportBatch {
  importId: string;
  fileName: string;
  /** The staff member importing (their login session's), for the record and the audit line. */
  importedBy: string;
  at: string;
  /** One member_import per member, in the order to apply (a referrer before the members they referred). */
  bodies: MemberImportBody[];
  /** Profile fields of the members that have any. */
  profiles: { memberId: string; gender: Gender | null; birthday: string | null; address: string | null; customFields: Record<string, string> }[];
}

export interface MemberImportStore {
  /** Which of these phones and card UIDs the ledger already holds. */
  holdings(phones: readonly string[], cardUids: readonly string[]): Promise<{ phones: Set<string>; cards: Set<string> }>;
  /** The import of the file with this SHA-256, if it was imported. */
  findImport(importId: string): Promise<MemberImportRecord | null>;
  /**
   * Applies every body through the ledger, writes the profiles, the import's record and an audit line, in ONE
   * database transaction. Any refusal (a phone taken since the preview, the same file already imported…) rolls it
   * all back and throws a CodedError with the refused row (`details.row`): nothing is written.
   */
  importMembers(batch: MemberImportBatch): Promise<{ record: MemberImportRecord; results: TxResult[] }>;
}
