/**
 * `memberkiosk device --hub mqtt://127.0.0.1:1883 --id kiosk-1 --store store-1 --data ./data/kiosk-1 --port 8080`
 * Runs one kiosk until SIGINT/SIGTERM, then stops it cleanly (the outbox is closed, the hub is told "offline").
 */
import { parseArgs } from 'node:util';
import { createDevice } from '../../device/main.ts';

const USAGE = `usage: memberkiosk device --hub URL --id DEVICE_ID --store STORE_ID [--data DIR] [--port N] [--host H]
                          [--base-topic T] [--log-level L]
  --hub         MQTT broker of the hub, e.g. mqtt://127.0.0.1:1883
  --id          this kiosk's device id
  --store       the store it stands in
  --data        data directory (outbox, member cache, settings); default ./data/<id>
  --port        HTTP port of the screen and API; default 8080 (0: any free port)
  --host        HTTP address to listen on; default 127.0.0.1
`;

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
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
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`memberkiosk device: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.hub || !values.id || !values.store) {
    process.stderr.write(`memberkiosk device: --hub, --id and --store are required\n${USAGE}`);
    return 2;
  }
  const port = Number(values.port);
  let device;
  try {
    device = createDevice({
      deviceId: values.id,
      storeId: values.store,
      hubUrl: values.hub,
      dataDir: values.data ?? `./data/${values.id}`,
      httpHost: values.host,
      httpPort: port,
      ...(values['base-topic'] ? { baseTopic: values['base-topic'] } : {}),
      ...(values['log-level'] ? { logLevel: values['log-level'] as 'info' } : {}),
    });
  } catch (error) {
    process.stderr.write(`memberkiosk device: ${(error as Error).message}\n`);
    return 2;
  }
  const { screenUrl } = await device.start();
  process.stdout.write(`kiosk ${values.id} screen: ${screenUrl}\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stderr.write(`memberkiosk device: ${signal}, stopping\n`);
  await device.stop();
  return 0;
}
