import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVALUATION_KINDS } from '../../core/rules/context-schema.ts';
import { memberkioskProcess } from '../build/memberkiosk-under-test.ts';

/** Runs the real `memberkiosk rules` entry point, in its own process. */
function rules(...args: string[]): { code: number | null; json: Record<string, unknown> } {
  const command = memberkioskProcess(['rules', ...args]);
  const run = spawnSync(process.execPath, command.args, { encoding: 'utf8', timeout: 30_000, env: command.env });
  return { code: run.status, json: JSON.parse(run.stdout) as Record<string, unknown> };
}

describe('memberkiosk rules eval: every kind the engine decides, and its refusals with their codes', () => {
  it('evaluates every example input (one per kind) and prints {kind, result, receipt}', () => {
    const baskets = readdirSync('core/rules/examples/baskets').filter((name) => name.endsWith('.json'));
    const kinds = new Set<string>();
    for (const basket of baskets) {
      const bundle = { 'tier-review.json': 'tiers', 'points-rebate.json': 'points-rebate' }[basket] ?? 'chain-demo';
      const out = rules('eval', `core/rules/examples/${bundle}.json`, `core/rules/examples/baskets/${basket}`);
      expect(out.code, basket).toBe(0);
      expect(out.json).toMatchObject({ kind: expect.any(String), result: expect.any(Object), receipt: expect.any(Array) });
      kinds.add(out.json.kind as string);
    }
    expect([...kinds].sort()).toEqual([...EVALUATION_KINDS].sort());
  });

  it('a refusal prints its one code and exits 1; an input that is none of the kinds is TX_INVALID', () => {
    const upgrade = rules('eval', 'core/rules/examples/tiers.json', 'core/rules/examples/baskets/paid-upgrade.json');
    // tiers.json offers silver → gold for 1,000: the example's 1,500 points cover it.
    expect(upgrade.code).toBe(0);
    const notOffered = rules('eval', 'core/rules/examples/gifts.json', 'core/rules/examples/baskets/paid-upgrade.json');
    expect(notOffered).toMatchObject({ code: 1, json: { error: { code: 'PAID_UPGRADE_UNKNOWN', details: { reason: 'no_such_upgrade' } } } });
    const unknownKind = rules('eval', 'core/rules/examples/chain-demo.json', 'core/rules/examples/chain-demo.json');
    expect(unknownKind).toMatchObject({ code: 1, json: { error: { code: 'TX_INVALID' } } });
  });
});
