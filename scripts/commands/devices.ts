/**
 * `memberkiosk devices list [--data DIR]` · `memberkiosk devices revoke ID [--data DIR]`
 * Revoking writes revoked_at in the hub's fleet.sqlite; a running hub checks it on every MQTT login and looks for
 * new revocations every second, disconnecting the kiosk (hub/broker/device-authenticator.ts).
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { withFleet } from './with-fleet.ts';

const USAGE = `usage: memberkiosk devices list [--data DIR]
       memberkiosk devices revoke DEVICE_ID [--data DIR]
  --data   the hub's data directory; default ./data/hub
A revoked kiosk is disconnected by the running hub within a second and refused from then on; its id is never
given again. To bring the machine back, enrol it anew (memberkiosk enrol create) under another id.
exit codes: 0 done, 1 no such device (FLEET_UNKNOWN_DEVICE), 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('devices', USAGE, { args, allowPositionals: true, options: { data: { type: 'string', default: './data/hub' } } });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const [action, id, ...extra] = positionals;
  if (extra.length > 0) return usageError('devices', USAGE, `unexpected argument '${extra[0]}'`);
  if (action === 'list' && id === undefined) {
    const devices = await withFleet(values.data, (fleet) => fleet.listDevices());
    for (const d of devices) process.stdout.write(`${d.deviceId}\t${d.storeId}\t${d.mode}\tenrolled ${d.enrolledAt}\t${d.revokedAt ? `revoked ${d.revokedAt}` : 'active'}\n`);
    return 0;
  }
  if (action === 'revoke' && id) {
    const { CodedError } = await import('../../core/errors/coded-error.ts');
    const revoked = await withFleet(values.data, (fleet) => fleet.revokeDevice(id, new Date().toISOString()));
    if (!revoked) throw new CodedError('FLEET_UNKNOWN_DEVICE', `no enrolled device ${id}`);
    process.stdout.write(`device ${id} revoked at ${revoked.revokedAt}\n`);
    return 0;
  }
  return usageError('devices', USAGE, action === 'revoke' ? 'devices revoke needs a DEVICE_ID' : action ? `unknown action '${action}'` : 'say list or revoke');
}
