/**
 * A member's SMS reply, forwarded by the SMS relay: whether it asks to unsubscribe from marketing, and the number it
 * came from as the member records hold it. The words are the ones Chinese carriers and senders honour (the marketing
 * SMS ends with "回T退订"): T, TD (退订), N, or 退订 itself, in any case, with spaces around.
 */
const UNSUBSCRIBE_WORDS = new Set(['T', 'TD', 'N', '退订']);

export function isUnsubscribeReply(text: string): boolean {
  // NFKC: a full-width Ｔ typed on a Chinese keyboard is a T.
  return UNSUBSCRIBE_WORDS.has(text.normalize('NFKC').trim().toUpperCase());
}

/**
 * The number a reply came from as members' phones are recorded: a mainland mobile number's 11 digits, without the
 * +86 / 0086 a gateway may put in front; any other number as its digits.
 */
export function replyPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const mainland = /^(?:0{0,2}86)?(1\d{10})$/.exec(digits);
  return mainland?.[1] ?? digits;
}
