import { describe, expect, it } from 'vitest';
import { TapDebouncer } from './tap-debouncer.ts';

describe('TapDebouncer', () => {
  it('reports a flicker shorter than bounceMs as neither a removal nor a new tap', async () => {
    const removed: string[] = [];
    const d = new TapDebouncer({ holdGapMs: 0, bounceMs: 50, onRemoved: (uid) => removed.push(uid) });
    expect(d.sighted('AA')).toBe(true);
    d.absent('AA');
    expect(d.sighted('AA')).toBe(false);
    await new Promise((r) => setTimeout(r, 80));
    expect(removed).toEqual([]);
    d.absent('AA');
    await new Promise((r) => setTimeout(r, 80));
    expect(removed).toEqual(['AA']);
    expect(d.sighted('AA')).toBe(true);
  });

  it('removes the held card when a different one arrives', () => {
    const removed: string[] = [];
    const d = new TapDebouncer({ holdGapMs: 0, bounceMs: 0, onRemoved: (uid) => removed.push(uid) });
    expect(d.sighted('AA')).toBe(true);
    expect(d.sighted('BB')).toBe(true);
    expect(removed).toEqual(['AA']);
  });
});
