import chinese from 'simple-keyboard-layouts/build/layouts/chinese';
import { describe, expect, it } from 'vitest';
import { pinyinCandidates } from './pinyin-candidates.ts';

/** The table the name keyboard uses: simple-keyboard-layouts' Chinese layoutCandidates. */
const TABLE = (chinese as unknown as { layoutCandidates: Record<string, string> }).layoutCandidates;

describe('pinyin candidates for the name keyboard', () => {
  it('offers the characters of the syllable typed, in the table order', () => {
    const match = pinyinCandidates(TABLE, 'bai');
    expect(match).toMatchObject({ syllable: 'bai', consumed: 3 });
    expect(match!.chars.slice(0, 2)).toEqual(['百', '白']);
    expect(pinyinCandidates(TABLE, 'zhang')!.chars).toContain('张');
  });

  it('takes the longest syllable the letters start with, leaving the rest to type on', () => {
    const match = pinyinCandidates(TABLE, 'wangf');
    expect(match).toMatchObject({ syllable: 'wang', consumed: 4 });
    expect(match!.chars).toContain('王');
  });

  it('offers the shortest syllable that starts with letters that are no syllable yet, using them all up', () => {
    const match = pinyinCandidates(TABLE, 'zh');
    expect(match).toMatchObject({ consumed: 2 });
    expect(match!.syllable.startsWith('zh')).toBe(true);
  });

  it('reads ü as v, as pinyin keyboards do', () => {
    expect(pinyinCandidates(TABLE, 'lv')!.chars).toContain('吕');
    expect(pinyinCandidates(TABLE, 'nv')!.chars).toContain('女');
  });

  it('offers nothing for nothing typed, or letters no syllable starts with', () => {
    expect(pinyinCandidates(TABLE, '')).toBeNull();
    expect(pinyinCandidates({ ma: '妈 马' }, 'q')).toBeNull();
  });
});
