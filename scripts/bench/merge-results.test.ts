import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import type { BenchFigure } from './figure.ts';
import { mergeFiguresByName, mergeFiguresIntoFile } from './merge-results.ts';

function figure(name: string, value: number): BenchFigure {
  return { name, value, unit: 'x', baseline: 1, ratio: value, target: 't', met: true };
}

describe('bench/results.json merged by name', () => {
  it('replaces rows of the same name in place, keeps every other row, appends new names', () => {
    const stored = [figure('ledger ingest', 1), figure('soak kills', 20), figure('end-to-end', 2)];
    const merged = mergeFiguresByName(stored, [figure('soak kills', 23), figure('soak lost or doubled', 0)]);
    expect(merged.map((f) => [f.name, f.value])).toEqual([
      ['ledger ingest', 1],
      ['soak kills', 23],
      ['end-to-end', 2],
      ['soak lost or doubled', 0],
    ]);
  });

  it('keeps the stored rows untouched when nothing new is given', () => {
    const stored = [figure('a', 1), figure('b', 2)];
    expect(mergeFiguresByName(stored, [])).toEqual(stored);
  });

  describe('on a file', () => {
    let temp: ReturnType<typeof makeTempDir>;
    beforeEach(() => (temp = makeTempDir('mk-bench-merge-')));
    afterEach(() => temp.cleanup());

    it('bench and soak never erase each other: each writes its rows, the other rows stay', () => {
      const path = join(temp.dir, 'bench', 'results.json');
      mergeFiguresIntoFile([figure('ledger ingest', 1), figure('end-to-end', 2)], path); // the file does not exist yet
      mergeFiguresIntoFile([figure('soak kills', 22), figure('soak lost or doubled', 0)], path);
      mergeFiguresIntoFile([figure('ledger ingest', 3)], path); // a bench run of one figure
      const stored = JSON.parse(readFileSync(path, 'utf8')) as BenchFigure[];
      expect(stored.map((f) => [f.name, f.value])).toEqual([
        ['ledger ingest', 3],
        ['end-to-end', 2],
        ['soak kills', 22],
        ['soak lost or doubled', 0],
      ]);
    });

    it('refuses to overwrite a file that is not an array of figures', () => {
      const path = join(temp.dir, 'results.json');
      writeFileSync(path, '{"not": "an array"}');
      expect(() => mergeFiguresIntoFile([figure('soak kills', 1)], path)).toThrow(/not hold a JSON array/);
      expect(readFileSync(path, 'utf8')).toBe('{"not": "an array"}');
    });
  });
});
