/**
 * The command-line grammar of one registry (card readers or printers), derived from its models:
 *
 * - the main flag (`--reader`, `--printer`) takes any model's forms (`serial:PATH`, `pcsc[:NAME]`, …);
 * - each model's options refine it: prefixed on the kiosk (`memberkiosk device --reader-framing stx-etx`),
 *   bare in the technician tools (`memberkiosk drivers watch --framing stx-etx`); an option of another model
 *   than the one chosen is refused, naming the models it applies to;
 * - the technician tools also take the models' shortcuts (`--port PATH`, `--pcsc`, `--tcp HOST[:PORT]`).
 *
 * Every refusal is a FlagError whose message is one line naming the flag and what it accepts.
 */
import { FlagValueError, type HardwareModel, type ModelConfig, type ModelConfigInput } from './hardware-model.ts';
import type { ModelRegistry } from './model-registry.ts';

/** `kiosk`: `memberkiosk device`. `technician`: `memberkiosk drivers watch / test-print`. */
export type FlagSurface = 'kiosk' | 'technician';

/** Flag values as node's parseArgs gives them, keyed by flag name without the dashes. */
export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

/** A flag a command cannot read: the message is one line naming the flag and what it accepts. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

/** One flag a registry adds to a command, with its help. */
export interface FlagSpec {
  name: string;
  type: 'string' | 'boolean';
  /** Placeholder in the synopsis; absent for a switch. */
  value?: string;
  help: string;
}

interface GivenOption {
  name: string;
  flag: string;
  text: string;
}

/** The flags this registry adds to a command on `surface`: the main flag, the options, and (technician) the shortcuts. */
export function registryFlagSpecs<D>(registry: ModelRegistry<D>, surface: FlagSurface): FlagSpec[] {
  const models = registry.list();
  const forms = models.flatMap((m) => m.flags.forms.map((f) => `${f.usage}${m.kind === registry.defaultKind && surface === 'kiosk' ? ' (default)' : ''}${f.note ? ` ${f.note}` : ''}`));
  const specs: FlagSpec[] = [{ name: registry.flag, type: 'string', value: 'FORM', help: forms.join(' | ') }];
  const seen = new Set<string>();
  for (const model of models) {
    for (const option of model.flags.options ?? []) {
      const name = optionFlagName(registry, option.name, surface);
      if (seen.has(name)) continue;
      seen.add(name);
      specs.push({ name, type: 'string', value: option.value, help: option.help });
    }
  }
  if (surface === 'technician') {
    for (const model of models) {
      for (const shortcut of model.flags.shortcuts ?? []) {
        specs.push({ name: shortcut.name, type: shortcut.value === undefined ? 'boolean' : 'string', ...(shortcut.value === undefined ? {} : { value: shortcut.value }), help: shortcut.help });
      }
    }
  }
  return specs;
}

/** node:util parseArgs options for these specs. */
export function parseArgsOptions(specs: readonly FlagSpec[]): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(specs.map((spec) => [spec.name, { type: spec.type }]));
}

/** `  --reader-framing F  serial readers: …`, the flag column `width` wide. */
export function flagHelpLines(specs: readonly FlagSpec[], width = 13): string[] {
  return specs.map((spec) => `  ${`--${spec.name}`.padEnd(width)} ${spec.help}`);
}

/** `[--reader FORM] [--reader-framing F] …`, wrapped before `width` columns; continued lines start with `indent`. */
export function flagSynopsis(specs: readonly FlagSpec[], indent = '', width = 110): string {
  const lines: string[] = [];
  let line = '';
  for (const item of specs.map((spec) => `[--${spec.name}${spec.value === undefined ? '' : ` ${spec.value}`}]`)) {
    if (line !== '' && indent.length + line.length + 1 + item.length > width) {
      lines.push(line);
      line = item;
    } else line = line === '' ? item : `${line} ${item}`;
  }
  if (line !== '') lines.push(line);
  return lines.join(`\n${indent}`);
}

/**
 * The config section the flags describe (not yet checked by the schema, which fills in the defaults), or
 * undefined when they name no model of this registry. Throws FlagError.
 */
export function readRegistryFlags<D>(registry: ModelRegistry<D>, values: FlagValues, surface: FlagSurface): ModelConfigInput | undefined {
  const models = registry.list();
  const main = text(values[registry.flag]);
  const given = givenOptions(registry, values, surface);
  const shortcuts =
    surface === 'technician'
      ? models.flatMap((model) => (model.flags.shortcuts ?? []).filter((s) => values[s.name] !== undefined && values[s.name] !== false).map((shortcut) => ({ model, shortcut })))
      : [];
  if (shortcuts.length > 1) throw new FlagError(`${shortcuts.map((s) => `--${s.shortcut.name}`).join(' and ')} each name a ${registry.noun}: give one`);

  let config: ModelConfigInput;
  const chosen = shortcuts[0];
  if (chosen) {
    const { shortcut } = chosen;
    const raw = text(values[shortcut.name]);
    config = readValue(`--${shortcut.name}`, raw ?? '', () => shortcut.parse(raw));
    if (main !== undefined) {
      if (!shortcut.main) throw new FlagError(`--${registry.flag} and --${shortcut.name} each name a ${registry.noun}: give one`);
      config = shortcut.main.apply(config, main);
    }
  } else if (main !== undefined) {
    config = readForm(registry, main);
  } else {
    if (given.length > 0) {
      const owners = ownersOf(models, given);
      const ways = owners.flatMap((m) => [
        ...m.flags.forms.map((f) => `--${registry.flag} ${f.usage}`),
        ...(surface === 'technician' ? (m.flags.shortcuts ?? []).map((s) => `--${s.name}${s.value ? ` ${s.value}` : ''}`) : []),
      ]);
      throw new FlagError(`${sayFlags(given)} (${owners.map((m) => m.noun).join(' and ')} only): need ${ways.join(' or ')}`);
    }
    return undefined;
  }

  const model = registry.get(config.kind);
  const own = model?.flags.options ?? [];
  const foreign = given.filter((g) => !own.some((o) => o.name === g.name));
  if (foreign.length > 0) {
    const owners = ownersOf(models, foreign).map((m) => m.noun);
    throw new FlagError(`${sayFlags(foreign)} ${foreign.length > 1 ? 'apply' : 'applies'} to ${owners.join(' and ')} only`);
  }
  for (const option of given) {
    const spec = own.find((o) => o.name === option.name);
    if (spec) config = { ...config, ...readValue(option.flag, option.text, () => spec.parse(option.text)) };
  }
  return config;
}

function optionFlagName<D>(registry: ModelRegistry<D>, name: string, surface: FlagSurface): string {
  return surface === 'kiosk' ? `${registry.flag}-${name}` : name;
}

function givenOptions<D>(registry: ModelRegistry<D>, values: FlagValues, surface: FlagSurface): GivenOption[] {
  const given: GivenOption[] = [];
  for (const model of registry.list()) {
    for (const option of model.flags.options ?? []) {
      const name = optionFlagName(registry, option.name, surface);
      const value = text(values[name]);
      if (value !== undefined && !given.some((g) => g.name === option.name)) given.push({ name: option.name, flag: `--${name}`, text: value });
    }
  }
  return given;
}

function readForm<D>(registry: ModelRegistry<D>, value: string): ModelConfigInput {
  const models = registry.list();
  for (const model of models) {
    for (const form of model.flags.forms) {
      const config = readValue(`--${registry.flag}`, value, () => form.parse(value));
      if (config !== undefined) return config;
    }
  }
  throw new FlagError(`--${registry.flag} '${value}' is not one of: ${models.flatMap((m) => m.flags.forms.map((f) => f.usage)).join(' | ')}`);
}

function readValue<T>(flag: string, value: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof FlagValueError) throw new FlagError(`${flag} is ${error.message}, not '${value}'`);
    throw error;
  }
}

function ownersOf<D>(models: readonly HardwareModel<ModelConfig, D>[], options: readonly GivenOption[]): HardwareModel<ModelConfig, D>[] {
  return models.filter((m) => (m.flags.options ?? []).some((o) => options.some((g) => g.name === o.name)));
}

function sayFlags(options: readonly GivenOption[]): string {
  const flags = options.map((o) => o.flag);
  return flags.length <= 1 ? flags.join('') : `${flags.slice(0, -1).join(', ')} and ${flags.at(-1)}`;
}

function text(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
