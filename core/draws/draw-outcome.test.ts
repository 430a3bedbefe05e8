import { describe, expect, it } from 'vitest';
import { auditDraw, drawDefinitionSchema, instantOutcome, secondChanceWinners, seedCommitment, type RecordedEntry } from './draw-outcome.ts';

const SEED = '5eed'.repeat(16);
const ids = (n: number) => Array.from({ length: n }, (_, i) => `01JTESTDRAW${String(i).padStart(15, '0')}`);

describe('draw outcomes', () => {
  const prizes = [
    { prizeId: 'mug', weight: 10, stockLeft: 100 },
    { prizeId: 'pts', weight: 30, stockLeft: 100 },
  ];

  it('are a function of the seed and the transaction id alone', () => {
    for (const id of ids(50)) expect(instantOutcome(SEED, id, prizes, 60)).toEqual(instantOutcome(SEED, id, prizes, 60));
    const other = 'a'.repeat(64);
    const differ = ids(50).filter((id) => instantOutcome(SEED, id, prizes, 60).ticket !== instantOutcome(other, id, prizes, 60).ticket);
    expect(differ).toHaveLength(50);
  });

  it('fall to "no prize" when the pick lands on a prize with no stock left, leaving the other odds as they were', () => {
    const winsMug = ids(500).find((id) => instantOutcome(SEED, id, prizes, 60).prizeId === 'mug')!;
    const noMugs = [{ ...prizes[0]!, stockLeft: 0 }, prizes[1]!];
    expect(instantOutcome(SEED, winsMug, noMugs, 60)).toMatchObject({ prizeId: null, outOfStockPrizeId: 'mug' });
    for (const id of ids(200)) {
      const before = instantOutcome(SEED, id, prizes, 60);
      const after = instantOutcome(SEED, id, noMugs, 60);
      expect(after.pick).toBe(before.pick);
      if (before.prizeId !== 'mug') expect(after.prizeId).toBe(before.prizeId);
    }
  });

  it('follow the weights over 2,000 entries (fixed seed and ids: the counts are always these)', () => {
    const counts: Record<string, number> = { mug: 0, pts: 0, none: 0 };
    for (const id of ids(2000)) counts[instantOutcome(SEED, id, prizes, 60).prizeId ?? 'none']! += 1;
    // Expected 200 / 600 / 1200; a binomial's 4-sigma band is ±54 / ±82 / ±88.
    expect(Math.abs(counts.mug! - 200)).toBeLessThan(54);
    expect(Math.abs(counts.pts! - 600)).toBeLessThan(82);
    expect(Math.abs(counts.none! - 1200)).toBeLessThan(88);
  });

  it('draw second-chance winners without replacement, whatever order the entries come in', () => {
    const entries = ids(10);
    const winners = secondChanceWinners(SEED, entries, [{ prizeId: 'tv', count: 1 }, { prizeId: 'bag', count: 3 }]);
    expect(winners.map((w) => `${w.prizeId}#${w.k}`)).toEqual(['tv#0', 'bag#0', 'bag#1', 'bag#2']);
    expect(new Set(winners.map((w) => w.entryTxId)).size).toBe(4);
    expect(secondChanceWinners(SEED, [...entries].reverse(), [{ prizeId: 'tv', count: 1 }, { prizeId: 'bag', count: 3 }])).toEqual(winners);
    expect(secondChanceWinners(SEED, entries.slice(0, 2), [{ prizeId: 'bag', count: 5 }])).toHaveLength(2);
  });

  it('audit: recomputes every recorded outcome and catches a changed one and a seed that is not the committed one', () => {
    const definition = [
      { prizeId: 'mug', weight: 10, stock: 2 },
      { prizeId: 'pts', weight: 30, stock: 100 },
    ];
    const stock = new Map(definition.map((p) => [p.prizeId, p.stock]));
    const entries: RecordedEntry[] = ids(100).map((txId) => {
      const outcome = instantOutcome(SEED, txId, definition.map((p) => ({ prizeId: p.prizeId, weight: p.weight, stockLeft: stock.get(p.prizeId)! })), 60);
      if (outcome.prizeId) stock.set(outcome.prizeId, stock.get(outcome.prizeId)! - 1);
      return { txId, prizeId: outcome.prizeId, ticket: outcome.ticket, pick: outcome.pick };
    });
    expect(stock.get('mug')).toBe(0);
    const secondChance = [{ prizeId: 'tv', count: 1 }];
    const input = { seedHex: SEED, seedSha256: seedCommitment(SEED), noPrizeWeight: 60, prizes: definition, secondChance, entries, secondChanceWinners: secondChanceWinners(SEED, entries.map((e) => e.txId), secondChance) };
    expect(auditDraw(input)).toMatchObject({ ok: true, commitmentHolds: true, entriesChecked: 100, mismatches: [] });
    const loser = entries.findIndex((e) => e.prizeId === null);
    const forged = entries.map((e, i) => (i === loser ? { ...e, prizeId: 'pts' } : e));
    expect(auditDraw({ ...input, entries: forged }).mismatches).toHaveLength(1);
    expect(auditDraw({ ...input, seedSha256: seedCommitment('b'.repeat(64)) })).toMatchObject({ ok: false, commitmentHolds: false });
  });

  it('definitions: positive weights, a points prize names its points, unique prize ids', () => {
    const base = { name: 'Spring draw', costPoints: 100, closesAt: '2030-01-01T00:00:00.000Z', noPrizeWeight: 60, prizes: [{ prizeId: 'mug', name: 'Mug', kind: 'gift', weight: 10, stock: 5 }] };
    expect(drawDefinitionSchema.safeParse(base).success).toBe(true);
    expect(drawDefinitionSchema.safeParse({ ...base, prizes: [{ ...base.prizes[0], weight: 0 }] }).success).toBe(false);
    expect(drawDefinitionSchema.safeParse({ ...base, prizes: [{ ...base.prizes[0], kind: 'points' }] }).success).toBe(false);
    expect(drawDefinitionSchema.safeParse({ ...base, secondChance: [{ prizeId: 'mug', name: 'TV', count: 1 }] }).success).toBe(false);
  });
});
