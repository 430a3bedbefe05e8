/**
 * Yuan as people write them in a spreadsheet ("12.3", "¥1,234.50") to integer cents, exactly: the text is split
 * at the decimal point and read as two integers, never through a float, so "0.29" is 29 cents and not
 * 28.999…. More than two decimals is refused unless the extra digits are zeros ("12.300" is exactly 1230 cents;
 * "12.345" is not a number of cents at all).
 */
export type YuanParse =
  | { ok: true; cents: number }
  | { ok: false; reason: 'MONEY_INVALID' | 'MONEY_NEGATIVE' | 'MONEY_TOO_PRECISE' | 'MONEY_TOO_LARGE' };

/** ¥1,000,000,000 (10¹¹ cents): far above any card's balance, far below where integers stop being exact. */
export const MAX_IMPORT_CENTS = 100_000_000_000;

export function parseYuanToCents(text: string): YuanParse {
  let s = text.trim().replace(/^[¥￥]\s*/, '').replace(/\s+/g, '');
  if (s.startsWith('-')) {
    const magnitude = parseYuanToCents(s.slice(1));
    return magnitude.ok && magnitude.cents > 0 ? { ok: false, reason: 'MONEY_NEGATIVE' } : magnitude;
  }
  if (s.startsWith('+')) s = s.slice(1);
  // Thousands separators only where they group by three: "1,234.5" yes, "1,2" (a decimal comma?) no.
  if (s.includes(',')) {
    if (!/^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$/.test(s)) return { ok: false, reason: 'MONEY_INVALID' };
    s = s.replaceAll(',', '');
  }
  const match = /^([0-9]*)(?:\.([0-9]*))?$/.exec(s);
  if (!match || s === '' || s === '.' || (match[1] === '' && (match[2] ?? '') === '')) return { ok: false, reason: 'MONEY_INVALID' };
  const whole = (match[1] ?? '').replace(/^0+(?=[0-9])/, '');
  const fraction = match[2] ?? '';
  if (/[1-9]/.test(fraction.slice(2))) return { ok: false, reason: 'MONEY_TOO_PRECISE' };
  // 10 digits of yuan is already over the limit: checked on the text, before any number could round.
  if (whole.length > 10) return { ok: false, reason: 'MONEY_TOO_LARGE' };
  const cents = Number(whole || '0') * 100 + Number(fraction.slice(0, 2).padEnd(2, '0'));
  if (cents > MAX_IMPORT_CENTS) return { ok: false, reason: 'MONEY_TOO_LARGE' };
  return { ok: true, cents };
}
