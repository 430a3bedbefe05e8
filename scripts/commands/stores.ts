/**
 * `memberkiosk stores add --id S --name N --region R [--data DIR]` · `memberkiosk stores list [--data DIR]`
 * The stores of the fleet, each in one region (the hub knows every store's region); safe while the hub runs.
 */
import { parseCommandArgs, usageError } from '../command-args.ts';
import { withFleet } from './with-fleet.ts';

const USAGE = `usage: memberkiosk stores add --id STORE_ID --name NAME --region REGION_ID [--data DIR]
       memberkiosk stores list [--data DIR]
  --data   the hub's data directory; default ./data/hub
exit codes: 0 done, 1 refused (FLEET_UNKNOWN_REGION, FLEET_STORE_EXISTS), 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('stores', USAGE, {
    args,
    allowPositionals: true,
    options: { data: { type: 'string', default: './data/hub' }, id: { type: 'string' }, name: { type: 'string' }, region: { type: 'string' } },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const [action, ...extra] = positionals;
  if (extra.length > 0) return usageError('stores', USAGE, `unexpected argument '${extra[0]}'`);
  if (action === 'add') {
    if (!values.id || !values.name || !values.region) return usageError('stores', USAGE, 'stores add needs --id, --name and --region');
    const store = { storeId: values.id, name: values.name, regionId: values.region };
    await withFleet(values.data, (fleet) => fleet.addStore(store));
    const { recordCliAction } = await import('./record-cli-action.ts');
    await recordCliAction(values.data, { action: 'store.add', target: store.storeId, after: store });
    process.stdout.write(`store ${store.storeId} added in region ${store.regionId}\n`);
    return 0;
  }
  if (action === 'list') {
    const stores = await withFleet(values.data, (fleet) => fleet.listStores());
    for (const s of stores) process.stdout.write(`${s.storeId}\t${s.regionId}\t${s.name}\n`);
    return 0;
  }
  return usageError('stores', USAGE, action ? `unknown action '${action}'` : 'say add or list');
}
