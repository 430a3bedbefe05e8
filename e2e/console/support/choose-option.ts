/**
 * Choosing an option of an Element Plus select (el-select) by clicking it, as a person does, and knowing it took.
 *
 * Why not just two clicks: the list is a popper placed against the select where the select is when it opens. In a
 * dialog that has just opened, the dialog is still sliding into place (el-dialog's enter animation, 20 px); under
 * load the select was clicked then, the list placed against the select's passing position, and placed again later —
 * recorded: the list at y=214 on the press on an option, at y=266 where it belongs 5 ms later on the release. Press
 * and release then land on different elements, no click reaches the option, nothing is chosen and the list stays
 * open — in a dialog, over the save button, whose click then waits 30 s for the list to go and fails (a loaded full
 * run: e2e/console/org-pages-screen.test.ts, "level-option-A … intercepts pointer events" on level-save). Playwright
 * reports such a click as done: the press did land on the option.
 *
 * So this opens the list only once nothing on the page is still appearing (no Vue enter transition running), clicks
 * the option once the list has appeared and stays put, and then waits for what a person checks: the select showing
 * the choice and its list closed. A click that did not take is made again (a person whose click missed clicks
 * again), within `timeoutMs`; a choice that never shows fails with what the select showed instead.
 */
import type { Locator, Page } from 'playwright-core';

/** The selected label an el-select shows when closed (its placeholder element, no longer faded). */
export function shownChoice(select: Locator): Locator {
  return select.locator('.el-select__placeholder:not(.is-transparent)');
}

async function shows(select: Locator, label: string): Promise<boolean> {
  const shown = shownChoice(select);
  return (await shown.count()) === 1 && (await shown.innerText()).trim() === label;
}

type Box = { x: number; y: number; width: number; height: number };
const same = (a: Box | null, b: Box | null) => a !== null && b !== null && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height;

/** Until no Vue transition is entering (a dialog sliding in, a list unfolding). */
async function nothingAppearing(page: Page, deadline: number): Promise<void> {
  const appearing = page.locator('[class*="-enter-active"]');
  while ((await appearing.count()) > 0 && Date.now() < deadline) await page.waitForTimeout(50);
}

/** Until the option has not moved for 100 ms. */
async function stillFor100ms(page: Page, option: Locator, deadline: number): Promise<void> {
  let before: Box | null = null;
  while (Date.now() < deadline) {
    const now = await option.boundingBox({ timeout: 1_000 }).catch(() => null);
    if (same(now, before)) return;
    before = now;
    await page.waitForTimeout(100);
  }
}

export async function chooseOption(page: Page, select: Locator, option: Locator, label: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  while (Date.now() < deadline) {
    attempts += 1;
    if (!(await option.isVisible())) {
      await nothingAppearing(page, deadline);
      await select.click({ timeout: Math.max(1, deadline - Date.now()) });
    }
    await option.waitFor({ state: 'visible', timeout: Math.max(1, deadline - Date.now()) });
    await nothingAppearing(page, deadline);
    await stillFor100ms(page, option, deadline);
    await option.click({ timeout: Math.max(1, deadline - Date.now()) });
    for (const settleBy = Math.min(deadline, Date.now() + 1_500); Date.now() < settleBy; await page.waitForTimeout(50)) {
      if (await shows(select, label)) {
        // Chosen: the list closes (it fades out first), and only then is what it covered free to click.
        await option.waitFor({ state: 'hidden', timeout: Math.max(1, deadline - Date.now()) });
        return;
      }
    }
  }
  const shown = (await select.innerText().catch(() => '(gone)')).trim();
  throw new Error(`chose "${label}" in ${attempts} clicks for ${timeoutMs} ms, but the select shows "${shown}" and its list is ${(await option.isVisible()) ? 'still open' : 'closed'}`);
}
