/**
 * Real-time status (DLE EOT n): the printer answers one byte even while its buffer is full or it is offline,
 * which is what makes "out of paper" visible without printing. Bits per Epson's ESC/POS reference; bit 1 is
 * always 1 and bit 4 always 1 in a valid answer (0x12 pattern), bits 0 and 7 always 0.
 */
export const DLE_EOT_PRINTER = 1;
export const DLE_EOT_OFFLINE_CAUSE = 2;
export const DLE_EOT_PAPER = 4;

export function statusRequest(n: number): Buffer {
  return Buffer.from([0x10, 0x04, n]);
}

export function isStatusByte(byte: number): boolean {
  return (byte & 0x93) === 0x12;
}

export interface StatusBits {
  offline?: boolean;
  coverOpen?: boolean;
  paperOut?: boolean;
  paperNearEnd?: boolean;
  error?: boolean;
}

export function parseStatusByte(n: number, byte: number): StatusBits {
  switch (n) {
    case DLE_EOT_PRINTER:
      return { offline: (byte & 0x08) !== 0 };
    case DLE_EOT_OFFLINE_CAUSE:
      return { coverOpen: (byte & 0x04) !== 0, error: (byte & 0x40) !== 0 };
    case DLE_EOT_PAPER:
      return { paperNearEnd: (byte & 0x0c) !== 0, paperOut: (byte & 0x60) !== 0 };
    default:
      return {};
  }
}

/** The answer a printer in this state gives; used by the fake printer peers. */
export function statusByteFor(n: number, state: { paperOut: boolean; paperNearEnd: boolean; coverOpen: boolean }): number {
  let byte = 0x12;
  const offline = state.paperOut || state.coverOpen;
  if (n === DLE_EOT_PRINTER && offline) byte |= 0x08;
  if (n === DLE_EOT_OFFLINE_CAUSE) {
    if (state.coverOpen) byte |= 0x04;
    if (state.paperOut) byte |= 0x20;
  }
  if (n === DLE_EOT_PAPER) {
    if (state.paperNearEnd || state.paperOut) byte |= 0x0c;
    if (state.paperOut) byte |= 0x60;
  }
  return byte;
}
