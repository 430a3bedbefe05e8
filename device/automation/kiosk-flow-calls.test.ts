/**
 * What the kiosk offers its flows, on real parts: a note printed by the real ESC/POS driver to a printer over TCP
 * (drivers/testing's fake printer is the paper: it answers status requests from a paper state the test sets, and its
 * decoder reads back what was printed), a message on a kiosk's screen events (a kiosk wired as device/main.ts wires
 * it, the hub played by the fake hub), and bytes to a serial port on a socat pty pair.
 */
import { SerialPort } from 'serialport';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CodedError } from '../../core/errors/coded-error.ts';
import { KIOSK_CALLS, type FlowCalls } from '../../flows/runtime/protocol.ts';
import { FakeTcpPrinter } from '../../drivers/testing/fake-printer.ts';
import { SocatPtyPair } from '../../drivers/testing/socat-pty-pair.ts';
import type { KioskEvent } from '../app/kiosk-events.ts';
import { buildReceiptSink } from '../hardware/build-hardware.ts';
import type { PrinterSink } from '../hardware/printer-sink.ts';
import { createCaptureLogger, type CapturedLogger } from '../test-support/capture-logger.ts';
import { startKioskOnFakeHub, type KioskOnFakeHub } from '../test-support/kiosk-on-fake-hub.ts';
import { eventually } from '../test-support/temp-dir.ts';
import { createFlowSerialPorts, type FlowSerialPorts } from './flow-serial-ports.ts';
import { createKioskFlowCalls } from './kiosk-flow-calls.ts';
import type { NoticeContext } from './notice-receipt.ts';

const CONTEXT: NoticeContext = { store: 'store-1', deviceId: 'kiosk-7', paperWidthMm: 58, language: 'zh', storeProfile: { name: '静安店', address: '南京西路 1 号', phone: '021-5555', timezone: 'Asia/Shanghai' } };
const noScreen = { showMessage: () => undefined };
const noSerial = { write: () => Promise.reject(new Error('no serial port in this test')) };

/** The code a call was refused with (the flow sees it as msg.error.code). */
async function refusal(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'the call was refused').toBeInstanceOf(CodedError);
  return (error as CodedError).code;
}

function call(calls: FlowCalls, method: string, params: unknown): Promise<unknown> {
  const handler = calls[method];
  if (!handler) throw new Error(`no call ${method}`);
  return handler(params);
}

describe('kiosk.print: a flow’s note on the receipt printer (real ESC/POS driver, printer over TCP)', () => {
  let printer: FakeTcpPrinter;
  let sink: PrinterSink;
  let log: CapturedLogger;
  let calls: FlowCalls;

  beforeEach(async () => {
    printer = new FakeTcpPrinter();
    await printer.listen();
    log = createCaptureLogger();
    sink = buildReceiptSink({ kind: 'tcp', host: '127.0.0.1', port: printer.port }, log.logger, { printWindowMs: 2000 });
    await sink.start();
    await eventually(() => sink.blockedCode() === null, 'the printer ready');
    calls = createKioskFlowCalls({ receipts: sink, noticeContext: () => CONTEXT, screen: noScreen, serialPorts: noSerial, logger: log.logger });
  });

  afterEach(async () => {
    await sink.stop();
    await printer.close();
  });

  it('prints the title, the lines as written and the QR code, with the store, kiosk and time — no card, money or receipt hint', async () => {
    await expect(call(calls, KIOSK_CALLS.print, { title: '感谢您的第 10 次光临', lines: ['赠送咖啡一杯', '', 'Code: TV10-8F3K'], qr: 'TV10-8F3K' })).resolves.toEqual({ printed: true });
    await printer.waitForCut(1);
    const text = printer.decoder.lines().map((l) => l.text.replace(/\n$/, ''));
    expect(text).toEqual(expect.arrayContaining(['静安店', '感谢您的第 10 次光临', '赠送咖啡一杯', 'Code: TV10-8F3K']));
    expect(text.join('\n')).toMatch(/设备\s+kiosk-7/);
    expect(text.join('\n')).toMatch(/时间\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    for (const receiptOnly of ['卡号', '交易号', '合计', '扫码验证小票真伪']) expect(text.join('\n')).not.toContain(receiptOnly);
    const title = printer.decoder.lines().find((l) => l.text.startsWith('感谢'));
    expect(title).toMatchObject({ bold: true, tall: true });
    expect(printer.cuts).toEqual([{ txId: 'TV10-8F3K', paperOut: false, coverOpen: false }]);
  });

  it('refuses PRINTER_UNAVAILABLE when the printer is out of paper, and nothing comes out once paper is back', async () => {
    printer.state.paperOut = true;
    await eventually(() => sink.blockedCode() === 'PRINTER_PAPER_OUT', 'the printer out of paper', 10_000);
    expect(await refusal(call(calls, KIOSK_CALLS.print, { lines: ['你好'] }))).toBe('PRINTER_UNAVAILABLE');
    expect(log.withCode('PRINTER_UNAVAILABLE')[0]).toMatchObject({ reason: 'PRINTER_PAPER_OUT' });
    printer.state.paperOut = false;
    await eventually(() => sink.blockedCode() === null, 'paper back', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(printer.cuts).toEqual([]);
  });

  it('refuses what it must not print: too many or too long lines, a long QR, nothing at all, and printer commands hidden in the text', async () => {
    const tooMany = Array.from({ length: 41 }, (_, i) => `line ${i}`);
    for (const params of [
      { lines: tooMany },
      { lines: ['x'.repeat(65)] },
      { title: 't'.repeat(65), lines: [] },
      { lines: ['ok'], qr: 'q'.repeat(201) },
      { lines: [] },
      { lines: ['\u001b@\u001dV\u0000 cut the paper'] },
      { title: 'bell\u0007', lines: ['x'] },
      { lines: 'one line' },
      { lines: ['x'], extra: true },
      null,
    ]) {
      expect(await refusal(call(calls, KIOSK_CALLS.print, params)), JSON.stringify(params)).toBe('FLOW_PARAMS_INVALID');
    }
    // The limits themselves are fine.
    await expect(call(calls, KIOSK_CALLS.print, { title: 't'.repeat(64), lines: Array.from({ length: 40 }, () => 'x'.repeat(64)), qr: 'q'.repeat(200) })).resolves.toEqual({ printed: true });
    await printer.waitForCut(1);
    expect(printer.decoder.events.filter((e) => e.kind === 'unknown')).toEqual([]);
  });
});

describe('kiosk.showMessage: a flow’s message on the kiosk’s screen (kiosk on a fake hub)', () => {
  let k: KioskOnFakeHub;
  let calls: FlowCalls;
  let screen: KioskEvent[];

  beforeAll(async () => {
    k = await startKioskOnFakeHub({ logger: createCaptureLogger().logger, members: new Map() });
    calls = createKioskFlowCalls({ receipts: k.hardware.receiptSink, noticeContext: () => CONTEXT, screen: k.kiosk, serialPorts: noSerial, logger: createCaptureLogger().logger });
    screen = [];
    k.kiosk.events.subscribe((event) => screen.push(event));
  });
  afterAll(async () => {
    await k.dispose();
  });

  it('pushes the message to the screen (zh-CN for a plain text, 8 s by default), and to a page that connects while it is up', async () => {
    await expect(call(calls, KIOSK_CALLS.showMessage, { text: '感谢光临' })).resolves.toEqual({ shown: true });
    expect(screen.filter((e) => e.type === 'screen-message').map((e) => e.data)).toEqual([
      { id: expect.any(String), text: { 'zh-CN': '感谢光临', en: null }, tone: 'info', seconds: 8, expiresAt: expect.any(String), from: 'flow' },
    ]);
    await call(calls, KIOSK_CALLS.showMessage, { text: { en: 'Paper is low' }, seconds: 30, tone: 'warning' });
    const late: KioskEvent[] = [];
    k.kiosk.events.subscribe((event) => late.push(event));
    expect(late.filter((e) => e.type === 'screen-message').map((e) => e.data)).toEqual([
      { id: expect.any(String), text: { 'zh-CN': null, en: 'Paper is low' }, tone: 'warning', seconds: 30, expiresAt: expect.any(String), from: 'flow' },
    ]);
  });

  it('refuses FLOW_PARAMS_INVALID for no text, too long a text, seconds outside 1–60 and an unknown tone', async () => {
    const before = screen.length;
    for (const params of [{}, { text: '' }, { text: {} }, { text: { fr: 'bonjour' } }, { text: 'x'.repeat(201) }, { text: 'hi', seconds: 0 }, { text: 'hi', seconds: 61 }, { text: 'hi', seconds: 1.5 }, { text: 'hi', tone: 'danger' }, { text: 'line\nbreak' }]) {
      expect(await refusal(call(calls, KIOSK_CALLS.showMessage, params)), JSON.stringify(params)).toBe('FLOW_PARAMS_INVALID');
    }
    expect(screen.length).toBe(before);
  });
});

describe('kiosk.serialWrite: bytes to a port the technician configured (real serialport on a socat pty pair)', () => {
  let pty: SocatPtyPair;
  let deviceEnd: SerialPort | null = null;
  let received: Buffer;
  let ports: FlowSerialPorts;
  let calls: FlowCalls;
  let log: CapturedLogger;

  async function openDeviceEnd(): Promise<void> {
    const port = new SerialPort({ path: pty.devicePath, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    port.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
    deviceEnd = port;
  }
  async function closeDeviceEnd(): Promise<void> {
    const port = deviceEnd;
    deviceEnd = null;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  beforeEach(async () => {
    pty = new SocatPtyPair('flow-serial');
    await pty.start();
    received = Buffer.alloc(0);
    await openDeviceEnd();
    log = createCaptureLogger();
    ports = createFlowSerialPorts({ ports: [{ name: 'lamp', path: pty.driverPath, baudRate: 9600 }, { name: 'spare', path: '/dev/memberkiosk-no-such-port', baudRate: 9600 }], logger: log.logger, writeTimeoutMs: 2000 });
    calls = createKioskFlowCalls({ receipts: { print: () => Promise.reject(new Error('no printer in this test')) }, noticeContext: () => CONTEXT, screen: noScreen, serialPorts: ports, logger: log.logger });
  });

  afterEach(async () => {
    await ports.close();
    await closeDeviceEnd();
    await pty.dispose();
  });

  it('writes UTF-8 text and hex bytes to the port named (the first one when none is named), in order', async () => {
    await expect(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: 'ON 红\r\n' })).resolves.toEqual({ bytes: 8 });
    await expect(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: '1b 40 0A', encoding: 'hex' })).resolves.toEqual({ bytes: 3 });
    await expect(call(calls, KIOSK_CALLS.serialWrite, { data: 'BEEP' })).resolves.toEqual({ bytes: 4 });
    await eventually(() => received.length === 15, 'all bytes at the device');
    expect(received).toEqual(Buffer.concat([Buffer.from('ON 红\r\n'), Buffer.from([0x1b, 0x40, 0x0a]), Buffer.from('BEEP')]));
  });

  it('refuses a port that is not configured, bad hex, nothing, and more than 4 KB', async () => {
    expect(await refusal(call(calls, KIOSK_CALLS.serialWrite, { port: 'door', data: 'x' }))).toBe('SERIAL_PORT_UNKNOWN');
    // A flow names a port, never a device path: a path is just a name nobody configured.
    expect(await refusal(call(calls, KIOSK_CALLS.serialWrite, { port: '/dev/ttyS0', data: 'x' }))).toBe('SERIAL_PORT_UNKNOWN');
    expect(await refusal(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: 'x', baudRate: 115200 }))).toBe('FLOW_PARAMS_INVALID');
    for (const data of ['1b4', 'zz', '0x1b']) expect(await refusal(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data, encoding: 'hex' })), data).toBe('FLOW_PARAMS_INVALID');
    expect(await refusal(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: '' }))).toBe('FLOW_PARAMS_INVALID');
    expect(await refusal(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: 'ab'.repeat(4097), encoding: 'hex' }))).toBe('FLOW_PARAMS_INVALID');
    expect(await refusal(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: '红'.repeat(1366) }))).toBe('FLOW_PARAMS_INVALID');
    await expect(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: 'ab'.repeat(4096), encoding: 'hex' })).resolves.toEqual({ bytes: 4096 });
    // A port configured but not there: it cannot open, and says so.
    expect(await refusal(call(calls, KIOSK_CALLS.serialWrite, { port: 'spare', data: 'x' }))).toBe('SERIAL_WRITE_FAILED');
    await eventually(() => received.length === 4096, 'only the good write at the device');
  });

  it('fails while the port is unplugged, and opens it again by itself once it is back', async () => {
    await call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: 'one' });
    await eventually(() => received.toString() === 'one', 'the first write');
    await closeDeviceEnd();
    await pty.stop();
    expect(await refusal(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: 'lost' }))).toBe('SERIAL_WRITE_FAILED');
    // Still gone: the next write tries to open it afresh, and fails the same way.
    expect(await refusal(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: 'lost' }))).toBe('SERIAL_WRITE_FAILED');
    await pty.start();
    received = Buffer.alloc(0);
    await openDeviceEnd();
    await expect(call(calls, KIOSK_CALLS.serialWrite, { port: 'lamp', data: 'two' })).resolves.toEqual({ bytes: 3 });
    await eventually(() => received.toString() === 'two', 'the write after re-plugging');
  });
});
