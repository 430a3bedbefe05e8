import { describe, expect, it } from 'vitest';
import { bundleWithCardTypes } from '../ledger/test-support/card-types-bundle.ts';
import type { CardType } from './bundle-accounts.ts';
import { checkRulesBundle } from './parse.ts';

function issuesOf(json: unknown): { path: string; reason: string }[] {
  const result = checkRulesBundle(json);
  return result.ok ? [] : result.issues;
}

const withTypes = (types: CardType[], defaultId?: string) => ({ ...bundleWithCardTypes(), cardTypes: { ...(defaultId ? { default: defaultId } : {}), types } });
const plain: CardType = { typeId: 'plain', label: '普通卡', class: 'personal' };

describe('bundle checks of card types', () => {
  it('accepts the test bundle of card types (plain default, gold tier type, supplementary with limits)', () => {
    expect(checkRulesBundle(bundleWithCardTypes())).toMatchObject({ ok: true });
  });

  it('refuses a duplicate typeId, a default that names no type, and a tier the ladder lacks', () => {
    expect(issuesOf(withTypes([plain, { ...plain, label: 'again' }]))).toEqual([{ path: 'cardTypes.types.1.typeId', reason: expect.stringMatching(/duplicate card type 'plain'/) }]);
    expect(issuesOf(withTypes([plain], 'gold'))).toEqual([{ path: 'cardTypes.default', reason: expect.stringMatching(/no card type 'gold'/) }]);
    expect(issuesOf(withTypes([plain, { typeId: 'pt', label: '白金卡', class: 'personal', tier: 'platinum' }]))).toEqual([
      { path: 'cardTypes.types.1.tier', reason: expect.stringMatching(/unknown tier 'platinum'/) },
    ]);
  });

  it('refuses an issue fee or an attached class on the default type, which kiosk self-registration issues', () => {
    expect(issuesOf(withTypes([{ ...plain, fees: { issue: 1_000, annual: 500 } }]))).toEqual([{ path: 'cardTypes.types.0.fees.issue', reason: expect.stringMatching(/issue fee/) }]);
    // With no `default`, the first listed type is the default.
    expect(issuesOf(withTypes([{ typeId: 'supp', label: '附属卡', class: 'supplementary' }, plain]))).toEqual([{ path: 'cardTypes.types.0.class', reason: expect.stringMatching(/must be personal/) }]);
  });

  it('refuses limits on a personal type', () => {
    expect(issuesOf(withTypes([plain, { typeId: 'p2', label: '个人卡', class: 'personal', limits: { perDayCents: 100 } }]))).toEqual([
      { path: 'cardTypes.types.1.limits', reason: expect.stringMatching(/only supplementary, linked and group/) },
    ]);
  });
});
