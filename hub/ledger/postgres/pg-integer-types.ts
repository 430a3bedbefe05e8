/**
 * How the ledger reads PostgreSQL's integers. `pg` hands BIGINT (and NUMERIC, what sum() of a BIGINT gives) back
 * as strings, since not every 64-bit integer is a JavaScript number. The ledger's amounts are integers far below
 * 2^53 (cents and points), so they are read as numbers — and one that is not a safe integer is a defect that
 * must fail loudly, never turn into a rounded float.
 */
import pg from 'pg';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function safeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`the ledger read ${text} where a safe integer belongs`);
  return value;
}

/** The `types` of the ledger's pool: BIGINT and NUMERIC as safe integers, everything else as pg reads it. */
export const LEDGER_PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return safeInteger;
    const parser: unknown = format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
    return parser;
  }) as pg.CustomTypesConfig['getTypeParser'],
};
