/**
 * Technician tools for the kiosk's hardware:
 *   memberkiosk drivers list
 *   memberkiosk drivers watch (--port PATH|usb:VID:PID [--framing lines|stx-etx] [--delimiter crlf|cr|lf] [--baud N] | --pcsc [--reader NAME])
 *                             [--count N] [--timeout SECONDS]
 *   memberkiosk drivers test-print (--tcp HOST[:PORT] | --serial PATH|usb:VID:PID [--baud N] | --device PATH)
 *                                  [--lang zh|en] [--width 58|80] [--svg FILE]
 * Logs (pino, card UIDs masked) go to stderr; what the technician asked for goes to stdout.
 */
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino, type Logger } from 'pino';
import { SerialPort } from 'serialport';
import { listPcscReaders } from '../../drivers/card-reader/list-pcsc-readers.ts';
import { PCSCD_SOCKET, pcscdAnswers } from '../../drivers/card-reader/pcscd-probe.ts';
import { lineFraming } from '../../drivers/card-reader/line-framing.ts';
import { PcscCardReader } from '../../drivers/card-reader/pcsc-reader.ts';
import { parseSelector } from '../../drivers/card-reader/serial-port-locator.ts';
import { SerialCardReader } from '../../drivers/card-reader/serial-reader.ts';
import { stxEtxFraming } from '../../drivers/card-reader/stx-etx-framing.ts';
import type { CardReader, CardTap } from '../../drivers/card-reader/types.ts';
import { DevicePathPrinterTransport } from '../../drivers/printer/device-path-transport.ts';
import { EscposReceiptPrinter } from '../../drivers/printer/escpos-printer.ts';
import type { PrinterTransport } from '../../drivers/printer/printer-transport.ts';
import { SerialPrinterTransport } from '../../drivers/printer/serial-transport.ts';
import { renderReceiptSvg } from '../../drivers/printer/svg-preview.ts';
import { TcpPrinterTransport } from '../../drivers/printer/tcp-transport.ts';
import { sampleReceipt } from '../../drivers/testing/sample-receipt.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

/** `drivers list` could list the serial ports but not the PC/SC readers: scripts can tell it from success. */
const EXIT_PCSC_UNAVAILABLE = 3;

const USAGE = `usage: memberkiosk drivers <list | watch | test-print> [options]
  list                                   serial ports (with stable /dev/serial/by-id names) and PC/SC readers
  watch --port PATH|usb:VID:PID          print each tap's UID from a serial reader
        [--framing lines|stx-etx] [--delimiter crlf|cr|lf] [--baud 9600]
  watch --pcsc [--reader NAME]           print each tap's UID from PC/SC (NFC) readers
        [--count N] [--timeout SECONDS]  stop after N taps / after SECONDS
  test-print --tcp HOST[:9100] | --serial PATH|usb:VID:PID [--baud 19200] | --device /dev/usb/lp0
        [--lang zh|en] [--width 58|80] [--svg FILE]
Reader and card problems print as coded lines, e.g. a card that failed to read: DRIVER_PCSC_READER_ERROR.
exit codes: 0 done · 1 test-print: not printed in time · 2 bad options
            ${EXIT_PCSC_UNAVAILABLE} list: serial ports listed, PC/SC readers could not be (DRIVER_PCSC_UNAVAILABLE: pcscd not
              running, or nfc-pcsc not installed or not loadable)
`;

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

const DELIMITERS: Record<string, string> = { crlf: '\r\n', cr: '\r', lf: '\n' };

async function watch(args: string[]): Promise<number> {
  const flags = parseCommandArgs('drivers watch', USAGE, {
    args,
    options: {
      port: { type: 'string' },
      pcsc: { type: 'boolean', default: false },
      reader: { type: 'string' },
      framing: { type: 'string', default: 'lines' },
      delimiter: { type: 'string', default: 'crlf' },
      baud: { type: 'string', default: '9600' },
      count: { type: 'string' },
      timeout: { type: 'string' },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values } = flags.parsed;
  const log = logger();
  let reader: CardReader;
  if (values.pcsc) {
    const only = values.reader;
    reader = new PcscCardReader({ logger: log, ...(only ? { acceptReader: (name: string) => name === only } : {}) });
  } else if (values.port) {
    const delimiter = DELIMITERS[values.delimiter] ?? values.delimiter;
    reader = new SerialCardReader({
      logger: log,
      port: parseSelector(values.port),
      baudRate: Number(values.baud),
      framing: values.framing === 'stx-etx' ? stxEtxFraming('xor') : lineFraming(delimiter),
    });
  } else {
    return usageError('drivers watch', USAGE, 'say which reader to watch: --port PATH|usb:VID:PID or --pcsc');
  }
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
    options: {
      tcp: { type: 'string' },
      serial: { type: 'string' },
      device: { type: 'string' },
      baud: { type: 'string', default: '19200' },
      lang: { type: 'string', default: 'zh' },
      width: { type: 'string', default: '80' },
      svg: { type: 'string' },
      timeout: { type: 'string', default: '10' },
    },
  });
  if (!flags.ok) return flags.exitCode;
  const { values } = flags.parsed;
  let transport: PrinterTransport;
  if (values.tcp) {
    const [host = '127.0.0.1', port = '9100'] = values.tcp.split(':');
    transport = new TcpPrinterTransport({ host, port: Number(port) });
  } else if (values.serial) {
    transport = new SerialPrinterTransport({ port: parseSelector(values.serial), baudRate: Number(values.baud) });
  } else if (values.device) {
    transport = new DevicePathPrinterTransport({ path: values.device });
  } else {
    return usageError('drivers test-print', USAGE, 'say which printer: --tcp HOST[:PORT], --serial PATH|usb:VID:PID or --device PATH');
  }
  const receipt = sampleReceipt({
    language: values.lang === 'en' ? 'en' : 'zh',
    paperWidthMm: values.width === '58' ? 58 : 80,
    txId: `TEST-${Date.now()}`,
  });
  if (values.svg) {
    writeFileSync(values.svg, renderReceiptSvg(receipt));
    process.stdout.write(`preview written to ${values.svg}\n`);
  }
  const printer = new EscposReceiptPrinter({ logger: logger(), transport, statusTimeoutMs: 1_000 });
  const printed = new Promise<boolean>((resolveDone) => {
    printer.once('job.printed', () => resolveDone(true));
    setTimeout(() => resolveDone(false), Number(values.timeout) * 1000).unref();
  });
  await printer.start();
  const job = await printer.print(receipt);
  process.stdout.write(`job ${job.jobId} queued on ${transport.name}\n`);
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
