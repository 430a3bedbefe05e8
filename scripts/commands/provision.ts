/**
 * `memberkiosk provision --hub https://HUB:8443 --code CODE [--data DIR]`: a technician enrols this kiosk.
 * Afterwards `memberkiosk device --data DIR` starts it with no other flags.
 */
import { parseCommandArgs, usageError } from '../command-args.ts';

const USAGE = `usage: memberkiosk provision --hub https://HOST:PORT --code CODE [--data DIR]
  --hub    the hub's HTTPS address (its enrolment listener, default port 8443)
  --code   the one-time code from 'memberkiosk enrol create' (MK1-…); it names the hub's CA, and the kiosk
           refuses any hub that does not present it (ENROL_HUB_CA_MISMATCH)
  --data   the kiosk's data directory; default ./data/kiosk (must not hold a provisioned kiosk yet)
Then: memberkiosk device --data DIR
exit codes: 0 enrolled, 1 refused (wrong hub, used or expired code…), 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('provision', USAGE, { args, options: { hub: { type: 'string' }, code: { type: 'string' }, data: { type: 'string', default: './data/kiosk' } } });
  if (!flags.ok) return flags.exitCode;
  const { values } = flags.parsed;
  if (!values.hub || !values.code) return usageError('provision', USAGE, '--hub and --code are required');
  try {
    new URL(values.hub);
  } catch {
    return usageError('provision', USAGE, `--hub is a URL (https://HOST:PORT), not '${values.hub}'`);
  }
  const { provisionKiosk } = await import('../../device/provisioning/provision-kiosk.ts');
  const kiosk = await provisionKiosk({ hubUrl: values.hub, code: values.code, dataDir: values.data });
  process.stdout.write(`enrolled as ${kiosk.deviceId} in store ${kiosk.storeId} (region ${kiosk.regionId}, ${kiosk.mode}); broker ${kiosk.brokerUrl}\nstart it with: memberkiosk device --data ${values.data}\n`);
  return 0;
}
