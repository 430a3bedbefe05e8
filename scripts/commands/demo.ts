/**
 * `npm start` / `memberkiosk demo`: the hub (embedded aedes, SQLite, demo members) and one kiosk (simulated
 * reader and printer) in one process, data under ./data, stopped cleanly with Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { createDevice } from '../../device/main.ts';
import { DEMO_CARDS, DEMO_STAFF_CARD, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { createHub } from '../../hub/main.ts';
import { waitForShutdown } from '../wait-for-shutdown.ts';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string', default: './data' },
      'mqtt-port': { type: 'string', default: '1883' },
      'hub-port': { type: 'string', default: '8800' },
      'kiosk-port': { type: 'string', default: '8080' },
      'log-level': { type: 'string', default: 'warn' },
    },
    strict: true,
  });
  const logLevel = values['log-level'] as 'warn';
  const hub = createHub({
    dataDir: `${values.data}/hub`,
    broker: { mode: 'embedded', host: '127.0.0.1', port: Number(values['mqtt-port']) },
    http: { host: '127.0.0.1', port: Number(values['hub-port']) },
    seedDemoData: true,
    logLevel,
  });
  let addresses;
  try {
    addresses = await hub.start();
  } catch (error) {
    return portInUse(error, `MQTT port ${values['mqtt-port']} or hub port ${values['hub-port']}`, hub.stop);
  }
  const { brokerUrl, consoleUrl } = addresses;
  const device = createDevice({
    deviceId: 'kiosk-001',
    storeId: DEMO_STORE_ID,
    hubUrl: brokerUrl,
    dataDir: `${values.data}/kiosk-001`,
    httpPort: Number(values['kiosk-port']),
    logLevel,
  });
  let urls;
  try {
    urls = await device.start();
  } catch (error) {
    return portInUse(error, `kiosk port ${values['kiosk-port']}`, async () => {
      await device.stop();
      await hub.stop();
    });
  }
  const { screenUrl, apiUrl } = urls;
  process.stdout.write(`
memberkiosk demo is running (Ctrl-C stops it)
  kiosk screen:  ${screenUrl}
  hub console:   ${consoleUrl}
  MQTT broker:   ${brokerUrl}

Simulate a tap of the gold member's card, then open the kiosk screen:
  curl -s -X POST ${apiUrl}/sim/tap -H 'content-type: application/json' -d '{"uid":"${DEMO_CARDS.gold}"}'
Demo cards: standard ${DEMO_CARDS.standard}, silver ${DEMO_CARDS.silver}, gold ${DEMO_CARDS.gold}, diamond ${DEMO_CARDS.diamond}; staff card ${DEMO_STAFF_CARD}
`);
  await waitForShutdown(async () => {
    await device.stop();
    await hub.stop();
  });
  return 0;
}

/** A port already taken is the common first-run problem: say which and how to choose another, not a stack trace. */
async function portInUse(error: unknown, which: string, cleanUp: () => Promise<void>): Promise<number> {
  await cleanUp().catch(() => undefined);
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
  process.stderr.write(`memberkiosk demo: ${which} is already in use (another demo still running?).\nChoose others: npm start -- --mqtt-port 1884 --hub-port 8801 --kiosk-port 8081\n`);
  return 1;
}
