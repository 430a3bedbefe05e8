/**
 * `memberkiosk enrol create --store S [--mode attended|unattended] [--ttl 24h] [--device-id ID] [--data DIR]`
 * Makes a one-time enrolment code for a kiosk in store S and prints it (the only time it is shown: the hub keeps
 * its SHA-256). The code carries the SHA-256 of the hub's CA certificate, made now if the hub has none yet.
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { parseDuration } from './parse-duration.ts';
import { hubTarget, withFleet } from './with-fleet.ts';

const USAGE = `usage: memberkiosk enrol create --store STORE_ID [--mode attended|unattended] [--ttl 24h] [--device-id ID] [--data DIR]
  --store      the store the kiosk will stand in (memberkiosk stores list)
  --mode       unattended (default: no cash) or attended (a counter device that may take cash)
  --ttl        how long the code may be used: 90s, 30m, 24h (default), 7d; it works once
  --device-id  the kiosk's device id; default: the hub names it (kiosk-<random>)
  --data       the hub's data directory; default ./data/hub
  --db         the hub's PostgreSQL database (the URL given to memberkiosk hub --db), when its fleet is there
Prints the code on stdout. Give it to the technician: memberkiosk provision --hub https://HUB:8443 --code CODE
exit codes: 0 done, 1 refused (FLEET_UNKNOWN_STORE, DEVICE_ID_INVALID), 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('enrol', USAGE, {
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string', default: './data/hub' }, db: { type: 'string' },
      store: { type: 'string' },
      mode: { type: 'string', default: 'unattended' },
      ttl: { type: 'string', default: '24h' },
      'device-id': { type: 'string' },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const hub = await hubTarget(values.data, values.db);
  if (typeof hub === 'string') return usageError('enrol', USAGE, hub);
  if (positionals.length !== 1 || positionals[0] !== 'create') return usageError('enrol', USAGE, positionals[0] ? `unknown action '${positionals.join(' ')}'` : 'say create');
  if (!values.store) return usageError('enrol', USAGE, '--store is required');
  const mode = values.mode;
  if (mode !== 'attended' && mode !== 'unattended') return usageError('enrol', USAGE, `--mode is attended or unattended, not '${mode}'`);
  const ttlMs = parseDuration(values.ttl);
  if (ttlMs === null) return usageError('enrol', USAGE, `--ttl is a number and s, m, h or d (e.g. 24h), not '${values.ttl}'`);
  const { ensureHubCa } = await import('../../hub/pki/hub-tls.ts');
  const { createEnrolmentCode } = await import('../../hub/fleet/enrolment.ts');
  const { caSha256 } = await ensureHubCa(values.data);
  const storeId = values.store;
  const deviceId = values['device-id'];
  const created = await withFleet(hub, (fleet) => createEnrolmentCode(fleet, { storeId, mode, ttlMs, caSha256, ...(deviceId ? { deviceId } : {}) }));
  const { recordCliAction } = await import('./record-cli-action.ts');
  // The code is a credential: the log says a code was made, for which store and kiosk, never the code.
  await recordCliAction(hub, { action: 'enrol.create_code', target: deviceId ?? null, after: { storeId, mode, expiresAt: created.expiresAt } });
  process.stderr.write(`enrolment code for store ${storeId} (${mode}), valid once until ${created.expiresAt}:\n`);
  process.stdout.write(`${created.code}\n`);
  return 0;
}
