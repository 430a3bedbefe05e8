/** Money, points and times in the console's language (Intl; China's currency and clock). */
import { i18n } from './i18n.ts';

const locale = () => i18n.global.locale.value;

export function money(cents: number): string {
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: 'CNY', currencyDisplay: 'narrowSymbol' }).format(cents / 100);
}

export function signedMoney(cents: number): string {
  return cents > 0 ? `+${money(cents)}` : money(cents);
}

export function points(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

export function signedPoints(n: number): string {
  return n > 0 ? `+${points(n)}` : points(n);
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).format(date);
}

export function date(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'Asia/Shanghai' }).format(d);
}
