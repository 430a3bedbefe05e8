import { maskCardUid } from './mask.ts';

/**
 * A payload as the ledger stores it: a format 1–2 staff transaction's `staffCardUid` masked, so no staff card
 * number is kept in clear (those transactions are refused: the number never authorised anything). Every other
 * payload is stored byte for byte. The content hash is taken of the payload as received, before this.
 */
export function redactStaffCard(raw: string): string {
  if (!raw.includes('"staffCardUid"')) return raw;
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return raw;
    const record = value as Record<string, unknown>;
    if (typeof record.staffCardUid !== 'string') return raw;
    return JSON.stringify({ ...record, staffCardUid: maskCardUid(record.staffCardUid) });
  } catch {
    // Not JSON: nothing can be read out of it as a card number field either; kept as received.
    return raw;
  }
}
