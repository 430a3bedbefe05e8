/**
 * bench/results.json is shared by `npm run bench` and `npm run soak`: each writes its own rows and must never
 * erase the other's. Rows are merged BY NAME: a row of the new run replaces the stored row of the same name
 * (in place, so the file keeps its order), new names are appended, every other stored row is kept.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BenchFigure } from './figure.ts';

export const RESULTS_PATH = 'bench/results.json';

/** The merged list: `stored` with every row named in `fresh` replaced by the fresh one, then the fresh names it lacked. */
export function mergeFiguresByName(stored: readonly BenchFigure[], fresh: readonly BenchFigure[]): BenchFigure[] {
  const freshByName = new Map(fresh.map((f) => [f.name, f]));
  const merged = stored.map((row) => freshByName.get(row.name) ?? row);
  const storedNames = new Set(stored.map((row) => row.name));
  // A fresh name twice: the later row wins (the Map already kept the last one).
  const appended = [...freshByName.values()].filter((f) => !storedNames.has(f.name));
  return [...merged, ...appended];
}

/** The rows stored at `path`; none when the file is absent. A file that is not a JSON array is an error, not silently replaced. */
export function readFigures(path: string): BenchFigure[] {
  if (!existsSync(path)) return [];
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${path} does not hold a JSON array of figures`);
  return parsed.filter((row): row is BenchFigure => typeof row === 'object' && row !== null && typeof (row as { name?: unknown }).name === 'string');
}

/** Reads `path`, merges `fresh` into it by name, writes it back; returns what was written. */
export function mergeFiguresIntoFile(fresh: readonly BenchFigure[], path: string = RESULTS_PATH): BenchFigure[] {
  const merged = mergeFiguresByName(readFigures(path), fresh);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}
