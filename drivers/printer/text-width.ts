/**
 * Receipt columns are counted in half-width cells: a thermal printer's Chinese font prints a hanzi two ASCII
 * cells wide, so padding by string length would break every right-aligned amount on a Chinese receipt.
 */
export function cellWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x1100) return 1;
  const wide =
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd);
  return wide ? 2 : 1;
}

export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += cellWidth(char);
  return width;
}

/** Cuts text to at most `width` cells, never splitting a wide character. */
export function truncateToWidth(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = cellWidth(char);
    if (used + w > width) break;
    out += char;
    used += w;
  }
  return out;
}

/** Splits text into lines of at most `width` cells (hard wrap: receipt text is short and mixed-script). */
export function wrapToWidth(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const char of text) {
    const w = cellWidth(char);
    if (used + w > width) {
      lines.push(line);
      line = '';
      used = 0;
    }
    line += char;
    used += w;
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** "left ……… right" in exactly `width` cells; the left side gives way when both do not fit. */
export function leftRight(left: string, right: string, width: number): string {
  const rightWidth = textWidth(right);
  const room = Math.max(0, width - rightWidth - 1);
  const leftFitted = truncateToWidth(left, room);
  return `${leftFitted}${' '.repeat(Math.max(1, width - textWidth(leftFitted) - rightWidth))}${right}`;
}
