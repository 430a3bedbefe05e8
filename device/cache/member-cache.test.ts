import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { makeMember } from '../test-support/members.ts';
import { makeTempDir } from '../test-support/temp-dir.ts';
import { openMemberCache } from './member-cache.ts';

describe('member cache', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let path: string;
  beforeEach(() => {
    temp = makeTempDir();
    path = join(temp.dir, 'device.sqlite');
  });
  afterEach(() => temp.cleanup());

  it('keeps the last view per card across reopen', () => {
    const first = openMemberCache({ path, logger: createCaptureLogger().logger });
    first.put('AAAA1111', makeMember('AAAA1111'));
    first.put('BBBB2222', makeMember('BBBB2222', { name: 'Bob' }));
    first.close();
    const again = openMemberCache({ path, logger: createCaptureLogger().logger });
    expect(again.size()).toBe(2);
    expect(again.get('BBBB2222')).toMatchObject({ member: { name: 'Bob' }, asOf: '2026-01-02T10:00:00.000Z' });
    expect(again.get('CCCC3333')).toBeNull();
    again.close();
  });

  it('never lets an older view overwrite a newer one', () => {
    const cache = openMemberCache({ path, logger: createCaptureLogger().logger });
    cache.put('AAAA1111', makeMember('AAAA1111', { asOf: '2026-02-01T00:00:00.000Z', name: 'New' }));
    cache.put('AAAA1111', makeMember('AAAA1111', { asOf: '2026-01-01T00:00:00.000Z', name: 'Old' }));
    expect(cache.get('AAAA1111')?.member.name).toBe('New');
    cache.close();
  });

  it('applies balances from a later tx result', () => {
    const cache = openMemberCache({ path, logger: createCaptureLogger().logger });
    cache.put('AAAA1111', makeMember('AAAA1111'));
    const balances = { storedValueCents: 1, bonusValueCents: 2, points: 3 };
    cache.updateBalances('AAAA1111', { balances, tier: 'diamond', asOf: '2026-03-01T00:00:00.000Z' });
    cache.updateBalances('ZZZZ9999', { balances, asOf: '2026-03-01T00:00:00.000Z' });
    expect(cache.get('AAAA1111')).toMatchObject({ member: { balances, tier: 'diamond' }, asOf: '2026-03-01T00:00:00.000Z' });
    expect(cache.get('ZZZZ9999')).toBeNull();
    cache.close();
  });
});
