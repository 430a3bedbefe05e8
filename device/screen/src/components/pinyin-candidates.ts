/**
 * Which characters the pinyin typed so far can become, from a table of syllable → characters (simple-keyboard-layouts'
 * Chinese layoutCandidates): the longest syllable the typed letters start with ("wangf" → "wang", and picking a
 * character leaves "f"), else the shortest syllable that starts with them ("zh" → "zha", while typing it). null:
 * nothing to offer.
 */
export interface PinyinMatch {
  /** The syllable the candidates are for. */
  syllable: string;
  chars: string[];
  /** How many typed letters picking one of them uses up. */
  consumed: number;
}

export function pinyinCandidates(table: Readonly<Record<string, string>>, typed: string): PinyinMatch | null {
  if (typed === '') return null;
  for (let n = typed.length; n > 0; n--) {
    const syllable = typed.slice(0, n);
    const chars = table[syllable];
    if (chars) return { syllable, chars: chars.split(' ').filter(Boolean), consumed: n };
  }
  const longer = Object.keys(table)
    .filter((syllable) => syllable.startsWith(typed))
    .sort((a, b) => a.length - b.length || a.localeCompare(b))[0];
  const chars = longer ? table[longer] : undefined;
  return longer && chars ? { syllable: longer, chars: chars.split(' ').filter(Boolean), consumed: typed.length } : null;
}
