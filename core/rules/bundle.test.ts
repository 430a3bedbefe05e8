import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { CodedError } from '../errors/coded-error.ts';
import { checkRulesBundle, parseRulesBundle } from './parse.ts';
import { DEFAULT_RULES_BUNDLE } from './default-bundle.ts';

function issuesOf(json: unknown): { path: string; reason: string }[] {
  const result = checkRulesBundle(json);
  if (result.ok) throw new Error('expected the bundle to be invalid');
  return result.issues;
}

describe('bundle schema', () => {
  it('accepts the default bundle and every example', () => {
    expect(parseRulesBundle(DEFAULT_RULES_BUNDLE)).toEqual(DEFAULT_RULES_BUNDLE);
    const dir = new URL('./examples/', import.meta.url);
    const names = readdirSync(dir).filter((n) => n.endsWith('.json'));
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(checkRulesBundle(JSON.parse(readFileSync(new URL(name, dir), 'utf8')))).toMatchObject({ ok: true });
  });

  it('names the path and the reason of each error', () => {
    const issues = issuesOf({
      version: 1,
      rules: [
        { kind: 'earn_rate', id: 'a', rate: 1.5 },
        { kind: 'spend_bands', id: 'a', bands: [{ upToCents: 500, rate: '2' }, { upToCents: 100, rate: '1' }] },
        { kind: 'multiplier', id: 'm', factor: '2', byTier: { gold: '3' } },
      ],
    });
    expect(issues).toContainEqual({ path: 'rules.0.rate', reason: expect.stringContaining('') });
    expect(issues.find((i) => i.path === 'rules.0.rate')?.reason).toMatch(/string/);
    expect(issues.length).toBe(1); // shape errors stop before the cross-field checks
    const semantic = issuesOf({
      version: 1,
      rules: [
        { kind: 'earn_rate', id: 'a', rate: '1' },
        { kind: 'spend_bands', id: 'a', bands: [{ upToCents: 500, rate: '2' }, { upToCents: 100, rate: '1' }] },
        { kind: 'multiplier', id: 'm', factor: '2', byTier: { gold: '3' } },
      ],
    });
    expect(semantic).toEqual([
      { path: 'rules.1.id', reason: "duplicate rule id 'a' (also rules.0)" },
      { path: 'rules.1.bands.1.upToCents', reason: 'the last band must have upToCents null (no upper limit)' },
      { path: 'rules.1.bands.1.upToCents', reason: 'bands must be in ascending order of upToCents' },
      { path: 'rules.2', reason: 'needs exactly one of factor, byTier (got factor, byTier)' },
    ]);
  });

  it('checks tiers, timezones, windows and unknown fields', () => {
    const issues = issuesOf({
      version: 1,
      timezone: 'Mars/Olympus',
      tiers: { ladder: [{ tier: 'standard', from: 10 }] },
      rules: [{ kind: 'multiplier', id: 'x', byTier: { gold: '2' }, window: { monthDays: { from: '02-30', to: '03-01' } } }],
    });
    expect(issues.map((i) => i.path)).toEqual(['timezone', 'tiers.ladder.0.from', 'rules.0.window.monthDays.from', 'rules.0.byTier.gold']);
    expect(issuesOf({ version: 1, rules: [], colour: 'red' })[0]).toMatchObject({ path: '', reason: expect.stringMatching(/colour/) });
    expect(issuesOf({ version: 1, rules: [{ kind: 'teleport', id: 'x' }] })[0]?.path).toBe('rules.0.kind');
  });

  it('parseRulesBundle throws RULES_INVALID carrying every issue', () => {
    try {
      parseRulesBundle({ version: 0, rules: 'none' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CodedError);
      const coded = error as CodedError;
      expect(coded.code).toBe('RULES_INVALID');
      expect(coded.details?.issues).toEqual([
        { path: 'version', reason: expect.any(String) },
        { path: 'rules', reason: expect.any(String) },
      ]);
    }
  });
});
