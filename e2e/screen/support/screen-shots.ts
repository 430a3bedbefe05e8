/**
 * The kiosk sizes the screen is built for, and where the screen tests save what they saw:
 * docs/screenshots/kiosk-<journey>-<size>-<locale>.png (the README shows a few). Saved after the screen was
 * measured, whether or not it passed: a failing layout is easiest to understand from its picture.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { ScreenLocale } from './screen-words.ts';

export const KIOSK_SHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

export interface KioskSize {
  name: '800x480' | '1024x600' | '1080x1920';
  width: number;
  height: number;
}

/** Compact and regular landscape kiosks, and the tall portrait one. */
export const KIOSK_SIZES: readonly KioskSize[] = [
  { name: '800x480', width: 800, height: 480 },
  { name: '1024x600', width: 1024, height: 600 },
  { name: '1080x1920', width: 1080, height: 1920 },
];

/** Every size in zh-CN (the default), and English at one size. */
export const SIZE_LOCALES: readonly { size: KioskSize; locale: ScreenLocale }[] = [
  ...KIOSK_SIZES.map((size) => ({ size, locale: 'zh-CN' as const })),
  { size: KIOSK_SIZES[1]!, locale: 'en' as const },
];

export function shotPath(journey: string, size: KioskSize, locale: ScreenLocale): string {
  return `${KIOSK_SHOTS}kiosk-${journey}-${size.name}-${locale}.png`;
}

export async function saveShot(page: Page, journey: string, size: KioskSize, locale: ScreenLocale): Promise<void> {
  mkdirSync(KIOSK_SHOTS, { recursive: true });
  // Animations (the reader's pulse, spinners) paused where they are: the picture shows what a person sees.
  await page.screenshot({ path: shotPath(journey, size, locale), animations: 'disabled' });
}
