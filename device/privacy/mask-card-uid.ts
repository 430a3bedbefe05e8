/**
 * A card UID is a bearer credential on many readers: whoever has it can clone the card. Logs, screens and
 * state reports therefore only ever show its last four characters.
 */
export function maskCardUid(uid: string): string {
  if (uid.length <= 4) return '*'.repeat(uid.length);
  return `${'*'.repeat(uid.length - 4)}${uid.slice(-4)}`;
}
