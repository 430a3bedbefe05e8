/** `memberkiosk hub`: the hub alone, with an embedded broker unless --broker names an external one. */
import { createHub } from '../../hub/main.ts';
import { parseFlags } from '../flags.ts';
import { waitForShutdown } from '../wait-for-shutdown.ts';

export async function run(args: string[]): Promise<number> {
  const flags = parseFlags(args, { data: './data/hub', broker: '', 'mqtt-host': '127.0.0.1', 'mqtt-port': '1883', 'http-host': '127.0.0.1', 'http-port': '8800', demo: 'true', 'log-level': 'info' });
  const hub = createHub({
    dataDir: flags.data,
    broker: flags.broker ? { mode: 'external', url: flags.broker } : { mode: 'embedded', host: flags['mqtt-host'], port: Number(flags['mqtt-port']) },
    http: { host: flags['http-host'], port: Number(flags['http-port']) },
    seedDemoData: flags.demo === 'true',
    logLevel: flags['log-level'] as 'info',
  });
  const { brokerUrl, consoleUrl } = await hub.start();
  process.stdout.write(`hub console: ${consoleUrl}\nMQTT broker: ${brokerUrl}\n`);
  await waitForShutdown(() => hub.stop());
  return 0;
}
