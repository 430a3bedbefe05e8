/**
 * The short form of a trace for receipts and screens: one line per rule, with what it contributed summed
 * over the lines, in the order the rules first contributed. "gold ×1.5  +45 pts", "10% off  -12.00".
 * The rows keep the entries' keys (shortTraceRows), so a reader renders the same lines in its own language.
 */
import type { TraceLine, TraceText } from './trace-keys.ts';
import type { RulesBundle } from './bundle.ts';
import { namesOf, renderTraceText, withAmounts, type TraceLocale } from './trace-text.ts';
import type { TraceEntry } from './types.ts';

/** One short-trace line: a rule's entries summed (points / cents absent: the rule moved none, or they summed to 0). */
export interface ShortTraceRow {
  ruleId: string;
  label: string;
  text?: TraceText;
  points?: number;
  cents?: number;
}

export function shortTraceRows(evaluation: { trace: readonly TraceEntry[] }): ShortTraceRow[] {
  const byRule = new Map<string, { ruleId: string; label: string; text: TraceText | undefined; points: number; cents: number; hasPoints: boolean; hasCents: boolean }>();
  for (const entry of evaluation.trace) {
    const key = `${entry.ruleId}\u0000${entry.label}`;
    let row = byRule.get(key);
    if (!row) {
      row = { ruleId: entry.ruleId, label: entry.label, text: entry.text, points: 0, cents: 0, hasPoints: false, hasCents: false };
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
  const rows: ShortTraceRow[] = [];
  for (const row of byRule.values()) {
    const cents = row.hasCents && row.cents !== 0 ? row.cents : undefined;
    const points = row.hasPoints && row.points !== 0 ? row.points : undefined;
    // A rule that moved amounts which summed to nothing says nothing; one that never moves any (a tier upgrade) does.
    if (cents === undefined && points === undefined && (row.hasPoints || row.hasCents)) continue;
    rows.push({
      ruleId: row.ruleId,
      label: row.label,
      ...(row.text ? { text: row.text } : {}),
      ...(points !== undefined ? { points } : {}),
      ...(cents !== undefined ? { cents } : {}),
    });
  }
  return rows;
}

/** The rows in a language: keyed rows rendered, HQ's labels as written (gift names from the bundle, if given). */
export function shortTraceIn(evaluation: { trace: readonly TraceEntry[] }, locale: TraceLocale, bundle?: RulesBundle): string[] {
  const names = namesOf(bundle);
  return shortTraceRows(evaluation).map((row) => withAmounts((row.text ? renderTraceText(row.text, locale, names) : undefined) ?? row.label, row, locale));
}

/** The rows as English lines: the format stored in ledger outcomes and printed before trace keys existed. */
export function shortTrace(evaluation: { trace: readonly TraceEntry[] }): string[] {
  return shortTraceRows(evaluation).map((row) => withAmounts(row.label, row, 'en'));
}

/**
 * The rows as an outcome's TraceLines, `at` counting from the row's place in the outcome's trace. A row with HQ's
 * label becomes a `ruleLabel` line: its words stay HQ's, its amounts get the reader's words.
 */
export function traceLinesOf(rows: readonly ShortTraceRow[], firstAt = 0): TraceLine[] {
  const lines: TraceLine[] = [];
  rows.forEach((row, i) => {
    const text = row.text ?? { key: 'ruleLabel', params: { label: row.label } };
    lines.push({
      at: firstAt + i,
      key: text.key,
      params: text.params,
      ...(row.points !== undefined ? { points: row.points } : {}),
      ...(row.cents !== undefined ? { cents: row.cents } : {}),
    });
  });
  return lines;
}

/** `{ traceText }` to spread into a summary, or nothing: a summary without keyed lines carries no empty list. */
export function keyed(lines: TraceLine[]): { traceText?: TraceLine[] } {
  return lines.length > 0 ? { traceText: lines } : {};
}
