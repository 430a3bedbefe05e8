/**
 * Subcommand dispatcher for `memberkiosk`. Each subcommand lives in scripts/commands/<name>.ts and exports
 * `run(args): Promise<number>` (the exit code); it is imported only when named, so `memberkiosk rules`
 * does not load MQTT or SQLite. Every command answers `--help` on stdout with exit 0 and a bad flag with one
 * line and its usage on stderr with exit 2 (scripts/command-args.ts).
 */
import { isCodedError } from '../core/errors/coded-error.ts';

const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<{ run: (args: string[]) => Promise<number> }> }> = {
  demo: { summary: 'run the hub and one kiosk on embedded defaults (npm start)', load: () => import('./commands/demo.ts') },
  hub: { summary: 'run the hub (embedded broker unless --broker is given)', load: () => import('./commands/hub.ts') },
  device: { summary: 'run one kiosk: memberkiosk device --hub mqtt://host:1883', load: () => import('./commands/device.ts') },
  staff: { summary: 'staff accounts on a hub: add, list, pin, password, deactivate, token', load: () => import('./commands/staff.ts') },
  keys: { summary: "keys init --out DIR (HQ's offline root key) | keys install-public FILE | keys sign-key --root-key KEY", load: () => import('./commands/keys.ts') },
  regions: { summary: 'regions add --id R --name N | regions list', load: () => import('./commands/regions.ts') },
  stores: { summary: 'stores add --id S --name N --region R | stores list', load: () => import('./commands/stores.ts') },
  enrol: { summary: 'enrol create --store S: a one-time code for a new kiosk', load: () => import('./commands/enrol.ts') },
  provision: { summary: 'provision --hub https://HUB:8443 --code CODE: enrol this kiosk', load: () => import('./commands/provision.ts') },
  devices: { summary: 'devices [--scope S --version N]: what each kiosk reported | devices list | devices revoke ID', load: () => import('./commands/devices.ts') },
  config: { summary: 'config publish FILE --scope global|region:R|store:S|kiosk:K | config list', load: () => import('./commands/config.ts') },
  audit: { summary: 'check the journal against every stored balance', load: () => import('./commands/audit.ts') },
  backup: { summary: "backup --out PATH: copy the hub's data directory (SQLite online backup) while it runs", load: () => import('./commands/backup.ts') },
  restore: { summary: 'restore --from BACKUP --data DIR: put a backup back, then run the journal audit on it', load: () => import('./commands/restore.ts') },
  migrate: { summary: 'migrate --from sqlite:DATA/ledger.sqlite --to postgres://…: move the ledger to PostgreSQL, checked', load: () => import('./commands/migrate.ts') },
  codes: { summary: 'codes generate --batch N --sku S --points P --count K --expires DATE --out FILE.csv | codes list | codes verify CODE', load: () => import('./commands/codes.ts') },
  draws: { summary: 'draws create --file DRAW.json | open | close | list | entries | verify DRAW_ID', load: () => import('./commands/draws.ts') },
  cards: { summary: 'cards types | cards issue MEMBER_ID NEW_UID --type T --login L | cards service UID repair|extend --login L', load: () => import('./commands/cards.ts') },
  fees: { summary: 'fees report --from ISO --to ISO | fees sweep [--at ISO]: the fee schedule (收费设置), annual fees', load: () => import('./commands/fees.ts') },
  credit: { summary: 'credit show MEMBER_ID | credit limit MEMBER_ID CENTS | credit sweep [--at ISO]: credit (赊账)', load: () => import('./commands/credit.ts') },
  commission: { summary: 'commission report --from DAY --to DAY [--store S] [--csv]: staff commission (员工提成) per period', load: () => import('./commands/commission.ts') },
  rules: { summary: 'rules check BUNDLE.json | rules eval BUNDLE.json BASKET.json', load: () => import('./commands/rules.ts') },
  drivers: { summary: 'drivers list | test-print | watch', load: () => import('./commands/drivers.ts') },
  bench: { summary: 'run the benchmarks, print the table, write bench/results.json', load: () => import('./commands/bench.ts') },
  soak: { summary: 'crash-loop soak: SIGKILL hub and kiosk under load, check exactly-once from the files', load: () => import('./commands/soak.ts') },
};

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: memberkiosk <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n'memberkiosk <command> --help' describes one command.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === 'help') {
    // `memberkiosk help hub` is `memberkiosk hub --help`
    return main(rest[0] ? [rest[0], '--help'] : ['--help']);
  }
  if (!name) {
    process.stderr.write(`memberkiosk: no command given\n${usage()}`);
    return 2;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    process.stderr.write(`memberkiosk: ${name.startsWith('-') ? `unknown option '${name}'` : `unknown command '${name}'`}\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  try {
    return await module.run(rest);
  } catch (error) {
    // A coded error is a failure the code already explains (pcscd missing, a port taken): one line, no stack.
    // Anything else is a bug, and its stack is what whoever fixes it needs.
    if (!isCodedError(error)) throw error;
    process.stderr.write(`memberkiosk ${name}: ${error.message} (${error.code})\n`);
    return 1;
  }
}
