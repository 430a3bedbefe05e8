/**
 * Technician tools for the kiosk's hardware:
 *   memberkiosk drivers list
 *   memberkiosk drivers watch (--reader FORM | --port PATH|usb:VID:PID | --pcsc [--reader NAME]) [reader options]
 *                             [--count N] [--timeout SECONDS]
 *   memberkiosk drivers test-print (--printer FORM | --tcp HOST[:PORT] | --serial PATH|usb:VID:PID | --device PATH)
 *                                  [printer options] [--lang zh|en] [--width 58|80] [--svg FILE]
 * Which readers and printers exist, the flags that name them and their options (--framing, --baud, …) come
 * from the driver registry (drivers/registry/), the same models `memberkiosk device` builds: a new model
 * needs no change here.
 * Logs (pino, card UIDs masked) go to stderr; what the technician asked for goes to stdout.
 */
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { SerialPort } from 'serialport';
import type { ZodError } from 'zod';
import { listPcscReaders } from '../../drivers/card-reader/list-pcsc-readers.ts';
import { PCSCD_SOCKET, pcscdAnswers } from '../../drivers/card-reader/pcscd-probe.ts';
import type { CardReader, CardTap } from '../../drivers/card-reader/types.ts';
import { renderReceiptSvg } from '../../drivers/printer/svg-preview.ts';
import type { ReceiptPrinter } from '../../drivers/printer/types.ts';
import {
  cardReaders,
  FlagError,
  parseArgsOptions,
  readRegistryFlags,
  receiptPrinters,
  registryFlagSpecs,
  type FlagSpec,
  type FlagValues,
  type ModelConfig,
  type ModelRegistry,
} from '../../drivers/registry/index.ts';
import { sampleReceipt } from '../../drivers/testing/sample-receipt.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

/** `drivers list` could list the serial ports but not the PC/SC readers: scripts can tell it from success. */
const EXIT_PCSC_UNAVAILABLE = 3;

const READER_FLAGS = registryFlagSpecs(cardReaders, 'technician');
const PRINTER_FLAGS = registryFlagSpecs(receiptPrinters, 'technician');

/** The flags that name a model (main flag and shortcuts), and the rest (its options). */
function naming<D>(registry: ModelRegistry<D>, specs: readonly FlagSpec[]): { names: FlagSpec[]; options: FlagSpec[] } {
  const shortcuts = new Set(registry.list().flatMap((m) => (m.flags.shortcuts ?? []).map((s) => s.name)));
  const names = specs.filter((s) => s.name === registry.flag || shortcuts.has(s.name));
  return { names, options: specs.filter((s) => !names.includes(s)) };
}

function helpLines(specs: readonly FlagSpec[]): string {
  return specs.map((s) => `    ${`--${s.name}${s.value === undefined ? '' : ` ${s.value}`}`.padEnd(30)} ${s.help}`).join('\n');
}

/** "--reader FORM, --port PATH|usb:VID:PID or --pcsc". */
function sayNames(specs: readonly FlagSpec[]): string {
  const names = specs.map((s) => `--${s.name}${s.value === undefined ? '' : ` ${s.value}`}`);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

const READER = naming(cardReaders, READER_FLAGS);
const PRINTER = naming(receiptPrinters, PRINTER_FLAGS);

const USAGE = `usage: memberkiosk drivers <list | watch | test-print> [options]
  list                                   serial ports (with stable /dev/serial/by-id names) and PC/SC readers
  watch READER [READER OPTIONS]          print each tap's UID
        [--count N] [--timeout SECONDS]  stop after N taps / after SECONDS
  test-print PRINTER [PRINTER OPTIONS]   print a sample receipt and say whether it came out
        [--lang zh|en] [--width 58|80] [--svg FILE] [--timeout SECONDS]
  READER is one of:
${helpLines(READER.names)}
  READER OPTIONS:
${helpLines(READER.options)}
  PRINTER is one of:
${helpLines(PRINTER.names)}
  PRINTER OPTIONS:
${helpLines(PRINTER.options)}
Reader and card problems print as coded lines, e.g. a card that failed to read: DRIVER_PCSC_READER_ERROR.
exit codes: 0 done · 1 test-print: not printed in time · 2 bad options
            ${EXIT_PCSC_UNAVAILABLE} list: serial ports listed, PC/SC readers could not be (DRIVER_PCSC_UNAVAILABLE: pcscd not
              running, or nfc-pcsc not installed or not loadable)
`;

/** A command's own flags and the registry's, which must not share a name. */
function withModelFlags<T extends Record<string, { type: 'string' | 'boolean'; default?: string }>>(own: T, specs: readonly FlagSpec[]): T & Record<string, { type: 'string' | 'boolean' }> {
  for (const spec of specs) if (spec.name in own) throw new Error(`flag --${spec.name} of a driver model clashes with a flag of memberkiosk drivers`);
  return { ...own, ...parseArgsOptions(specs) };
}

/**
 * The flags → a checked config of the registry's model; a string is the one-line problem to answer with.
 * `what` names the device in the message when no flag names one.
 */
function modelConfig<D>(registry: ModelRegistry<D>, values: FlagValues, names: readonly FlagSpec[], what: string): ModelConfig | string {
  try {
    const input = readRegistryFlags(registry, values, 'technician');
    if (!input) return `say which ${what}: ${sayNames(names)}`;
    const parsed = registry.configSchema().safeParse(input);
    if (!parsed.success) return `${registry.flag}: ${oneLine(parsed.error)}`;
    return parsed.data;
  } catch (error) {
    if (error instanceof FlagError) return error.message;
    throw error;
  }
}

function oneLine(error: ZodError): string {
  return error.issues.map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}

function logger(): Logger {
  return pino({ level: process.env.MK_LOG_LEVEL ?? 'warn' }, pino.destination(2));
}

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
      return list(rest);
    case 'watch':
      return watch(rest);
    case 'test-print':
      return testPrint(rest);
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case undefined:
    default:
      return usageError('drivers', USAGE, sub === undefined ? 'no subcommand given' : sub.startsWith('-') ? `unknown option '${sub}'` : `unknown subcommand '${sub}'`);
  }
}

function byIdLinks(): Map<string, string[]> {
  const links = new Map<string, string[]>();
  for (const dir of ['/dev/serial/by-id', '/dev/serial/by-path']) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const link = join(dir, name);
      const target = resolve(dir, readlinkSync(link));
      links.set(target, [...(links.get(target) ?? []), link]);
    }
  }
  return links;
}

async function list(args: string[]): Promise<number> {
  const flags = parseCommandArgs('drivers list', USAGE, { args, options: {} });
  if (!flags.ok) return flags.exitCode;
  const ports = await SerialPort.list();
  const links = byIdLinks();
  process.stdout.write(`serial ports (${ports.length}):\n`);
  for (const p of ports) {
    const usb = p.vendorId ? ` usb:${p.vendorId}:${p.productId}${p.serialNumber ? `:${p.serialNumber}` : ''}` : '';
    const maker = p.manufacturer ? ` (${p.manufacturer})` : '';
    process.stdout.write(`  ${p.path}${usb}${maker}\n`);
    for (const link of links.get(p.path) ?? []) process.stdout.write(`    stable name: ${link}\n`);
  }
  if (!(await pcscdAnswers())) {
    process.stdout.write(`PC/SC readers: unavailable — pcscd is not running (no answer on ${PCSCD_SOCKET}); start it with scripts/services/start-pcscd.sh (DRIVER_PCSC_UNAVAILABLE)\n`);
    return EXIT_PCSC_UNAVAILABLE;
  }
  const listing = await listPcscReaders();
  if (!listing.ok) {
    process.stdout.write(`PC/SC readers: unavailable — ${listing.reason} (${listing.code})\n`);
    return EXIT_PCSC_UNAVAILABLE;
  }
  process.stdout.write(`PC/SC readers (${listing.readers.length}):\n`);
  for (const reader of listing.readers) {
    process.stdout.write(`  ${reader.name}\n`);
    // The reader is there; the card on it is what failed. Listed, not fatal: listing readers is this command's job.
    for (const error of reader.errors) process.stdout.write(`    card on this reader failed to read: ${error} (DRIVER_PCSC_READER_ERROR)\n`);
  }
  return 0;
}

async function watch(args: string[]): Promise<number> {
  const flags = parseCommandArgs('drivers watch', USAGE, {
    args,
    options: withModelFlags({ count: { type: 'string' }, timeout: { type: 'string' } }, READER_FLAGS),
  });
  if (!flags.ok) return flags.exitCode;
  const { values } = flags.parsed;
  const config = modelConfig(cardReaders, values, READER.names, 'reader to watch');
  if (typeof config === 'string') return usageError('drivers watch', USAGE, config);
  const reader: CardReader = cardReaders.create(config, { logger: logger() });
  const wanted = values.count ? Number(values.count) : Infinity;
  let seen = 0;
  let connected: boolean | undefined;
  let lastErrorKey: string | undefined;
  const finished = new Promise<void>((resolveDone) => {
    reader.on('card', (tap: CardTap) => {
      seen += 1;
      const member = tap.memberNumber ? ` member=${tap.memberNumber}` : '';
      process.stdout.write(`${new Date(tap.at).toISOString()} ${tap.readerName} card ${tap.uid}${member}\n`);
      if (seen >= wanted) resolveDone();
    });
    reader.on('card.removed', (e) => process.stdout.write(`${new Date().toISOString()} ${e.readerName} removed\n`));
    reader.on('health', (h) => {
      // Each new problem once, as a coded line beside the taps: a card that fails to read is what a
      // technician watching taps is looking for.
      const error = h.lastError;
      const errorKey = error ? `${error.at}|${error.code}|${error.message}` : undefined;
      if (error && errorKey !== lastErrorKey) process.stdout.write(`${new Date(error.at).toISOString()} error ${error.code}: ${error.message}\n`);
      lastErrorKey = errorKey;
      if (h.connected === connected) return;
      connected = h.connected;
      process.stderr.write(`reader ${h.connected ? 'connected' : `not connected${h.lastError ? ` (${h.lastError.code}: ${h.lastError.message})` : ''}`}\n`);
    });
    process.once('SIGINT', () => resolveDone());
    process.once('SIGTERM', () => resolveDone());
    if (values.timeout) setTimeout(resolveDone, Number(values.timeout) * 1000).unref();
  });
  await reader.start();
  process.stderr.write('waiting for taps (Ctrl-C to stop)\n');
  await finished;
  await reader.stop();
  process.stderr.write(`health: ${JSON.stringify(reader.health())}\n`);
  return 0;
}

async function testPrint(args: string[]): Promise<number> {
  const flags = parseCommandArgs('drivers test-print', USAGE, {
    args,
    options: withModelFlags(
      { lang: { type: 'string', default: 'zh' }, width: { type: 'string', default: '80' }, svg: { type: 'string' }, timeout: { type: 'string', default: '10' } },
      PRINTER_FLAGS,
    ),
  });
  if (!flags.ok) return flags.exitCode;
  const { values } = flags.parsed;
  const config = modelConfig(receiptPrinters, values, PRINTER.names, 'printer');
  if (typeof config === 'string') return usageError('drivers test-print', USAGE, config);
  const receipt = sampleReceipt({
    language: values.lang === 'en' ? 'en' : 'zh',
    paperWidthMm: values.width === '58' ? 58 : 80,
    txId: `TEST-${Date.now()}`,
  });
  if (values.svg) {
    writeFileSync(values.svg, renderReceiptSvg(receipt));
    process.stdout.write(`preview written to ${values.svg}\n`);
  }
  const printer: ReceiptPrinter = receiptPrinters.create(config, { logger: logger(), statusTimeoutMs: 1_000 });
  const printed = new Promise<boolean>((resolveDone) => {
    printer.once('job.printed', () => resolveDone(true));
    setTimeout(() => resolveDone(false), Number(values.timeout) * 1000).unref();
  });
  await printer.start();
  const job = await printer.print(receipt);
  process.stdout.write(`job ${job.jobId} queued on ${receiptPrinters.describe(config)}\n`);
  const ok = await printed;
  const status = printer.status();
  await printer.stop();
  process.stdout.write(`status: ${JSON.stringify(status)}\n`);
  if (!ok) {
    const health = printer.health();
    process.stdout.write(`NOT printed within ${values.timeout} s${health.lastError ? `: ${health.lastError.code} ${health.lastError.message}` : ''}\n`);
    return 1;
  }
  process.stdout.write('printed\n');
  return 0;
}
