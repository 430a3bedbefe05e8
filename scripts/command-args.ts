/**
 * The one way every `memberkiosk` command reads its flags, so they all answer alike: `--help`/`-h` prints the
 * command's usage on stdout and exits 0; an unknown flag, a missing value or an unexpected argument prints one
 * line saying what is wrong, then the usage, on stderr and exits 2. Never a stack trace: node's parseArgs
 * throws on anything it does not know, and a thrown TypeError is what a user saw before.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type ParsedCommandArgs<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;

/** Either the parsed flags, or the exit code of a command that has already answered (help or usage error). */
export type CommandArgs<T extends ParseArgsConfig> = { ok: true; parsed: ParsedCommandArgs<T> } | { ok: false; exitCode: number };

/** `command` as the user typed it after `memberkiosk` (e.g. "drivers watch"), for the error line. */
export function parseCommandArgs<const T extends ParseArgsConfig>(command: string, usage: string, config: T): CommandArgs<T> {
  if (asksForHelp(config.args ?? [])) {
    process.stdout.write(usage);
    return { ok: false, exitCode: 0 };
  }
  try {
    // strict is parseArgs's default: unknown flags throw, and are answered below
    return { ok: true, parsed: parseArgs(config) };
  } catch (error) {
    return { ok: false, exitCode: usageError(command, usage, (error as Error).message) };
  }
}

/** Prints "memberkiosk COMMAND: PROBLEM" and the usage on stderr; returns the usage-error exit code, 2. */
export function usageError(command: string, usage: string, problem: string): number {
  process.stderr.write(`memberkiosk ${command}: ${problem.split('\n')[0]}\n${usage}`);
  return 2;
}

/** Help asked anywhere before a `--` (after it, "--help" would be a file name). */
export function asksForHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}
