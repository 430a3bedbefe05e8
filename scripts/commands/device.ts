/**
 * `memberkiosk device --data ./data/kiosk` (after `memberkiosk provision`: identity, broker and credentials come
 * from the data directory), or `memberkiosk device --hub mqtt://127.0.0.1:1883 --id kiosk-1 --store store-1 …`;
 * flags given override what provisioning stored.
 * Runs one kiosk until SIGINT/SIGTERM, then stops it cleanly (the outbox is closed, the hub is told "offline").
 * The hardware flags (--reader, --printer and their options, --paper, --language) and their help come from
 * the driver registry (drivers/registry/), so a new reader or printer model needs no change here.
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { NODE_RED_FLAG_NAMES, NodeRedFlagError, nodeRedFlagOptions, nodeRedFlagUsage, parseNodeRedFlags } from './node-red-flags.ts';
import { HardwareFlagError, hardwareFlagOptions, hardwareFlagUsage, parseHardwareFlags } from '../../device/hardware/parse-hardware-flags.ts';
import { waitForShutdown } from '../wait-for-shutdown.ts';

const SYNOPSIS_INDENT = ' '.repeat('usage: memberkiosk device '.length);
const HARDWARE = hardwareFlagUsage(SYNOPSIS_INDENT);

const USAGE = `usage: memberkiosk device --data DIR [--port N] [--host H]                        (a provisioned kiosk)
       memberkiosk device --hub URL --id DEVICE_ID --store STORE_ID [--data DIR] [--port N] [--host H]
${SYNOPSIS_INDENT}[--base-topic T] [--log-level L]
${SYNOPSIS_INDENT}[--node-red [--node-red-port N] [--node-red-flows A,B]]
${SYNOPSIS_INDENT}${HARDWARE.synopsis}
  --data        data directory (outbox, member cache, settings, and what 'memberkiosk provision' stored:
                device id, store, broker, MQTT credentials, the hub's CA); default ./data/<id>, or ./data/kiosk
  --hub         MQTT broker of the hub, e.g. mqtts://hub:8883; default: the provisioned one
  --id          this kiosk's device id; default: the provisioned one
  --store       the store it stands in; default: the provisioned one
  --port        HTTP port of the screen and API; default 8080 (0: any free port)
  --host        HTTP address to listen on; default 127.0.0.1
  --demo        demo mode: POST /api/sim/tap taps the simulated reader (never on a kiosk in a store)
${HARDWARE.lines.join('\n')}
${nodeRedFlagUsage(1880).join('\n')}
exit codes: 0 stopped cleanly (SIGINT/SIGTERM), 2 bad or missing options
`;

const OWN_FLAGS = ['hub', 'id', 'store', 'data', 'port', 'host', 'base-topic', 'log-level', 'demo', ...NODE_RED_FLAG_NAMES];

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('device', USAGE, {
    args,
    options: {
      hub: { type: 'string' },
      id: { type: 'string' },
      store: { type: 'string' },
      data: { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'base-topic': { type: 'string' },
      'log-level': { type: 'string' },
      demo: { type: 'boolean', default: false },
      ...hardwareFlagOptions(),
      ...nodeRedFlagOptions(),
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values } = flags.parsed;
  // Loaded only now, so --help and bad flags are answered without loading the kiosk (SQLite, MQTT).
  const { isProvisioned, readProvisioning } = await import('../../device/provisioning/stored-provisioning.ts');
  const dataDir = values.data ?? (values.id ? `./data/${values.id}` : './data/kiosk');
  const provisioned = isProvisioned(dataDir) ? readProvisioning(dataDir) : null;
  const hubUrl = values.hub ?? provisioned?.brokerUrl;
  const deviceId = values.id ?? provisioned?.deviceId;
  const storeId = values.store ?? provisioned?.storeId;
  if (!hubUrl || !deviceId || !storeId) return usageError('device', USAGE, `${dataDir} holds no provisioned kiosk (memberkiosk provision): --hub, --id and --store are required`);
  // The touch screen web app, built on first start (and when its sources changed): scripts/screen/.
  await (await import('../screen/ensure-screen-built.ts')).prepareScreen();
  const { createDevice } = await import('../../device/main.ts');
  const port = Number(values.port);
  let device;
  try {
    const hardware = parseHardwareFlags(Object.fromEntries(Object.entries(values).filter(([name]) => !OWN_FLAGS.includes(name))));
    device = createDevice({
      deviceId,
      storeId,
      hubUrl,
      dataDir,
      ...(provisioned
        ? { mqtt: { username: provisioned.mqttUsername, password: provisioned.mqttPassword, caPem: provisioned.caPem, ...(provisioned.hqRootPublicKeyPem ? { hqRootPublicKeyPem: provisioned.hqRootPublicKeyPem } : {}) } }
        : {}),
      ...(provisioned && !values['base-topic'] ? { baseTopic: provisioned.baseTopic } : {}),
      httpHost: values.host,
      httpPort: port,
      demo: values.demo,
      ...(values['base-topic'] ? { baseTopic: values['base-topic'] } : {}),
      ...(values['log-level'] ? { logLevel: values['log-level'] as 'info' } : {}),
      hardware,
      nodeRed: parseNodeRedFlags(values),
    });
  } catch (error) {
    const usage = error instanceof HardwareFlagError || error instanceof NodeRedFlagError ? USAGE : '';
    process.stderr.write(`memberkiosk device: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { screenUrl } = await device.start();
  process.stdout.write(`kiosk ${deviceId} screen: ${screenUrl}\n`);
  const editor = await device.nodeRed()?.ready;
  if (editor) process.stdout.write(`kiosk ${deviceId} Node-RED editor: ${editor}\n`);
  await waitForShutdown(() => device.stop());
  return 0;
}
