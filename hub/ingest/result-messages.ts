import { MAX_RESULT_MESSAGE_BYTES } from '../../core/wire/limits.ts';
import type { TxResult } from '../../core/wire/result.ts';

/**
 * One device's results of one commit as few messages as fit MAX_RESULT_MESSAGE_BYTES each, in order: a lone
 * result travels bare, several as `{results: [...]}`. A result longer than the limit alone still travels
 * alone (traces are bounded, so it stays far under the broker's packet limit).
 */
export function resultMessages(results: readonly TxResult[]): string[] {
  const texts = results.map((result) => JSON.stringify(result));
  if (texts.length === 1) return texts;
  const messages: string[] = [];
  let group: string[] = [];
  let size = 0;
  const flush = () => {
    if (group.length === 1) messages.push(group[0]!);
    else if (group.length > 1) messages.push(`{"results":[${group.join(',')}]}`);
    group = [];
    size = 0;
  };
  for (const text of texts) {
    if (group.length > 0 && size + Buffer.byteLength(text) + 16 > MAX_RESULT_MESSAGE_BYTES) flush();
    group.push(text);
    size += Buffer.byteLength(text) + 1;
  }
  flush();
  return messages;
}
