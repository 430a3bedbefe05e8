/**
 * Splitting an integer total over weights so the parts are integers that add up exactly: each part gets its
 * floor share, and the units left over go to the largest remainders (earliest index on ties). Deterministic,
 * so the device and the hub split the same way. Plain loops: it runs on the hot path for every basket.
 */
import { mulDiv } from './decimal.ts';

export function allocateProRata(total: number, weights: readonly number[]): number[] {
  const n = weights.length;
  let weightSum = 0;
  for (let i = 0; i < n; i++) weightSum += weights[i]!;
  const parts = new Array<number>(n).fill(0);
  if (weightSum === 0 || total === 0) return parts;
  let left = total;
  for (let i = 0; i < n; i++) {
    parts[i] = mulDiv(total, weights[i]!, weightSum);
    left -= parts[i]!;
  }
  if (left === 0) return parts;
  // Fewer units are left over than there are parts, so picking the largest remainder `left` times is cheap.
  const remainders = new Array<number>(n);
  for (let i = 0; i < n; i++) remainders[i] = remainderOf(weights[i]!, total, parts[i]!, weightSum);
  while (left > 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (remainders[i]! > remainders[best]!) best = i;
    parts[best] = parts[best]! + 1;
    remainders[best] = Number.NEGATIVE_INFINITY;
    left -= 1;
  }
  return parts;
}

/** w × total − part × weightSum, exact (BigInt only when the product leaves the safe range). */
function remainderOf(w: number, total: number, part: number, weightSum: number): number {
  const product = w * total;
  if (Number.isSafeInteger(product)) return product - part * weightSum;
  return Number(BigInt(w) * BigInt(total) - BigInt(part) * BigInt(weightSum));
}
