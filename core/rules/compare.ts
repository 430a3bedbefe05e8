/**
 * Comparing two evaluations of the same transaction (the kiosk's and the hub's): exact, field by field, with
 * a path per difference so the hub can record what disagreed. A trace entry's words (`label`, and the keyed
 * `text`) are not compared: an older kiosk words its trace differently, or not keyed at all, and words are no
 * disagreement about points or money. Which rule gave what (ruleId, lineNo, points, cents) still is.
 */
export interface Comparison {
  agree: boolean;
  differences: string[];
}

const MAX_DIFFERENCES = 50;
/** A trace entry (`trace[3]`, `purchase.trace[0]`) or a bonus (`bonuses[0]`, whose label is the rule's words too). */
const TRACE_ENTRY_PATH = /(^|\.)(trace|bonuses)\[\d+\]$/;
const TRACE_WORDS = new Set(['label', 'text']);

export function compareEvaluations(a: unknown, b: unknown): Comparison {
  const differences: string[] = [];
  diff(a, b, '', differences);
  return { agree: differences.length === 0, differences };
}

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (out.length >= MAX_DIFFERENCES) return;
  if (Object.is(a, b)) return;
  const here = path === '' ? '(root)' : path;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    out.push(`${here}: ${show(a)} ≠ ${show(b)}`);
    return;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    out.push(`${here}: array ≠ object`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${here}.length: ${a.length} ≠ ${b.length}`);
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) diff(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  // A key holding undefined counts as absent: JSON drops both the same way.
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  const traceEntry = TRACE_ENTRY_PATH.test(path);
  for (const key of [...keys].sort()) {
    if (traceEntry && TRACE_WORDS.has(key)) continue;
    diff(ra[key], rb[key], path === '' ? key : `${path}.${key}`, out);
  }
}

function show(value: unknown): string {
  return value === undefined ? 'absent' : JSON.stringify(value);
}
