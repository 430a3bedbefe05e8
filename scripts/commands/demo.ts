/**
 * `npm start` / `memberkiosk demo`: the hub (embedded aedes, SQLite, demo members) and one kiosk in one process,
 * data under ./data, stopped cleanly with Ctrl-C. The kiosk is enrolled through the real path on first run (a
 * one-time code, provisioning over the hub's HTTPS listener on loopback: demo-kiosk-login.ts) and logs in to
 * the broker's loopback listener with the credentials it got. The kiosk's hardware is the default section, the
 * drivers' own simulated reader and printer built through the driver registry (kind 'simulated'), which POST /api/sim/tap
 * and the screen's "simulate tap" drive.
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { waitForShutdown } from '../wait-for-shutdown.ts';

const USAGE = `usage: memberkiosk demo [--data DIR] [--mqtt-port N] [--hub-port N] [--kiosk-port N] [--https-port N] [--mqtts-port N]
                        [--log-level L] [--node-red]
  the hub (embedded MQTT broker, demo members) and one kiosk (simulated card reader and printer) in one
  process, as npm start runs it; Ctrl-C stops both
  --data        data directory (hub/ and kiosk-001/ under it); default ./data
  --mqtt-port   embedded MQTT broker port; default 1883
  --hub-port    hub console port; default 8800
  --kiosk-port  kiosk screen and API port; default 8080
  --https-port  hub console, API and kiosk enrolment over TLS (loopback); default 8443
  --mqtts-port  embedded MQTT broker over TLS (loopback); default 8883
  --log-level   fatal | error | warn (default) | info | debug | trace | silent
  --node-red    Node-RED beside the hub (every shipped hub flow; messages to members go to a recording fake
                SMS gateway) and the kiosk (the tenth-visit coupon flow); log in as tech / demo-tech-password
exit codes: 0 stopped cleanly (SIGINT/SIGTERM), 1 a port is already in use, 2 bad options
`;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('demo', USAGE, {
    args,
    options: {
      data: { type: 'string', default: './data' },
      'mqtt-port': { type: 'string', default: '1883' },
      'hub-port': { type: 'string', default: '8800' },
      'kiosk-port': { type: 'string', default: '8080' },
      'https-port': { type: 'string', default: '8443' },
      'mqtts-port': { type: 'string', default: '8883' },
      'log-level': { type: 'string', default: 'warn' },
      'node-red': { type: 'boolean', default: false },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values } = flags.parsed;
  for (const flag of ['mqtt-port', 'hub-port', 'kiosk-port', 'https-port', 'mqtts-port'] as const) {
    if (!/^\d{1,5}$/.test(values[flag]) || Number(values[flag]) > 65_535) return usageError('demo', USAGE, `--${flag} must be a port number (0-65535), not '${values[flag]}'`);
  }
  if (!LOG_LEVELS.includes(values['log-level'])) return usageError('demo', USAGE, `--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  // The HQ console web app, built on first start (and when its sources changed): scripts/console/.
  await (await import('../console/ensure-console-built.ts')).prepareConsole();
  // The kiosk's touch screen web app, likewise: scripts/screen/.
  await (await import('../screen/ensure-screen-built.ts')).prepareScreen();
  // Loaded only now, so --help and bad flags are answered without loading the hub and the kiosk.
  const { createDevice } = await import('../../device/main.ts');
  const { DEMO_CARDS, DEMO_STAFF_CARD, DEMO_STORE_ID } = await import('../../hub/demo/seed-demo-data.ts');
  const { createHub } = await import('../../hub/main.ts');
  const logLevel = values['log-level'] as 'warn'; // checked against LOG_LEVELS above
  const withNodeRed = values['node-red'];
  const nodeRedSecret = withNodeRed ? (await import('./demo-node-red-secret.ts')).demoNodeRedSecret(values.data) : undefined;
  const { shippedFlowNames } = await import('../../flows/runtime/install-shipped-flows.ts');
  const hub = createHub({
    dataDir: `${values.data}/hub`,
    // MQTT over TLS on loopback: what kiosks are told at enrolment (the demo's own kiosk uses the plain port).
    broker: { mode: 'embedded', host: '127.0.0.1', port: Number(values['mqtt-port']), tlsPort: Number(values['mqtts-port']) },
    http: { host: '127.0.0.1', port: Number(values['hub-port']) },
    https: { host: '127.0.0.1', port: Number(values['https-port']) },
    seedDemoData: true,
    // The demo store's shop and receipt texts, so the kiosk screen sells something on a fresh start.
    seedDemoConfig: true,
    // A birthday member, the flows' account and a technician login, so the shipped flows have work on day one.
    seedDemoAutomation: true,
    ...(withNodeRed
      ? { nodeRed: { enabled: true, credentialSecret: nodeRedSecret, flows: shippedFlowNames('hub') }, messaging: { sms: { kind: 'recording' as const }, staffWebhook: null, inboundToken: null } }
      : {}),
    logLevel,
  });
  let addresses;
  try {
    addresses = await hub.start();
  } catch (error) {
    return portInUse(error, `MQTT port ${values['mqtt-port']}, hub port ${values['hub-port']}, HTTPS port ${values['https-port']} or MQTT/TLS port ${values['mqtts-port']}`, () => hub.stop());
  }
  const { brokerUrl, consoleUrl } = addresses;
  const { demoKioskLogin } = await import('./demo-kiosk-login.ts');
  let login;
  try {
    login = await demoKioskLogin({ fleet: hub.fleet, httpsUrl: addresses.httpsUrl!, caSha256: addresses.caSha256, deviceId: 'kiosk-001', storeId: DEMO_STORE_ID, kioskDir: `${values.data}/kiosk-001` });
  } catch (error) {
    await hub.stop();
    throw error;
  }
  const device = createDevice({
    // The demo's simulated reader takes taps from POST /api/sim/tap (and the screen's demo form).
    demo: true,
    deviceId: 'kiosk-001',
    storeId: DEMO_STORE_ID,
    hubUrl: brokerUrl,
    // With the HQ root it pinned at enrolment (the demo root): its signed configuration is checked against it.
    mqtt: { username: login.mqttUsername, password: login.mqttPassword, ...(login.hqRootPublicKeyPem ? { hqRootPublicKeyPem: login.hqRootPublicKeyPem } : {}) },
    dataDir: `${values.data}/kiosk-001`,
    httpPort: Number(values['kiosk-port']),
    ...(withNodeRed ? { nodeRed: { enabled: true, credentialSecret: nodeRedSecret, flows: ['tenth-visit-coupon'] } } : {}),
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
  const [kioskEditor, hubEditor] = withNodeRed ? await Promise.all([device.nodeRed()?.ready, hub.nodeRed()?.ready]) : [null, null];
  const nodeRedLines = withNodeRed
    ? `  kiosk Node-RED: ${kioskEditor ?? 'did not start (see the log)'}\n  hub Node-RED:   ${consoleUrl}/node-red/  (log in as tech / demo-tech-password, or the HQ login)${hubEditor ? '' : ' — did not start (see the log)'}\n`
    : '';
  process.stdout.write(`
memberkiosk demo is running (Ctrl-C stops it)
  kiosk screen:  ${screenUrl}
  hub console:   ${consoleUrl}
  HQ console:    ${consoleUrl}/console/  (web app; demo login admin / demo-admin-password)
  MQTT broker:   ${brokerUrl}
  hub HTTPS:     ${addresses.httpsUrl}  (console, API, kiosk enrolment: docs/OPERATIONS.md)
  MQTT over TLS: ${addresses.brokerTlsUrl}
${nodeRedLines}
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
  process.stderr.write(`memberkiosk demo: ${which} is already in use (another demo still running?).\nChoose others: npm start -- --mqtt-port 1884 --hub-port 8801 --kiosk-port 8081 --https-port 8444 --mqtts-port 8884\n`);
  return 1;
}
