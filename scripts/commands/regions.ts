/**
 * `memberkiosk regions add --id R --name N [--data DIR]` · `memberkiosk regions list [--data DIR]`
 * The regions of the fleet (HQ → region → store → kiosk), in the hub's fleet.sqlite; safe while the hub runs.
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { hubTarget, withFleet } from './with-fleet.ts';

const USAGE = `usage: memberkiosk regions add --id REGION_ID --name NAME [--data DIR]
       memberkiosk regions list [--data DIR]
  --data   the hub's data directory; default ./data/hub
  --db     the hub's PostgreSQL database (the URL given to memberkiosk hub --db), when its fleet is there
exit codes: 0 done, 1 refused (e.g. FLEET_REGION_EXISTS), 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('regions', USAGE, {
    args,
    allowPositionals: true,
    options: { data: { type: 'string', default: './data/hub' }, db: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' } },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const hub = await hubTarget(values.data, values.db);
  if (typeof hub === 'string') return usageError('regions', USAGE, hub);
  const [action, ...extra] = positionals;
  if (extra.length > 0) return usageError('regions', USAGE, `unexpected argument '${extra[0]}'`);
  if (action === 'add') {
    if (!values.id || !values.name) return usageError('regions', USAGE, 'regions add needs --id and --name');
    const region = { regionId: values.id, name: values.name };
    await withFleet(hub, (fleet) => fleet.addRegion(region));
    const { recordCliAction } = await import('./record-cli-action.ts');
    await recordCliAction(hub, { action: 'region.add', target: region.regionId, after: region });
    process.stdout.write(`region ${region.regionId} added\n`);
    return 0;
  }
  if (action === 'list') {
    const regions = await withFleet(hub, (fleet) => fleet.listRegions());
    for (const r of regions) process.stdout.write(`${r.regionId}\t${r.name}\n`);
    return 0;
  }
  return usageError('regions', USAGE, action ? `unknown action '${action}'` : 'say add or list');
}
