/**
 * Whether a kiosk screen speaks one language: no English on a zh-CN screen, no Chinese on an English one —
 * data excepted (a member's name, the store's name, a staff name, an item the configuration names in one
 * language only) and the refusal code shown small for staff. Two checks, so a failure says which string leaked:
 *
 * - the other language's own words: every fixed piece of the other locale's messages (device/screen/src/i18n,
 *   placeholders cut out) and of core's refusal words must not appear on the page;
 * - a word of the other script at all: English words of four letters or more ([A-Za-z]{4,}) on a zh-CN page, or a
 *   Chinese character on an English page, in the visible text and the labels a screen reader reads (aria-label,
 *   title, placeholder), once the data the test names is taken out.
 */
import type { Page } from 'playwright-core';
import { SHOPPER_WORDS, GENERAL_WORDS } from '../../../core/errors/shopper-words.ts';
import { EN } from '../../../device/screen/src/i18n/en.ts';
import { ZH_CN } from '../../../device/screen/src/i18n/zh-CN.ts';

export type ScreenLocale = 'zh-CN' | 'en';

/** Codes in SCREAMING_SNAKE_CASE (CARD_UNKNOWN): shown for staff in every language. */
const CODE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;
const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/;

/** The fixed pieces of an ICU message: what is left between placeholders and plural blocks. */
function literalPieces(message: string): string[] {
  let depth = 0;
  let piece = '';
  const pieces: string[] = [];
  for (const ch of message) {
    if (ch === '{') {
      if (depth === 0 && piece) pieces.push(piece);
      piece = '';
      depth += 1;
    } else if (ch === '}') {
      depth = Math.max(0, depth - 1);
    } else if (depth === 0) {
      piece += ch;
    }
  }
  if (piece) pieces.push(piece);
  return pieces.map((p) => p.trim()).filter(Boolean);
}

function shopperTexts(locale: ScreenLocale): string[] {
  return [GENERAL_WORDS, ...Object.values(SHOPPER_WORDS)].flatMap((both) => (both ? [both[locale].title, both[locale].advice] : []));
}

/** Fixed pieces of the other language that would give a leak away: English with a word of 4+ letters, or Chinese. */
function foreignPieces(screen: ScreenLocale): string[] {
  const other: ScreenLocale = screen === 'zh-CN' ? 'en' : 'zh-CN';
  const messages = [...Object.values(other === 'en' ? EN : ZH_CN), ...shopperTexts(other)];
  const telling = other === 'en' ? (p: string) => /[A-Za-z]{4,}/.test(p) : (p: string) => CJK.test(p);
  return [...new Set(messages.flatMap(literalPieces).filter(telling))];
}

/** What the page shows and labels: visible text nodes, and aria-label / title / placeholder of rendered elements. */
async function pageTexts(page: Page): Promise<string[]> {
  // A string, so this file needs no DOM types: it runs in the page.
  return page.evaluate<string[]>(`(() => {
    const out = [];
    const shown = (el) => el && el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = (node.textContent || '').trim();
      if (text && shown(node.parentElement) && !node.parentElement.closest('script, style')) out.push(text);
    }
    for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (!shown(el)) continue;
      for (const name of ['aria-label', 'title', 'placeholder']) {
        const value = (el.getAttribute(name) || '').trim();
        if (value) out.push(value);
      }
    }
    return out;
  })()`);
}

/**
 * The strings on the page that are in the other language: [] when the screen speaks only `locale`. `data`: strings
 * that are data, not the screen's words (member, store and staff names, single-language item names).
 */
export async function foreignText(page: Page, locale: ScreenLocale, data: readonly string[] = []): Promise<string[]> {
  const texts = await pageTexts(page);
  const pieces = foreignPieces(locale);
  const found = new Set<string>();
  // Longest data first, so "Demo store" is taken out before a shorter name inside it.
  const known = [...data].sort((a, b) => b.length - a.length);
  for (const raw of texts) {
    let text = raw.replace(CODE, ' ');
    for (const d of known) text = text.split(d).join(' ');
    for (const piece of pieces) if (text.includes(piece)) found.add(`${JSON.stringify(piece)} (the ${locale === 'zh-CN' ? 'English' : 'Chinese'} words) in ${JSON.stringify(raw)}`);
    if (locale === 'zh-CN') {
      for (const word of text.match(/[A-Za-z]{4,}/g) ?? []) found.add(`English word ${JSON.stringify(word)} in ${JSON.stringify(raw)}`);
    } else if (CJK.test(text)) {
      found.add(`Chinese in ${JSON.stringify(raw)}`);
    }
  }
  return [...found];
}

/** The language switch names each language in itself ("中文" on an English screen): not a leak. */
export const LANGUAGE_NAMES = ['中文', 'EN'] as const;
