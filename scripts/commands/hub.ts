/** `memberkiosk hub`: the hub alone, with an embedded broker unless --broker names an external one. */
import { parseArgs } from 'node:util';
import { createHub } from '../../hub/main.ts';
import { waitForShutdown } from '../wait-for-shutdown.ts';

const USAGE = `usage: memberkiosk hub [--data DIR] [--broker mqtt://user:pass@host:1883 | --mqtt-host H --mqtt-port N]
                       [--http-host H] [--http-port N] [--demo true|false] [--log-level L]
  --data        ledger directory; default ./data/hub
  --broker      an external MQTT broker; without it the hub embeds aedes on --mqtt-host:--mqtt-port (127.0.0.1:1883)
  --http-port   console and admin API; default 8800 (0: any free port)
  --demo        seed demo members, cards, staff and gifts into an empty ledger; default false
`;

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        data: { type: 'string', default: './data/hub' },
        broker: { type: 'string' },
        'mqtt-host': { type: 'string', default: '127.0.0.1' },
        'mqtt-port': { type: 'string', default: '1883' },
        'http-host': { type: 'string', default: '127.0.0.1' },
        'http-port': { type: 'string', default: '8800' },
        demo: { type: 'string', default: 'false' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    process.stderr.write(`memberkiosk hub: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const hub = createHub({
    dataDir: values.data,
    broker: values.broker ? { mode: 'external', url: values.broker } : { mode: 'embedded', host: values['mqtt-host'], port: Number(values['mqtt-port']) },
    http: { host: values['http-host'], port: Number(values['http-port']) },
    seedDemoData: values.demo === 'true',
    logLevel: values['log-level'] as 'info',
  });
  const { brokerUrl, consoleUrl } = await hub.start();
  process.stdout.write(`hub console: ${consoleUrl}\nMQTT broker: ${brokerUrl}\n`);
  await waitForShutdown(() => hub.stop());
  return 0;
}
