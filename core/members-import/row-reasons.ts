/**
 * Why a row of a member file cannot be imported. Row reasons, not error codes: a file's answer lists many, each
 * with its row and column, and the console says each in zh-CN and English (console/src/members/import-messages.ts).
 * The request itself is refused with one error code (MEMBER_IMPORT_INVALID) carrying them.
 */
export const ROW_REASONS = [
  'NAME_REQUIRED',
  'NAME_TOO_LONG',
  'PHONE_REQUIRED',
  'PHONE_INVALID',
  'PHONE_DUPLICATE',
  'PHONE_TAKEN',
  'CARD_REQUIRED',
  'CARD_INVALID',
  'CARD_DUPLICATE',
  'CARD_TAKEN',
  'TIER_UNKNOWN',
  'STORE_REQUIRED',
  'STORE_UNKNOWN',
  'GENDER_INVALID',
  'BIRTHDAY_INVALID',
  'ADDRESS_TOO_LONG',
  'MONEY_INVALID',
  'MONEY_NEGATIVE',
  'MONEY_TOO_PRECISE',
  'MONEY_TOO_LARGE',
  'POINTS_INVALID',
  'REFERRER_INVALID',
  'REFERRER_SELF',
  'REFERRER_UNKNOWN',
  'REFERRER_CYCLE',
  'FIELD_TOO_LONG',
] as const;
export type RowReason = (typeof ROW_REASONS)[number];

export interface ImportRowError {
  /** The row as Excel numbers it (the header is usually row 1). */
  row: number;
  /** The column: a field (import-columns.ts), `custom:<key>` for an HQ field, or null for the row as a whole. */
  column: string | null;
  reason: RowReason;
  /** What the cell held, cut to 64 characters (the person who uploaded the file sees their own data). */
  value?: string;
  /** For a duplicate: the row that has it first; for a cycle, the referrer's row. */
  otherRow?: number;
}
