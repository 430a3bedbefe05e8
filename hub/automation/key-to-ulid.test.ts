import { describe, expect, it } from 'vitest';
import { ULID_PATTERN } from '../../core/ids/ulid.ts';
import { keyToUlid } from './key-to-ulid.ts';

describe('keyToUlid', () => {
  it('gives the same ULID for the same scope and key, every time', () => {
    const id = keyToUlid('points.grant', 'birthday:M0003:2026');
    expect(id).toBe(keyToUlid('points.grant', 'birthday:M0003:2026'));
    expect(id).toMatch(ULID_PATTERN);
    // Fixed (worked out apart from this code): a change of derivation would grant every birthday of this year again.
    expect(id).toBe('29TW68M76EFG0FYGEDF1RKVVEJ');
  });

  it('gives different ids for another key, another scope, or the same text split differently', () => {
    const ids = new Set([
      keyToUlid('points.grant', 'birthday:M0003:2026'),
      keyToUlid('points.grant', 'birthday:M0003:2027'),
      keyToUlid('message.send', 'birthday:M0003:2026'),
      keyToUlid('a:b', 'c'),
      keyToUlid('a', 'b:c'),
    ]);
    expect(ids.size).toBe(5);
  });

  it('is a valid ULID for any key: 26 characters, the first within 0–7', () => {
    for (let i = 0; i < 2_000; i += 1) {
      const id = keyToUlid('points.grant', `key-${i}-会员`);
      expect(id).toMatch(ULID_PATTERN);
      expect('01234567').toContain(id[0]);
    }
  });
});
