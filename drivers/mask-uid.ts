/**
 * Card UIDs identify members, so logs carry only a masked form: enough to tell two taps apart when
 * debugging a reader, not enough to clone or look up a card. "04A1B2C3D4" → "04…D4".
 */
export function maskUid(uid: string): string {
  const hex = uid.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  if (hex.length <= 4) return '*'.repeat(hex.length);
  return `${hex.slice(0, 2)}…${hex.slice(-2)}`;
}
