/**
 * vitest globalSetup: builds the HQ console and the kiosk screen once, before any test file runs, when it is missing or stale. The
 * tests that spawn `memberkiosk hub` or `memberkiosk demo` (which build it on start) then find it current,
 * instead of each building it at once on a fresh clone and racing their start-up timeouts. And the compiled
 * `memberkiosk` those tests start (scripts/build/memberkiosk-under-test.ts).
 */
import { prepareTestBuild } from '../build/memberkiosk-under-test.ts';
import { ensureScreenBuilt } from '../screen/ensure-screen-built.ts';
import { ensureConsoleBuilt } from './ensure-console-built.ts';

export default async function setup(): Promise<void> {
  // The kiosk screen too: kiosks started by tests (and `memberkiosk device`) serve it.
  await Promise.all([ensureConsoleBuilt(), ensureScreenBuilt(), prepareTestBuild()]);
}
