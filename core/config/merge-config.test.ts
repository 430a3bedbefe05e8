import { describe, expect, it } from 'vitest';
import { parseRulesBundle } from '../rules/parse.ts';
import { mergeConfig, numberedRules } from './merge-config.ts';

describe('merged rules and the rules bundle format', () => {
  it('are format 2 (the chain defaults) unless a scope names a format; the narrowest scope that names one wins', () => {
    const plain = parseRulesBundle(numberedRules(mergeConfig([{ rules: { rules: [{ kind: 'earn_rate', id: 'base', rate: '2' }] } }]), 4));
    expect(plain.format).toBe(2);
    expect(parseRulesBundle(numberedRules(mergeConfig([]), 1)).format).toBe(2);
    const seeded = mergeConfig([{ rules: { format: 1, rules: [] } }, { rules: { rules: [{ kind: 'multiplier', id: 'store-promo', factor: '2' }] } }]);
    expect(parseRulesBundle(numberedRules(seeded, 5)).format).toBe(1);
    const storeSaysTwo = mergeConfig([{ rules: { format: 1 } }, { rules: { format: 2 } }]);
    expect(parseRulesBundle(numberedRules(storeSaysTwo, 6)).format).toBe(2);
  });
});
