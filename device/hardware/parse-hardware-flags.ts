/**
 * The `memberkiosk device` hardware flags → the device config's `hardware` section. The grammar is the driver
 * registry's: `--reader` and `--printer` take the forms the models declare (`serial:/dev/serial/by-id/...`,
 * `tcp:192.168.1.50:9100`), `--reader-<option>` / `--printer-<option>` their options, plus `--paper` and
 * `--language`. Anything finer (member number blocks) goes in a config file. Errors are one line naming the
 * flag and the accepted forms.
 */
import { FlagError, hardwareFlagHelp, hardwareFlagSpecs, hardwareRegistries, parseArgsOptions, readHardwareFlags, type FlagValues, type HardwareRegistries } from '../../drivers/registry/index.ts';
import type { HardwareConfigInput } from './hardware-config.ts';

/**
 * Flag values by flag name as parseArgs gives them (`'reader-framing'`); camelCase names (`readerFraming`) are
 * read too.
 */
export type HardwareFlags = Readonly<Record<string, string | boolean | undefined>>;

export { FlagError as HardwareFlagError };

/** parseArgs options for the hardware flags, to merge into a command's own. */
export function hardwareFlagOptions(registries: HardwareRegistries = hardwareRegistries): Record<string, { type: 'string' | 'boolean' }> {
  return parseArgsOptions(hardwareFlagSpecs(registries));
}

/** The synopsis (`[--reader FORM] [--reader-framing F] …`, continued lines start with `indent`) and the help lines of the hardware flags. */
export function hardwareFlagUsage(indent = '', registries: HardwareRegistries = hardwareRegistries): { synopsis: string; lines: string[] } {
  return hardwareFlagHelp(registries, indent);
}

/** Throws HardwareFlagError (one line) for a flag it cannot read. */
export function parseHardwareFlags(flags: HardwareFlags, registries: HardwareRegistries = hardwareRegistries): HardwareConfigInput {
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, value] of Object.entries(flags)) if (value !== undefined) values[kebab(name)] = value;
  return readHardwareFlags(registries, values satisfies FlagValues);
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
