/**
 * `memberkiosk device --hub mqtt://127.0.0.1:1883 --id kiosk-1 --store store-1 --data ./data/kiosk-1 --port 8080`
 * Runs one kiosk until SIGINT/SIGTERM, then stops it cleanly (the outbox is closed, the hub is told "offline").
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { waitForShutdown } from '../wait-for-shutdown.ts';

const USAGE = `usage: memberkiosk device --hub URL --id DEVICE_ID --store STORE_ID [--data DIR] [--port N] [--host H]
                          [--base-topic T] [--log-level L]
                          [--reader R] [--reader-framing F] [--reader-delimiter D] [--printer P] [--paper 58|80] [--language zh|en]
  --hub         MQTT broker of the hub, e.g. mqtt://127.0.0.1:1883
  --id          this kiosk's device id
  --store       the store it stands in
  --data        data directory (outbox, member cache, settings); default ./data/<id>
  --port        HTTP port of the screen and API; default 8080 (0: any free port)
  --host        HTTP address to listen on; default 127.0.0.1
  --reader      simulated (default) | pcsc[:NAME] | serial:/dev/serial/by-id/... | serial-usb:VID:PID[:SERIAL]
  --reader-framing   serial readers: lines (default, one UID per line) | stx-etx (RDM6300-style 125 kHz)
  --reader-delimiter serial readers with lines framing: crlf (default) | cr | lf
  --printer     simulated (default) | tcp:HOST[:PORT] (9100) | serial:PATH|usb:VID:PID | device:/dev/usb/lp0
  --paper       receipt paper width in mm: 58 (default) | 80
  --language    receipt language: en (default) | zh
exit codes: 0 stopped cleanly (SIGINT/SIGTERM), 2 bad or missing options
`;

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
      reader: { type: 'string' },
      'reader-framing': { type: 'string' },
      'reader-delimiter': { type: 'string' },
      printer: { type: 'string' },
      paper: { type: 'string' },
      language: { type: 'string' },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values } = flags.parsed;
  if (!values.hub || !values.id || !values.store) return usageError('device', USAGE, '--hub, --id and --store are required');
  // Loaded only now, so --help and bad flags are answered without loading the kiosk (SQLite, MQTT, drivers).
  const { HardwareFlagError, parseHardwareFlags } = await import('../../device/hardware/parse-hardware-flags.ts');
  const { createDevice } = await import('../../device/main.ts');
  const port = Number(values.port);
  let device;
  try {
    const hardware = parseHardwareFlags({
      reader: values.reader,
      readerFraming: values['reader-framing'],
      readerDelimiter: values['reader-delimiter'],
      printer: values.printer,
      paper: values.paper,
      language: values.language,
    });
    device = createDevice({
      deviceId: values.id,
      storeId: values.store,
      hubUrl: values.hub,
      dataDir: values.data ?? `./data/${values.id}`,
      httpHost: values.host,
      httpPort: port,
      ...(values['base-topic'] ? { baseTopic: values['base-topic'] } : {}),
      ...(values['log-level'] ? { logLevel: values['log-level'] as 'info' } : {}),
      hardware,
    });
  } catch (error) {
    const usage = error instanceof HardwareFlagError ? USAGE : '';
    process.stderr.write(`memberkiosk device: ${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { screenUrl } = await device.start();
  process.stdout.write(`kiosk ${values.id} screen: ${screenUrl}\n`);
  await waitForShutdown(() => device.stop());
  return 0;
}
