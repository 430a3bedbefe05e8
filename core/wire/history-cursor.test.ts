import { describe, expect, it } from 'vitest';
import { decodeHistoryCursor, encodeHistoryCursor, HISTORY_CURSOR_PATTERN } from './history-cursor.ts';

describe('history cursor', () => {
  it('round-trips a position, and looks like the opaque token the wire schema admits', () => {
    const position = { at: '2026-05-10T04:00:00.123Z', txId: '01JV0000000000000000000000' };
    const cursor = encodeHistoryCursor(position);
    expect(cursor).toMatch(HISTORY_CURSOR_PATTERN);
    expect(cursor).not.toContain(position.txId);
    expect(decodeHistoryCursor(cursor)).toEqual(position);
  });

  it('refuses what it did not make: garbage, a bad date, an extra part, characters outside base64url', () => {
    const encode = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(decodeHistoryCursor('x')).toBeNull();
    expect(decodeHistoryCursor(encode('not a date|01JV'))).toBeNull();
    expect(decodeHistoryCursor(encode('2026-05-10T04:00:00Z|01JV|more'))).toBeNull();
    expect(decodeHistoryCursor(encode("2026-05-10T04:00:00Z|x' OR 1=1"))).toBeNull();
    expect(decodeHistoryCursor('abc/def=')).toBeNull();
    expect(decodeHistoryCursor(encode('2026-05-10T04:00:00Z|01JV'))).toEqual({ at: '2026-05-10T04:00:00Z', txId: '01JV' });
  });
});
