/**
 * What a hardware model (a kind of card reader or receipt printer) tells the rest of the system about itself,
 * in one place: its kind name, the zod schema of its config section, the command-line forms that choose and
 * refine it, and how to build its driver from that config. The kiosk's config schema, the flags of
 * `memberkiosk device` and `memberkiosk drivers`, their help and the building of drivers are all derived from
 * the registered models (model-registry.ts, hardware-section.ts), so a new model touches drivers/ only.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { NfcFactory } from '../card-reader/nfc-pcsc-types.ts';
import type { SerialPortFactory } from '../card-reader/serial-port-factory.ts';
import type { PortLister } from '../card-reader/serial-port-locator.ts';

/**
 * What a model's constructor is handed besides its config: the logger, and the transports tests and tools
 * inject (real ones when absent). A model that needs another injectable adds it here.
 */
export interface DriverDeps {
  logger: Logger;
  /** Serial readers and printers open their port through this. */
  serialPortFactory?: SerialPortFactory;
  /** Serial readers and printers found by USB ids list ports through this. */
  listSerialPorts?: PortLister;
  /** PC/SC readers reach nfc-pcsc through this. */
  nfcFactory?: NfcFactory;
  /** ESC/POS printers: how long to wait for a status answer (`drivers test-print` waits less than a kiosk). */
  statusTimeoutMs?: number;
}

/** A config section of any model, checked: its kind, then its own fields. */
export interface ModelConfig {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** A config section as a flag makes it, before the model's schema fills in the defaults and checks it. */
export type ModelConfigInput = { kind: string } & Record<string, unknown>;

/**
 * A value of the main flag (`--reader`, `--printer`) that chooses this model: `serial:PATH`, `pcsc[:NAME]`.
 * parse returns the config the text makes, or undefined when the text is not this form (the next form is
 * tried); the schema checks the result, so parse only has to split the text.
 */
export interface FlagForm {
  /** As help and errors show it: 'serial:/dev/serial/by-id/...'. */
  usage: string;
  /** Said after it in the help only: '(9100)'. */
  note?: string;
  parse(text: string): ModelConfigInput | undefined;
}

/** Thrown by an option's or shortcut's parse: the message says what the value must be ("lines or stx-etx"). */
export class FlagValueError extends Error {}

/**
 * A flag that refines the model chosen (`--reader-framing stx-etx`). Declared by its bare name: the kiosk
 * (`memberkiosk device`) prefixes it with the main flag (`--reader-framing`), the technician tools
 * (`memberkiosk drivers watch`) take it bare (`--framing`).
 */
export interface FlagOption {
  name: string;
  /** Placeholder in the synopsis: 'F', 'N'. */
  value: string;
  /** One help line, e.g. 'serial readers: lines (default, one UID per line) | stx-etx (RDM6300-style 125 kHz)'. */
  help: string;
  /** The config fields the text sets; throws FlagValueError when the text cannot be one. */
  parse(text: string): Record<string, unknown>;
}

/**
 * A flag of the technician tools (`memberkiosk drivers`) that chooses this model on its own, as they took it
 * before there was a registry: `--port PATH`, `--pcsc`, `--tcp HOST[:PORT]`.
 */
export interface FlagShortcut {
  name: string;
  /** Placeholder of its value; absent for a switch (`--pcsc`). */
  value?: string;
  help: string;
  /** `text` is undefined for a switch. Throws FlagValueError when the text cannot be read. */
  parse(text: string | undefined): ModelConfigInput;
  /** What the main flag means beside this shortcut (`--pcsc --reader NAME`); without it the two are refused together. */
  main?: { value: string; apply(config: ModelConfigInput, text: string): ModelConfigInput };
}

export interface ModelFlags {
  forms: readonly FlagForm[];
  options?: readonly FlagOption[];
  shortcuts?: readonly FlagShortcut[];
}

export interface HardwareModel<Config extends ModelConfig = ModelConfig, Driver = unknown> {
  readonly kind: string;
  /** What it drives, plural, for help and errors: 'serial readers'. */
  readonly noun: string;
  /** Checks a config section of this kind and fills in its defaults; `kind` is a literal. */
  readonly schema: z.ZodType<Config>;
  readonly flags: ModelFlags;
  /** Where it is, for a technician: 'tcp://192.168.1.50:9100'. */
  describe(config: Config): string;
  /** Constructs the driver; no I/O until the driver is started. */
  create(config: Config, deps: DriverDeps): Driver;
}

/** Declares a model; `Config` is inferred from the schema, so `describe` and `create` get the checked config. */
export function defineModel<const Schema extends z.ZodType<ModelConfig>, Driver>(model: {
  kind: z.output<Schema>['kind'];
  noun: string;
  schema: Schema;
  flags: ModelFlags;
  describe(config: z.output<Schema>): string;
  create(config: z.output<Schema>, deps: DriverDeps): Driver;
}): HardwareModel<z.output<Schema>, Driver> {
  // A Schema is a ZodType of its own output; TypeScript cannot see that through the generic.
  return { ...model, schema: model.schema as unknown as z.ZodType<z.output<Schema>> };
}

/** An option whose value is one of `choices`, set as config field `field`. */
export function choiceOption(spec: { name: string; value: string; help: string; field: string; choices: readonly string[] }): FlagOption {
  return {
    name: spec.name,
    value: spec.value,
    help: spec.help,
    parse(text) {
      if (!spec.choices.includes(text)) throw new FlagValueError(sayChoices(spec.choices));
      return { [spec.field]: text };
    },
  };
}

/** An option whose value is a positive whole number, set as config field `field`. */
export function positiveIntegerOption(spec: { name: string; value: string; help: string; field: string }): FlagOption {
  return {
    name: spec.name,
    value: spec.value,
    help: spec.help,
    parse(text) {
      if (!/^[1-9]\d{0,8}$/.test(text)) throw new FlagValueError('a positive whole number');
      return { [spec.field]: Number(text) };
    },
  };
}

/** 'a, b or c'. */
export function sayChoices(choices: readonly string[]): string {
  if (choices.length <= 1) return choices.join('');
  return `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}
