/**
 * Screenshots for the docs: `node --import tsx scripts/screenshot.ts`. Starts a hub (embedded broker, demo
 * data, console on a free port) and one kiosk in this process, taps the gold demo card, and saves
 *   docs/images/kiosk-member.png  the kiosk screen with the member on it (1280×800)
 *   docs/images/hub-console.png   the hub console (1280 wide, full page)
 * Everything runs on loopback and free ports, with data in a temp folder that is removed afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDevice, type Device } from '../device/main.ts';
import { launchChromium, type LaunchedBrowser } from '../e2e/screen/support/chromium.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../hub/demo/seed-demo-data.ts';
import { createHub, type Hub } from '../hub/main.ts';
import { enrolForTest } from '../hub/testing/enrol-for-test.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'docs', 'images');

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mk-screenshot-'));
  let hub: Hub | null = null;
  let device: Device | null = null;
  let browser: LaunchedBrowser | null = null;
  try {
    hub = createHub({ dataDir: join(dataDir, 'hub'), broker: { mode: 'embedded', host: '127.0.0.1', port: 0 }, http: { host: '127.0.0.1', port: 0 }, seedDemoData: true, logLevel: 'silent' });
    const { brokerUrl, consoleUrl, caSha256 } = await hub.start();
    if (!consoleUrl) throw new Error('the hub did not start its console');
    const { username, password } = await enrolForTest({ hub, caSha256 }, 'kiosk-001');
    device = createDevice({ demo: true, deviceId: 'kiosk-001', storeId: DEMO_STORE_ID, hubUrl: brokerUrl, mqtt: { username, password }, dataDir: join(dataDir, 'kiosk-001'), httpPort: 0, logLevel: 'silent' });
    const { screenUrl, apiUrl } = await device.start();

    browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
    const page = await browser.browser.newPage();
    await page.goto(screenUrl);
    await page.getByText('Tap your card').waitFor({ timeout: 10_000 });

    const tap = await fetch(`${apiUrl}/sim/tap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: DEMO_CARDS.gold }) });
    if (!tap.ok) throw new Error(`tap failed: HTTP ${tap.status} ${await tap.text()}`);
    await page.getByRole('heading', { name: 'Zhang Min' }).waitFor({ timeout: 10_000 });
    // Settle the clock, fonts and the pulse animation before the picture.
    await page.evaluate('document.fonts.ready');
    mkdirSync(outDir, { recursive: true });
    const kioskPng = join(outDir, 'kiosk-member.png');
    await page.screenshot({ path: kioskPng, animations: 'disabled' });

    const consolePage = await browser.browser.newPage();
    await consolePage.setViewportSize({ width: 1280, height: 800 });
    await consolePage.goto(consoleUrl);
    await consolePage.getByText('Zhang Min').first().waitFor({ timeout: 10_000 });
    const consolePng = join(outDir, 'hub-console.png');
    await consolePage.screenshot({ path: consolePng, fullPage: true, animations: 'disabled' });

    process.stdout.write(`saved ${kioskPng}\nsaved ${consolePng}\n`);
  } finally {
    await browser?.close();
    // The kiosk first: the embedded broker waits for its connections to close before it stops.
    await device?.stop();
    await hub?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshot failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
