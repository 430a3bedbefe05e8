/**
 * Subcommand dispatcher for `memberkiosk`. Each subcommand lives in scripts/commands/<name>.ts and exports
 * `run(args): Promise<number>` (the exit code); it is imported only when named, so `memberkiosk rules`
 * does not load MQTT or SQLite.
 */
const SUBCOMMANDS: Record<string, { summary: string; load: () => Promise<{ run: (args: string[]) => Promise<number> }> }> = {
  demo: { summary: 'run the hub and one kiosk on embedded defaults (npm start)', load: () => import('./commands/demo.ts') },
  hub: { summary: 'run the hub (embedded broker unless --broker is given)', load: () => import('./commands/hub.ts') },
  device: { summary: 'run one kiosk: memberkiosk device --hub mqtt://host:1883', load: () => import('./commands/device.ts') },
  audit: { summary: 'check the journal against every stored balance', load: () => import('./commands/audit.ts') },
  rules: { summary: 'rules check BUNDLE.json | rules eval BUNDLE.json BASKET.json', load: () => import('./commands/rules.ts') },
  drivers: { summary: 'drivers list | test-print | watch', load: () => import('./commands/drivers.ts') },
  bench: { summary: 'run the benchmarks, print the table, write bench/results.json', load: () => import('./bench/run.ts') },
};

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: memberkiosk <command> [options]\n\ncommands:\n${lines.join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    process.stderr.write(`memberkiosk: unknown command '${name}'\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return module.run(rest);
}
