/**
 * A kiosk on the real drivers, chosen by configuration: createDevice with a serial card reader on a socat pty
 * pair and an ESC/POS printer on TCP (drivers/testing's fake printer, which decodes what it gets and answers
 * DLE EOT from a paper state the test sets), against a real hub (embedded aedes, SQLite, demo members).
 * Nothing is mocked: the bytes go through serialport, parser-delimiter, the framing, MQTT, the ledger, the
 * ESC/POS encoder and a TCP socket.
 */
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { SerialPort } from 'serialport';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTopics } from '../../core/wire/topics.ts';
import { qrPayload } from '../../drivers/testing/escpos-decoder.ts';
import { FakeTcpPrinter } from '../../drivers/testing/fake-printer.ts';
import { SocatPtyPair } from '../../drivers/testing/socat-pty-pair.ts';
import { DEMO_CARDS, DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { startTestHub, type TestHub } from '../../hub/testing/start-test-hub.ts';
import { createDevice, type Device } from '../../device/main.ts';
import type { CardReaderHealth, PrinterHealth } from '../../device/ports.ts';
import { makeTempDir } from '../../device/test-support/temp-dir.ts';
import { kioskCredentials } from '../support/kiosk-credentials.ts';

const DEVICE_ID = 'kiosk-hw';
const GOLD = DEMO_CARDS.gold;
/** The device's masking: all but the last four characters. */
const GOLD_MASKED = `${'*'.repeat(GOLD.length - 4)}${GOLD.slice(-4)}`;

interface StateAnswer {
  connected: boolean;
  drivers: { cardReader: CardReaderHealth; printer: PrinterHealth };
  hardware: { reader: { status: string; code: string | null }; printer: { status: string; code: string | null } };
}
interface SessionAnswer {
  session: { name: string; card: string | null; member?: { name: string }; receipt?: { txId: string }; print?: { status: string; code: string | null } };
  receiptText: string | null;
  receiptSvg: string | null;
}
interface PurchaseAnswer {
  id: string;
  status: string;
  result?: { outcome?: { pointsEarned: number } };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()) as T;
}

async function postJson<T>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

/** Polls an async probe until it returns a value; fails naming `what`. */
async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function openSerial(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  return new Promise((resolve, reject) => port.open((error) => (error ? reject(error) : resolve(port))));
}

function closeSerial(port: SerialPort | null): Promise<void> {
  if (!port?.isOpen) return Promise.resolve();
  return new Promise((resolve) => port.close(() => resolve()));
}

function writeLine(port: SerialPort, line: string): Promise<void> {
  return new Promise((resolve, reject) => port.write(`${line}\r\n`, (error) => (error ? reject(error) : port.drain(() => resolve()))));
}

const PURCHASE = {
  lines: [{ sku: 'SKU-HW', category: 'grocery', qty: 1, unitPriceCents: 12_345 }],
  payments: [{ method: 'stored_value', amountCents: 12_345 }],
};

describe('device on the real drivers: serial reader on a pty, ESC/POS printer on TCP, real hub', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let hub: TestHub;
  let printer: FakeTcpPrinter;
  let pty: SocatPtyPair;
  let cardEnd: SerialPort | null = null;
  let device: Device;
  let api: string;

  beforeEach(async () => {
    temp = makeTempDir('mk-hw-');
    hub = await startTestHub({ dataDir: join(temp.dir, 'hub') });
    printer = new FakeTcpPrinter();
    await printer.listen();
    pty = new SocatPtyPair('hw-reader');
    await pty.start();
    cardEnd = await openSerial(pty.devicePath);
    device = createDevice({
      deviceId: DEVICE_ID,
      storeId: DEMO_STORE_ID,
      hubUrl: hub.brokerUrl,
      mqtt: await kioskCredentials(hub, DEVICE_ID),
      dataDir: join(temp.dir, 'kiosk'),
      httpPort: 0,
      logLevel: 'silent',
      tuning: { reconnectMs: 100 },
      hardware: {
        reader: { kind: 'serial', path: pty.driverPath, baudRate: 9600, framing: 'lines' },
        printer: { kind: 'tcp', host: '127.0.0.1', port: printer.port },
        paperWidthMm: 58,
        language: 'en',
      },
    });
    ({ apiUrl: api } = await device.start());
  });

  afterEach(async () => {
    await device.stop();
    await closeSerial(cardEnd);
    cardEnd = null;
    await pty.dispose();
    await printer.close();
    await hub.dispose();
    temp.cleanup();
  });

  const state = () => getJson<StateAnswer>(`${api}/state`);
  const session = () => getJson<SessionAnswer>(`${api}/session`);

  async function tapGold(): Promise<SessionAnswer> {
    await writeLine(cardEnd!, GOLD);
    return until(async () => {
      const answer = await session();
      return answer.session.name === 'member' ? answer : undefined;
    }, 'the member on screen after the tap');
  }

  it('a UID line on the serial port shows the member; a purchase prints its receipt as ESC/POS over TCP', async () => {
    const before = await state();
    expect(before.drivers.cardReader).toMatchObject({ kind: 'serial', connected: true });
    expect(before.drivers.printer).toMatchObject({ kind: 'tcp', connected: true, online: true, paperOut: false, queueDepth: 0 });

    const shown = await tapGold();
    expect(shown.session).toMatchObject({ name: 'member', card: GOLD_MASKED, member: { name: 'Zhang Min' } });
    expect(JSON.stringify(shown)).not.toContain(GOLD);

    const bought = await postJson<PurchaseAnswer>(`${api}/tx/purchase`, PURCHASE);
    expect(bought.status).toBe(200);
    expect(bought.body.status).toBe('applied');
    // Default bundle: 1 point per yuan, gold ×1.5, floored: 123.45 × 1.5 → 185.
    expect(bought.body.result?.outcome?.pointsEarned).toBe(185);

    await printer.waitForCut(1);
    const printed = printer.decoder.lines().map((l) => l.text);
    const text = printed.join('\n');
    expect(printed.find((l) => l.startsWith('Card'))).toMatch(new RegExp(`^Card +${GOLD_MASKED.replace(/\*/g, '\\*')}$`));
    expect(text).not.toContain(GOLD);
    expect(printed.find((l) => l.startsWith('Points earned'))).toMatch(/^Points earned +\+185 pts$/);
    expect(text).toContain('Zhang Min');
    expect(qrPayload(printer.decoder.events)).toBe(bought.body.id);

    // The screen's preview is drawn from the same receipt.
    const onScreen = await session();
    expect(onScreen.session).toMatchObject({ name: 'receipt', receipt: { txId: bought.body.id } });
    expect(onScreen.receiptSvg).toContain(`data-qr="${bought.body.id}"`);
    expect(onScreen.receiptText).toMatch(/Points earned +\+185 pts/);
  });

  it('paper out shows in /api/state and at the hub; the purchase still completes, its receipt is not printed, and never prints later', async () => {
    printer.state.paperOut = true;
    const paperOut = await until(async () => {
      const s = await state();
      return s.drivers.printer.paperOut ? s : undefined;
    }, 'paper out in /api/state');
    expect(paperOut.drivers.printer.lastError?.code).toBe('DRIVER_PRINTER_PAPER_OUT');
    expect(paperOut.hardware.printer).toEqual({ status: 'paper_out', code: 'PRINTER_PAPER_OUT' });

    // The retained state report the hub sees carries the same driver health.
    const reported = await retainedState(hub, DEVICE_ID, (r) => r.drivers?.printer?.paperOut === true);
    expect(reported.drivers?.printer).toMatchObject({ kind: 'tcp', paperOut: true });

    await tapGold();
    const startedAt = Date.now();
    const bought = await postJson<PurchaseAnswer>(`${api}/tx/purchase`, PURCHASE);
    // Not held up by the printer: the answer comes from the hub, well before any paper is back.
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(bought.body.status).toBe('applied');
    const onScreen = await session();
    expect(onScreen.session).toMatchObject({ name: 'receipt', receipt: { txId: bought.body.id } });
    expect(onScreen.receiptSvg).toContain(`data-qr="${bought.body.id}"`);
    // The receipt screen says it was not printed, and why; nothing waits in the printer's queue.
    const told = await until(async () => {
      const answer = await session();
      return answer.session.print?.status === 'not_printed' ? answer : undefined;
    }, 'the receipt not printed on screen');
    expect(told.session.print).toEqual({ status: 'not_printed', code: 'PRINTER_PAPER_OUT' });
    expect((await state()).drivers.printer).toMatchObject({ paperOut: true, queueDepth: 0 });
    expect(printer.decoder.events.some((e) => e.kind === 'cut')).toBe(false);

    // Paper back: the member has gone, so nothing comes out for whoever stands at the kiosk now.
    printer.state.paperOut = false;
    await until(async () => {
      const s = await state();
      return !s.drivers.printer.paperOut && s.drivers.printer.queueDepth === 0 ? s : undefined;
    }, 'paper back and the queue empty in /api/state');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(printer.decoder.events.filter((e) => e.kind === 'cut')).toHaveLength(0);
  });

  it('the reader port vanishing shows as disconnected, and the reader comes back and reads again', async () => {
    await pty.stop();
    await closeSerial(cardEnd);
    cardEnd = null;
    const lost = await until(async () => {
      const s = await state();
      return s.drivers.cardReader.connected ? undefined : s;
    }, 'the reader disconnected in /api/state');
    expect(lost.drivers.cardReader.lastError?.code).toBe('DRIVER_PORT_LOST');
    expect(lost.hardware.reader).toEqual({ status: 'missing', code: 'READER_MISSING' });

    await pty.start();
    cardEnd = await openSerial(pty.devicePath);
    const back = await until(async () => {
      const s = await state();
      return s.drivers.cardReader.connected ? s : undefined;
    }, 'the reader connected again in /api/state', 10_000);
    expect(back.drivers.cardReader.reconnects).toBeGreaterThanOrEqual(1);

    const shown = await tapGold();
    expect(shown.session.member?.name).toBe('Zhang Min');
  });
});

interface ReportedState {
  drivers?: { printer?: Partial<PrinterHealth>; cardReader?: Partial<CardReaderHealth> };
}

/** Reads the device's retained state topic as the hub would, until a report passes `accept`. */
async function retainedState(env: TestHub, deviceId: string, accept: (report: ReportedState) => boolean): Promise<ReportedState> {
  const credentials = env.hub.embeddedBrokerCredentials;
  if (!credentials) throw new Error('the test hub has no embedded broker');
  const client: MqttClient = await mqtt.connectAsync(env.brokerUrl, { protocolVersion: 4, clientId: `observer-${process.pid}`, ...credentials, reconnectPeriod: 0 });
  try {
    const found = new Promise<ReportedState>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching retained state report within 5 s')), 5_000);
      client.on('message', (_topic, payload) => {
        const report = JSON.parse(payload.toString()) as ReportedState;
        if (!accept(report)) return;
        clearTimeout(timer);
        resolve(report);
      });
    });
    await client.subscribeAsync(createTopics().state(deviceId), { qos: 1 });
    return await found;
  } finally {
    await client.endAsync(true);
  }
}
