/**
 * One SQLite value as the PostgreSQL column it is copied into takes it — exactly, or not at all. SQLite keeps any
 * value in any column (type affinity is a preference), so a copy that trusted the declared types could round a
 * REAL into a BIGINT or cut a string at a NUL byte; instead anything that would change is refused with
 * MIGRATE_VALUE_UNCONVERTIBLE, naming the table, column and row, and nothing is written.
 *
 * Values are read from SQLite with safeIntegers (64-bit integers as bigint, never a rounded double) and handed to
 * PostgreSQL as text in arrays of the column's type (copy-into-postgres.ts), so an integer travels as its
 * decimal digits. The same text is what the tables' digests compare (table-digests.ts): PostgreSQL's text output of
 * int2/int4/int8/text/bool is exactly this form.
 */
import { CodedError } from '../../../core/errors/coded-error.ts';

/** The column types the copy converts into, with their ranges. Another type makes the migration refuse up front. */
const INTEGER_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int2: [-(2n ** 15n), 2n ** 15n - 1n],
  int4: [-(2n ** 31n), 2n ** 31n - 1n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n],
};
const TEXT_TYPES: ReadonlySet<string> = new Set(['text', 'varchar', 'bpchar']);

export function isConvertibleType(type: string): boolean {
  return type in INTEGER_RANGES || TEXT_TYPES.has(type) || type === 'bool';
}

/** Where a value came from, for the refusal's message. */
export interface ValuePlace {
  table: string;
  column: string;
  /** The row's key columns, as read. */
  row: string;
}

/** The value as PostgreSQL text for a column of `type`, or null for NULL; throws MIGRATE_VALUE_UNCONVERTIBLE. */
export function toPostgresText(value: unknown, type: string, place: ValuePlace): string | null {
  if (value === null || value === undefined) return null;
  const range = INTEGER_RANGES[type];
  if (range) {
    const integer = asInteger(value);
    if (integer === null || integer < range[0] || integer > range[1]) throw unconvertible(value, type, place);
    return integer.toString();
  }
  if (TEXT_TYPES.has(type)) {
    // TEXT affinity stores numbers given to it as text already; a number here came from a column of another affinity.
    const text = typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : null;
    // PostgreSQL's text cannot hold NUL; dropping it would change the value (a payload's hash, a receipt).
    if (text === null || text.includes('\u0000')) throw unconvertible(value, type, place);
    return text;
  }
  if (type === 'bool') {
    const integer = asInteger(value);
    if (integer === 0n) return 'f';
    if (integer === 1n) return 't';
    throw unconvertible(value, type, place);
  }
  throw unconvertible(value, type, place);
}

function asInteger(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  // An INTEGER column holding text is SQLite's answer to text that did not look like an integer: not one.
  return null;
}

function unconvertible(value: unknown, type: string, place: ValuePlace): CodedError {
  const shown = Buffer.isBuffer(value) ? `a ${value.length}-byte blob` : `${typeof value} ${JSON.stringify(typeof value === 'bigint' ? value.toString() : value)?.slice(0, 60)}`;
  return new CodedError('MIGRATE_VALUE_UNCONVERTIBLE', `${place.table}.${place.column} of row ${place.row} holds ${shown}, which a PostgreSQL ${type} column cannot take unchanged: nothing was migrated`, { ...place, type });
}
