/**
 * Why the console tests choose a select's option with chooseOption (support/choose-option.ts), shown on the
 * Commission page's level dialog in real Chromium against a real hub, with the late move of the option list that
 * load causes made to happen on purpose: the list is shifted between the press on an option and its release (a
 * listener in the page, once), as the popper's late placement did in a loaded full run.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWithCardTypes } from '../../core/ledger/test-support/card-types-bundle.ts';
import { DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { seen } from '../screen/support/seen.ts';
import { chooseOption, shownChoice } from './support/choose-option.ts';
import { signInUnlessSignedIn, startConsoleHarness, type ConsoleHarness } from './support/console-harness.ts';

/** The next press on a select's option list moves the list 120 px down until just after the release. */
async function moveListUnderNextPress(page: Page): Promise<void> {
  // A string: the page's code is checked by the browser, not against this file's (DOM-less) types.
  await page.evaluate(`window.addEventListener('mousedown', (event) => {
    const list = event.target.closest('.el-select__popper');
    if (!list) return;
    list.style.marginTop = '120px';
    window.addEventListener('mouseup', () => setTimeout(() => (list.style.marginTop = ''), 0), { capture: true, once: true });
  }, { capture: true, once: true })`);
}

describe('choosing a select option whose list moves under the pointer (injected), in Chromium', () => {
  let harness: ConsoleHarness;
  let page: Page;
  let cashierId: string;

  beforeAll(async () => {
    harness = await startConsoleHarness({ tempPrefix: 'mk-console-choose-e2e-', expectedConsoleErrors: /status of 40[0134]/ });
    const latest = await harness.hub.store.latestRulesBundle();
    await harness.hub.store.saveRulesBundle(bundleWithCardTypes({ version: (latest?.version ?? 1) + 1, gifts: [], commission: { levels: { A: { '*': { rate: '0.02' } }, B: { '*': { rate: '0.01' } } } } }));
    cashierId = (await harness.hub.store.identity.listStaff()).find((s) => s.role === 'cashier' && s.storeIds.includes(DEMO_STORE_ID))!.staffId;
    page = await harness.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${harness.base}/console/login`);
    await signInUnlessSignedIn(page, DEMO_ADMIN_LOGIN, DEMO_ADMIN_PASSWORD);
    await seen(page, page.locator('[data-test=user-menu]'), 'a signed-in page');
    await page.goto(`${harness.base}/console/commission`);
    await seen(page, page.locator('[data-test=commission-schedule]'), 'the schedule');
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('a plain click on the moving option chooses nothing and leaves the list over the save button (the old steps)', async () => {
    await page.locator(`[data-test=set-level-${cashierId}]`).click();
    await page.locator('[data-test=level-select]').click();
    await moveListUnderNextPress(page);
    await page.locator('[data-test=level-option-A]:visible').click();
    await page.waitForTimeout(500);
    expect(await shownChoice(page.locator('[data-test=level-select]')).count()).toBe(0);
    expect(await page.locator('[data-test=level-option-A]').isVisible()).toBe(true);
    // What the org pages test then did: click save, which the open list covers (it waited 30 s and failed).
    await expect(page.locator('[data-test=level-save]').click({ trial: true, timeout: 2_000 })).rejects.toThrow(/level-option-A[\s\S]*intercepts pointer events/);
    // Escape closes the list; cancel closes the dialog.
    await page.keyboard.press('Escape');
    await page.locator('[data-test=level-option-A]').waitFor({ state: 'hidden' });
    await page.locator('[data-test=level-dialog] .el-dialog__footer button').first().click();
    await page.locator('[data-test=level-dialog]').waitFor({ state: 'hidden' });
    expect((await harness.hub.store.identity.listStaff()).find((s) => s.staffId === cashierId)?.level ?? null).toBeNull();
  });

  it('chooseOption clicks again until the choice shows, and the level saves', async () => {
    await page.locator(`[data-test=set-level-${cashierId}]`).click();
    const select = page.locator('[data-test=level-select]');
    await select.click();
    await page.locator('[data-test=level-option-B]:visible').waitFor();
    await moveListUnderNextPress(page);
    await chooseOption(page, select, page.locator('[data-test=level-option-B]:visible'), 'B');
    await page.locator('[data-test=level-save]').click();
    await expect.poll(() => page.locator(`[data-test=level-${cashierId}]`).innerText()).toBe('B');
    expect((await harness.hub.store.identity.listStaff()).find((s) => s.staffId === cashierId)?.level).toBe('B');
    expect(harness.problems).toEqual([]);
  });
});
