/**
 * Canonical JSON for what gets signed: object keys sorted by UTF-16 code units, no whitespace, strings and
 * integers as JSON.stringify writes them (RFC 8785 for the values configuration can hold). Signer and verifier
 * serialise the same value to the same bytes whatever order its keys came in over the wire.
 *
 * Only integers: money is cents and rates are decimal strings, so a float in a configuration is a mistake, and
 * refusing it keeps the number formatting question (RFC 8785's ECMAScript rules) out of the signature.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`canonical JSON holds only safe integers, not ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
}
