/**
 * vitest globalSetup: builds the HQ console once, before any test file runs, when it is missing or stale. The
 * tests that spawn `memberkiosk hub` or `memberkiosk demo` (which build it on start) then find it current,
 * instead of each building it at once on a fresh clone and racing their start-up timeouts.
 */
import { ensureConsoleBuilt } from './ensure-console-built.ts';

export default async function setup(): Promise<void> {
  await ensureConsoleBuilt();
}
