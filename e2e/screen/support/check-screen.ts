/**
 * One screen of a journey, checked as the issue asks and saved: the layout rules (screen-layout.ts), one language
 * (screen-words.ts), then the screenshot docs/screenshots/kiosk-<journey>-<size>-<locale>.png. Answers every fault
 * found, so a test can report all sizes and languages at once (expect.soft) instead of stopping at the first.
 */
import type { Page } from 'playwright-core';
import { layoutFaults, measureLayout } from './screen-layout.ts';
import { saveShot, SIZE_LOCALES, type KioskSize } from './screen-shots.ts';
import { useLocale } from './screen-steps.ts';
import { foreignText, LANGUAGE_NAMES, type ScreenLocale } from './screen-words.ts';

export interface ScreenCheck {
  journey: string;
  size: KioskSize;
  locale: ScreenLocale;
  /** CSS selectors: the primary action first, then the other things that must be on screen. */
  required: readonly string[];
  /** Strings that are data, not the screen's words (names). */
  data?: readonly string[];
}

export async function checkScreen(page: Page, check: ScreenCheck): Promise<string[]> {
  const what = `${check.journey} at ${check.size.name} in ${check.locale}`;
  // Fonts and the layout settle after a viewport or language change before anything is measured.
  await page.evaluate('document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))');
  const faults = layoutFaults(await measureLayout(page, check.required), what);
  const data = [...(check.data ?? []), ...LANGUAGE_NAMES];
  for (const leak of await foreignText(page, check.locale, data)) faults.push(`${what}: ${leak}`);
  await saveShot(page, check.journey, check.size, check.locale);
  return faults;
}

/**
 * The screen on show checked at every kiosk size in zh-CN and at one in English (switched with the screen's own
 * language buttons), then left at 1024×600 in zh-CN; faults go to expect.soft, so every size is reported.
 * `expectSoft`: vitest's expect.soft (passed in so this file stays free of the test runner). `only`: one language —
 * for a sheet, which covers the language buttons: the test checks it in each language opened anew.
 */
export async function checkEverySize(
  page: Page,
  journey: string,
  required: readonly string[],
  data: readonly string[],
  expectSoft: (faults: string[]) => void,
  only?: ScreenLocale,
): Promise<void> {
  for (const { size, locale } of SIZE_LOCALES.filter((s) => !only || s.locale === only)) {
    await page.setViewportSize(size);
    if (!only) await useLocale(page, locale);
    expectSoft(await checkScreen(page, { journey, size, locale, required, data }));
  }
  await page.setViewportSize(SIZE_LOCALES[1]!.size);
  if (!only) await useLocale(page, 'zh-CN');
}
