/**
 * `memberkiosk devices [--scope S] [--version N] [--json] [--data DIR]` · `devices list` · `devices revoke ID`
 *
 * Without an action: the device registry — each kiosk with what it last reported to the hub on its retained state
 * and availability (hub/registry/), read from the hub's fleet.sqlite while the hub runs; with --scope and
 * --version, which kiosks of the scope applied that configuration version, which refused it and why, and which
 * have not reported either. GET /api/devices answers the same (hub/registry/read-devices-view.ts).
 *
 * Revoking writes revoked_at in the hub's fleet.sqlite; a running hub checks it on every MQTT login and looks for
 * new revocations every second, disconnecting the kiosk (hub/broker/device-authenticator.ts).
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { hubTarget, withFleet, withHubStores, type HubTarget } from './with-fleet.ts';
import type { DevicesView } from '../../hub/registry/devices-view.ts';
import { formatDevicesView } from './devices-table.ts';

const USAGE = `usage: memberkiosk devices [--scope SCOPE [--version N]] [--json] [--data DIR]
       memberkiosk devices list [--data DIR]
       memberkiosk devices revoke DEVICE_ID [--data DIR]
       memberkiosk devices broker-account DEVICE_ID --credentials FILE --dynsec-admin URL [--broker-ca FILE] [--data DIR]
  (no action)  every kiosk with what it last reported: online, last seen, software, snapshot, outbox depth,
               clock skew (hub − kiosk), last configuration refusal
  --scope      only the kiosks of global, region:R, store:S or kiosk:K
  --version    with --scope: which of them applied that version of the scope's configuration (or a newer one),
               which refused it and why, and which have not reported it
  --json       the same as GET /api/devices, as JSON
  --data       the hub's data directory; default ./data/hub
  --db         the hub's PostgreSQL database (the URL given to memberkiosk hub --db), when its fleet is there
  list         the enrolled kiosks: id, store, mode, enrolment, revocation
  revoke       a revoked kiosk is disconnected by the running hub within a second and refused from then on; its
               id is never given again. To bring the machine back, enrol it anew (memberkiosk enrol create).
  broker-account  a kiosk enrolled on the embedded broker gets its account on Mosquitto's dynamic security plugin
               (moving a chain to Mosquitto): --credentials is the kiosk's credentials.json, checked against the
               fleet's record first; --dynsec-admin mqtts://ADMIN:PASSWORD@broker:8883
exit codes: 0 done, 1 no such device or scope (FLEET_UNKNOWN_DEVICE, CONFIG_SCOPE_UNKNOWN/INVALID), a credentials file
            that is not the kiosk's (BROKER_ACCOUNT_SECRET_MISMATCH), Mosquitto refused (BROKER_ACCOUNT_FAILED); 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('devices', USAGE, {
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string', default: './data/hub' },
      db: { type: 'string' },
      scope: { type: 'string' },
      version: { type: 'string' },
      json: { type: 'boolean', default: false },
      credentials: { type: 'string' },
      'dynsec-admin': { type: 'string' },
      'broker-ca': { type: 'string' },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const hub = await hubTarget(values.data, values.db);
  if (typeof hub === 'string') return usageError('devices', USAGE, hub);
  const [action, id, ...extra] = positionals;
  if (extra.length > 0) return usageError('devices', USAGE, `unexpected argument '${extra[0]}'`);
  if (action !== undefined && (values.scope !== undefined || values.version !== undefined || values.json)) {
    return usageError('devices', USAGE, '--scope, --version and --json show the registry: give no action with them');
  }
  if (action === undefined) {
    let version: number | null = null;
    if (values.version !== undefined) {
      if (!/^[1-9]\d{0,15}$/.test(values.version)) return usageError('devices', USAGE, `--version must be a positive whole number, not '${values.version}'`);
      if (values.scope === undefined) return usageError('devices', USAGE, '--version needs --scope (global, region:R, store:S or kiosk:K)');
      version = Number(values.version);
    }
    const view = await readView(hub, values.scope ?? null, version);
    process.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : formatDevicesView(view, Date.now()));
    return 0;
  }
  if (action === 'list' && id === undefined) {
    const devices = await withFleet(hub, (fleet) => fleet.listDevices());
    for (const d of devices) process.stdout.write(`${d.deviceId}\t${d.storeId}\t${d.mode}\tenrolled ${d.enrolledAt}\t${d.revokedAt ? `revoked ${d.revokedAt}` : 'active'}\n`);
    return 0;
  }
  if (action === 'broker-account' && id) {
    const credentialsFile = values.credentials;
    const dynsecAdminUrl = values['dynsec-admin'];
    if (!credentialsFile || !dynsecAdminUrl) return usageError('devices', USAGE, 'devices broker-account needs --credentials FILE and --dynsec-admin URL');
    const { addKioskBrokerAccount } = await import('./device-broker-account.ts');
    const scope = await addKioskBrokerAccount(hub, { deviceId: id, credentialsFile, dynsecAdminUrl, ...(values['broker-ca'] ? { brokerCaFile: values['broker-ca'] } : {}) });
    const { recordCliAction } = await import('./record-cli-action.ts');
    await recordCliAction(hub, { action: 'device.broker-account', target: id, after: scope });
    process.stdout.write(`device ${id} has its account on Mosquitto (store ${scope.storeId}, region ${scope.regionId}); point the kiosk at the broker\n`);
    return 0;
  }
  if (action === 'revoke' && id) {
    const { CodedError } = await import('../../core/errors/coded-error.ts');
    const revoked = await withFleet(hub, (fleet) => fleet.revokeDevice(id, new Date().toISOString()));
    if (!revoked) throw new CodedError('FLEET_UNKNOWN_DEVICE', `no enrolled device ${id}`);
    const { recordCliAction } = await import('./record-cli-action.ts');
    await recordCliAction(hub, { action: 'device.revoke', target: id, after: { revokedAt: revoked.revokedAt } });
    process.stdout.write(`device ${id} revoked at ${revoked.revokedAt}\n`);
    return 0;
  }
  return usageError('devices', USAGE, action === 'revoke' || action === 'broker-account' ? `devices ${action} needs a DEVICE_ID` : `unknown action '${action}'`);
}

/** The fleet registry opens first (it brings fleet.sqlite to the current schema); the registry is then only read. */
async function readView(hub: HubTarget, scope: string | null, version: number | null): Promise<DevicesView> {
  const { readDevicesView } = await import('../../hub/registry/read-devices-view.ts');
  return withHubStores(hub, (stores) => readDevicesView(stores.fleet, stores.deviceStatus, { scope, version }));
}
