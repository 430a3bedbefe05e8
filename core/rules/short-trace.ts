/**
 * The short form of a trace for receipts and screens: one line per rule, with what it contributed summed
 * over the lines, in the order the rules first contributed. "gold ×1.5  +45 pts", "10% off  -12.00".
 */
import { formatCents } from '../money/integers.ts';
import type { TraceEntry } from './types.ts';

export function shortTrace(evaluation: { trace: readonly TraceEntry[] }): string[] {
  const byRule = new Map<string, { label: string; points: number; cents: number; hasPoints: boolean; hasCents: boolean }>();
  for (const entry of evaluation.trace) {
    const key = `${entry.ruleId}\u0000${entry.label}`;
    let row = byRule.get(key);
    if (!row) {
      row = { label: entry.label, points: 0, cents: 0, hasPoints: false, hasCents: false };
      byRule.set(key, row);
    }
    if (entry.points !== undefined) {
      row.points += entry.points;
      row.hasPoints = true;
    }
    if (entry.cents !== undefined) {
      row.cents += entry.cents;
      row.hasCents = true;
    }
  }
  const lines: string[] = [];
  for (const row of byRule.values()) {
    const parts = [row.label];
    if (row.hasCents && row.cents !== 0) parts.push(`${row.cents > 0 ? '+' : ''}${formatCents(row.cents)}`);
    if (row.hasPoints && row.points !== 0) parts.push(`${row.points > 0 ? '+' : ''}${row.points} pts`);
    if (parts.length > 1 || (!row.hasPoints && !row.hasCents)) lines.push(parts.join('  '));
  }
  return lines;
}
