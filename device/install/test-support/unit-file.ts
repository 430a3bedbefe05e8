/**
 * A systemd unit file read as systemd reads it, as far as the kiosk's units need (systemd.syntax(7)): sections,
 * repeated keys in order, `#`/`;` comments, lines continued with a trailing backslash. And a command line built
 * as systemd builds argv from ExecStart= (systemd.service(5), "Command lines"): `%t` and other specifiers given,
 * `${VAR}` replaced inside a word, `$VAR` standing alone split at whitespace into zero or more words.
 * Quoting is not implemented: a quoted command line throws, so a unit edited to use quotes cannot be read wrong.
 */

export interface UnitFile {
  /** Each section's assignments in file order (a key may repeat, e.g. Environment=, After=). */
  sections: Map<string, [key: string, value: string][]>;
}

export function parseUnitFile(text: string): UnitFile {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    // A continued line: systemd replaces the backslash by a space and reads on.
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = sections.get(header[1]!) ?? [];
      sections.set(header[1]!, current);
      continue;
    }
    const equals = line.indexOf('=');
    if (current === null || equals < 1) throw new Error(`not a unit file line (${i + 1}): ${line}`);
    current.push([line.slice(0, equals).trim(), line.slice(equals + 1).trim()]);
  }
  return { sections };
}

/** Every value given to `key` in `section`, in order (list settings such as After= accumulate). */
export function valuesOf(unit: UnitFile, section: string, key: string): string[] {
  return (unit.sections.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

/** The value in force for a single-valued setting: the last assignment wins. */
export function valueOf(unit: UnitFile, section: string, key: string): string | undefined {
  return valuesOf(unit, section, key).at(-1);
}

/** The words of list settings (After=a b, After=c → [a, b, c]). */
export function wordsOf(unit: UnitFile, section: string, key: string): string[] {
  return valuesOf(unit, section, key).flatMap((v) => v.split(/\s+/).filter(Boolean));
}

/** `%t` and the like replaced by the values given (`%%` is a percent sign); an unknown specifier throws. */
export function expandSpecifiers(text: string, specifiers: Record<string, string>): string {
  return text.replace(/%(.)/g, (_, letter: string) => {
    if (letter === '%') return '%';
    const value = specifiers[letter];
    if (value === undefined) throw new Error(`no value given for the specifier %${letter}`);
    return value;
  });
}

/** Environment= assignments of the [Service] section (KEY=VALUE, unquoted), later ones overriding earlier. */
export function environmentOf(unit: UnitFile, specifiers: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const assignment of valuesOf(unit, 'Service', 'Environment')) {
    const equals = assignment.indexOf('=');
    if (equals < 1 || /["']/.test(assignment)) throw new Error(`Environment= not read by this parser: ${assignment}`);
    env[assignment.slice(0, equals)] = expandSpecifiers(assignment.slice(equals + 1), specifiers);
  }
  return env;
}

/** An EnvironmentFile= (KEY=VALUE lines, VALUE optionally in double quotes), as install-kiosk.sh ships it. */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|([^"'\s]*))$/.exec(line);
    if (!match) throw new Error(`not an environment file line: ${line}`);
    env[match[1]!] = match[2] ?? match[3] ?? '';
  }
  return env;
}

/** Every variable a command line reads ($VAR or ${VAR}). */
export function variablesIn(commandLine: string): string[] {
  return [...commandLine.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]!);
}

/** argv for a command line, with the unit's environment and the specifiers (e.g. { t: '/run' }) given. */
export function commandArgv(commandLine: string, env: Record<string, string>, specifiers: Record<string, string>): string[] {
  if (/["']/.test(commandLine)) throw new Error(`quoted command lines are not read by this parser: ${commandLine}`);
  const lookup = (name: string): string => {
    const value = env[name];
    if (value === undefined) throw new Error(`the command line reads $${name}, which the unit does not set`);
    return value;
  };
  const argv: string[] = [];
  for (const word of commandLine.split(/\s+/).filter(Boolean)) {
    const withSpecifiers = expandSpecifiers(word, specifiers);
    const alone = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(withSpecifiers);
    if (alone) {
      argv.push(...lookup(alone[1]!).split(/\s+/).filter(Boolean));
      continue;
    }
    argv.push(withSpecifiers.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => lookup(name)));
  }
  return argv;
}
