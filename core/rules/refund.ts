/**
 * Refund maths: a refund of named lines reverses exactly what those lines earned (line by line, not pro
 * rata) and gives back the points that paid for them. The ledger applies the result: it takes the earned
 * points back from the purchase's lot and returns the paid points to the lots the spend used (returnToLots).
 */
import { CodedError } from '../errors/coded-error.ts';
import type { PurchaseEvaluation, TraceEntry } from './types.ts';
import { traceText } from './trace-text.ts';

export interface LineReversal {
  lineNo: number;
  /** Earned points to take back. */
  points: number;
  /** Points that paid for this line, to give back, and their value. */
  paidWithPoints: number;
  paidWithPointsCents: number;
  /** The money part of the line to give back (net minus the points part). */
  moneyCents: number;
}

export interface Reversal {
  lines: LineReversal[];
  pointsToTakeBack: number;
  pointsPaymentBack: { points: number; valueCents: number };
  moneyCents: number;
  /** One entry per refunded line: the points it takes back, the money part it gives back. */
  trace: TraceEntry[];
}

/**
 * Throws REFUND_BAD_LINES when a line is not in the purchase, is named twice, or is in `alreadyRefunded`.
 */
export function reverseLines(original: PurchaseEvaluation, lineNos: readonly number[], alreadyRefunded: readonly number[] = []): Reversal {
  if (lineNos.length === 0) throw new CodedError('REFUND_BAD_LINES', 'a refund must name at least one line');
  const seen = new Set<number>();
  const lines: LineReversal[] = [];
  for (const lineNo of lineNos) {
    const line = original.lines.find((l) => l.lineNo === lineNo);
    if (!line) throw new CodedError('REFUND_BAD_LINES', `line ${lineNo} is not in the purchase`);
    if (seen.has(lineNo) || alreadyRefunded.includes(lineNo)) throw new CodedError('REFUND_BAD_LINES', `line ${lineNo} is already refunded`);
    seen.add(lineNo);
    // Purchases evaluated by the first engine have no points share per line: treat it as none.
    const paidWithPoints = line.paidWithPoints ?? 0;
    const paidWithPointsCents = line.paidWithPointsCents ?? 0;
    lines.push({ lineNo, points: line.points, paidWithPoints, paidWithPointsCents, moneyCents: line.netCents - paidWithPointsCents });
  }
  return {
    lines,
    pointsToTakeBack: lines.reduce((sum, l) => sum + l.points, 0),
    pointsPaymentBack: {
      points: lines.reduce((sum, l) => sum + l.paidWithPoints, 0),
      valueCents: lines.reduce((sum, l) => sum + l.paidWithPointsCents, 0),
    },
    moneyCents: lines.reduce((sum, l) => sum + l.moneyCents, 0),
    trace: lines.map((l) => ({ ruleId: 'refund', ...traceText('refundLine', { lineNo: l.lineNo }), lineNo: l.lineNo, points: 0 - l.points, cents: 0 - l.moneyCents })),
  };
}
