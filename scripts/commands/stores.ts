/**
 * `memberkiosk stores add --id S --name N --region R [--address A] [--phone P] [--timezone Z] [--data DIR]` ·
 * `memberkiosk stores set --id S [--name N] [--address A] [--phone P] [--timezone Z]` · `memberkiosk stores list`
 * The stores of the fleet, each in one region (the hub knows every store's region), and their profiles (printed on
 * their receipts; their kiosks' time zone); safe while the hub runs.
 */
import { CodedError } from '../../core/errors/coded-error.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';
import { hubTarget, withFleet } from './with-fleet.ts';

const USAGE = `usage: memberkiosk stores add --id STORE_ID --name NAME --region REGION_ID [--address A] [--phone P] [--timezone ZONE] [--data DIR]
       memberkiosk stores set --id STORE_ID [--name NAME] [--address A] [--phone P] [--timezone ZONE] [--data DIR]
       memberkiosk stores list [--data DIR]
  --address, --phone  printed at the top of the store's receipts
  --timezone          IANA zone its kiosks print and show times in; default Asia/Shanghai
  --data              the hub's data directory; default ./data/hub
  --db                the hub's PostgreSQL database (the URL given to memberkiosk hub --db), when its fleet is there
exit codes: 0 done, 1 refused (FLEET_UNKNOWN_REGION, FLEET_STORE_EXISTS, FLEET_UNKNOWN_STORE), 2 bad options
`;

export async function run(args: string[]): Promise<number> {
  const flags = parseCommandArgs('stores', USAGE, {
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string', default: './data/hub' }, db: { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      region: { type: 'string' },
      address: { type: 'string' },
      phone: { type: 'string' },
      timezone: { type: 'string' },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values, positionals } = flags.parsed;
  const hub = await hubTarget(values.data, values.db);
  if (typeof hub === 'string') return usageError('stores', USAGE, hub);
  const [action, ...extra] = positionals;
  if (extra.length > 0) return usageError('stores', USAGE, `unexpected argument '${extra[0]}'`);
  const { isIanaTimeZone } = await import('../../core/fleet/store-profile.ts');
  if (values.timezone !== undefined && !isIanaTimeZone(values.timezone)) return usageError('stores', USAGE, `--timezone is an IANA zone such as Asia/Shanghai, not '${values.timezone}'`);
  const profile = {
    ...(values.address !== undefined ? { address: values.address } : {}),
    ...(values.phone !== undefined ? { phone: values.phone } : {}),
    ...(values.timezone !== undefined ? { timezone: values.timezone } : {}),
  };
  if (action === 'set') {
    if (!values.id) return usageError('stores', USAGE, 'stores set needs --id');
    const change = { ...(values.name !== undefined ? { name: values.name } : {}), ...profile };
    if (Object.keys(change).length === 0) return usageError('stores', USAGE, 'stores set needs --name, --address, --phone or --timezone');
    const storeId = values.id;
    const changed = await withFleet(hub, (fleet) => fleet.updateStore(storeId, change));
    if (!changed) throw new CodedError('FLEET_UNKNOWN_STORE', `no store ${storeId}`);
    const { recordCliAction } = await import('./record-cli-action.ts');
    await recordCliAction(hub, { action: 'fleet.change_store', target: storeId, after: { ...changed.after }, detail: { before: { ...changed.before } } });
    process.stdout.write(`store ${storeId}: ${changed.after.name} · ${changed.after.address || '-'} · ${changed.after.phone || '-'} · ${changed.after.timezone}\n`);
    return 0;
  }
  if (action === 'add') {
    if (!values.id || !values.name || !values.region) return usageError('stores', USAGE, 'stores add needs --id, --name and --region');
    const store = { storeId: values.id, name: values.name, regionId: values.region, ...profile };
    await withFleet(hub, (fleet) => fleet.addStore(store));
    const { recordCliAction } = await import('./record-cli-action.ts');
    await recordCliAction(hub, { action: 'store.add', target: store.storeId, after: store });
    process.stdout.write(`store ${store.storeId} added in region ${store.regionId}\n`);
    return 0;
  }
  if (action === 'list') {
    const stores = await withFleet(hub, (fleet) => fleet.listStores());
    for (const s of stores) process.stdout.write(`${s.storeId}\t${s.regionId}\t${s.name}\n`);
    return 0;
  }
  return usageError('stores', USAGE, action ? `unknown action '${action}'` : 'say add, set or list');
}
