/** `--name value` / `--name=value` flags with defaults; unknown flags are an error, not silently ignored. */
export function parseFlags<T extends Record<string, string>>(args: string[], defaults: T): T & { _: string[] } {
  const values: Record<string, string> = { ...defaults };
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    if (!(name in defaults)) throw new Error(`unknown option --${name} (known: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')})`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    values[name] = value;
  }
  return { ...(values as T), _: positional };
}
