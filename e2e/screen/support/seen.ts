/** Waiting for what a shopper would see, with a failure message that says what the screen showed instead. */
import type { Locator, Page } from 'playwright-core';

export const VISIBLE_MS = 8_000;

/** Waits until the locator is visible; on timeout fails with what the screen did show. */
export async function seen(page: Page, locator: Locator, what: string): Promise<Locator> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: VISIBLE_MS });
  } catch {
    const shown = (await page.locator('body').innerText().catch(() => '(page gone)')).replace(/\s+/g, ' ').slice(0, 600);
    throw new Error(`expected the screen to show ${what} within ${VISIBLE_MS} ms; it shows: ${shown}`);
  }
  return locator.first();
}
