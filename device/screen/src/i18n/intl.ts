/**
 * The screen's words and formats (FormatJS: ICU messages with plurals, and Intl for dates in the store's time
 * zone). zh-CN is the default; the shopper may switch to English, and the language goes back to the kiosk's
 * default when their session ends, so the next person is not greeted in the last person's choice. Money and points
 * are formatted by core (core/money/format-yuan.ts): the same integer arithmetic as the ledger's.
 */
import { createIntl, createIntlCache, type IntlShape } from '@formatjs/intl';
import { computed, ref } from 'vue';
import { formatPoints, formatSignedYuan, formatYuan } from '../../../../core/money/format-yuan.ts';
import { shopperWords, type ShopperWords } from '../../../../core/errors/shopper-words.ts';
import { EN } from './en.ts';
import { ZH_CN, type MessageId } from './zh-CN.ts';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

const MESSAGES: Record<Locale, Record<MessageId, string>> = { 'zh-CN': ZH_CN, en: EN };
const cache = createIntlCache();

export const locale = ref<Locale>('zh-CN');
/** The store's IANA time zone (GET /api/state store.timezone); China's by default. */
export const timeZone = ref('Asia/Shanghai');

const intl = computed<IntlShape<string>>(() =>
  createIntl({ locale: locale.value, defaultLocale: 'zh-CN', messages: MESSAGES[locale.value], timeZone: timeZone.value }, cache),
);

export type MessageValues = Record<string, string | number>;

/** The message `id` in the current language, with ICU placeholders and plurals filled from `values`. */
export function t(id: MessageId, values?: MessageValues): string {
  return intl.value.formatMessage({ id }, values);
}

export const yuan = (cents: number): string => formatYuan(cents);
export const signedYuan = (cents: number): string => formatSignedYuan(cents);
export const points = (n: number): string => formatPoints(n);

/** Date and time in the store's zone: "12月1日 21:05" / "1 Dec, 21:05". */
export function dateTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return intl.value.formatDate(at, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** A day in the store's zone: "2026年12月1日" / "1 Dec 2026". */
export function day(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return intl.value.formatDate(at, { year: 'numeric', month: 'short', day: 'numeric' });
}

/** The time of day in the store's zone: "21:05". */
export function clock(at: Date): string {
  return intl.value.formatTime(at, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
}

/** The words a person reads for a refusal code, in the current language. */
export function wordsFor(code: string): ShopperWords {
  return shopperWords(code, locale.value);
}
