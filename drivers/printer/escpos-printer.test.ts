import { afterEach, describe, expect, it } from 'vitest';
import { FakeSerialPrinter, FakeTcpPrinter } from '../testing/fake-printer.ts';
import { qrPayload } from '../testing/escpos-decoder.ts';
import { sampleReceipt } from '../testing/sample-receipt.ts';
import { SocatPtyPair } from '../testing/socat-pty-pair.ts';
import { testLogger } from '../testing/test-logger.ts';
import { waitForEvent } from '../testing/wait-for-event.ts';
import { EscposReceiptPrinter } from './escpos-printer.ts';
import { SerialPrinterTransport } from './serial-transport.ts';
import { TcpPrinterTransport } from './tcp-transport.ts';
import type { PrinterStatus } from './types.ts';

const FAST_BACKOFF = { initialMs: 30, maxMs: 300, factor: 2, jitter: 0 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function tcpRig(options: { statusIntervalMs?: number } = {}) {
  const fake = new FakeTcpPrinter();
  await fake.listen();
  cleanups.push(() => fake.close());
  const printer = new EscposReceiptPrinter({
    logger: testLogger(),
    transport: new TcpPrinterTransport({ host: '127.0.0.1', port: fake.port }),
    backoff: FAST_BACKOFF,
    statusIntervalMs: options.statusIntervalMs ?? 100,
    statusTimeoutMs: 300,
  });
  cleanups.push(() => printer.stop());
  return { fake, printer };
}

describe('EscposReceiptPrinter over TCP (port 9100 style)', () => {
  it('prints a Chinese receipt: GB18030 text in Chinese mode, bold, QR of the tx id via GS ( k, cut', async () => {
    const { fake, printer } = await tcpRig();
    await printer.start();
    const printed = waitForEvent(printer, 'job.printed');
    const job = await printer.print(sampleReceipt());
    expect(job.status).toBe('queued');
    await fake.waitForCut();
    expect((await printed)).toMatchObject({ jobId: job.jobId, txId: '01JD3Q7Z8X9Y0A1B2C3D4E5F6G' });

    const events = fake.decoder.events;
    expect(events.some((e) => e.kind === 'chineseMode' && e.on)).toBe(true);
    const lines = fake.decoder.lines();
    const text = lines.map((l) => l.text);
    // The store's name on top, big; its address, phone and HQ's header lines under it.
    expect(lines.find((l) => l.text === '星河便利 静安店')).toMatchObject({ bold: true, tall: true, align: 1, chinese: true });
    expect(text.slice(1, 5)).toEqual(['上海市静安区南京西路1号', '电话 021-6288 0000', '欢迎光临', '会员自助服务']);
    // 11:04:32 UTC is 19:04:32 in Shanghai, and the receipt says which time it is.
    expect(text.some((t) => t.startsWith('时间') && t.endsWith('2026-11-22 19:04:32'))).toBe(true);
    expect(text).toContain('北京时间 (UTC+8)');
    expect(text.some((t) => t.startsWith('卡号') && t.endsWith('******5678'))).toBe(true);
    expect(text.some((t) => t.startsWith('小计') && t.endsWith('34.30'))).toBe(true);
    expect(text.some((t) => t.startsWith('  会员价') && t.endsWith('-5.00'))).toBe(true);
    expect(lines.find((l) => l.text.startsWith('合计'))).toMatchObject({ bold: true, text: expect.stringMatching(/ 29\.30$/) });
    expect(text.some((t) => t.startsWith('本次积分') && t.endsWith('+34 分'))).toBe(true);
    expect(lines.find((l) => l.text.startsWith('本次积分'))!.bold).toBe(true);
    expect(text).toContain('  每元1积分  +34积分');
    expect(text.some((t) => t.startsWith('  储值余额') && t.endsWith('120.00'))).toBe(true);
    expect(text.some((t) => t.startsWith('  积分抵扣 430分') && t.endsWith('4.30'))).toBe(true);
    // every line fits 80 mm paper: 48 half-width cells, a hanzi counting two
    for (const line of text) expect([...line].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)).toBeLessThanOrEqual(48);
    // QR: model, module size, error correction, store (the tx id), print — all GS ( k function 49
    expect(events.filter((e) => e.kind === 'qr').map((e) => (e.kind === 'qr' ? e.fn : 0))).toEqual([0x41, 0x43, 0x45, 0x50, 0x51]);
    expect(qrPayload(events)).toBe('01JD3Q7Z8X9Y0A1B2C3D4E5F6G');
    expect(fake.received.includes(Buffer.from([0x1d, 0x28, 0x6b]))).toBe(true);
    // the raw bytes are GB18030, not UTF-8
    expect(fake.received.includes(Buffer.from('欢迎', 'utf8'))).toBe(false);
    expect(events.some((e) => e.kind === 'unknown')).toBe(false);
    expect(printer.status()).toMatchObject({ online: true, paperOut: false, coverOpen: false, queueDepth: 0 });
  });

  it('prints an English 58 mm receipt in code page 437 with 32-column lines', async () => {
    const { fake, printer } = await tcpRig();
    await printer.start();
    await printer.print(sampleReceipt({ language: 'en', paperWidthMm: 58 }));
    await fake.waitForCut();
    const events = fake.decoder.events;
    expect(events.some((e) => e.kind === 'chineseMode' && !e.on)).toBe(true);
    expect(events.some((e) => e.kind === 'codePage' && e.value === 0)).toBe(true);
    const text = fake.decoder.lines().map((l) => l.text);
    expect(text).toContain('Xinghe Mart Jing An');
    expect(text).toContain('Asia/Shanghai (UTC+8)');
    expect(text).toContain('TOTAL                      29.30');
    expect(text).toContain('Points earned            +34 pts');
    for (const line of text) expect(line.length).toBeLessThanOrEqual(32);
    expect(events.filter((e) => e.kind === 'cut')).toHaveLength(1);
  });

  it('reports paper out from DLE EOT, holds the job without blocking, prints it when paper is back', async () => {
    const { fake, printer } = await tcpRig({ statusIntervalMs: 100 });
    fake.state.paperOut = true;
    const paperOut = waitForEvent<PrinterStatus>(printer, 'status', 3_000, (s) => s.paperOut);
    await printer.start();
    expect((await paperOut).online).toBe(true);
    expect(printer.health().lastError?.code).toBe('DRIVER_PRINTER_PAPER_OUT');
    expect(fake.decoder.events.filter((e) => e.kind === 'status').map((e) => (e.kind === 'status' ? e.n : 0))).toEqual(
      expect.arrayContaining([1, 2, 4]),
    );

    // Not blocking means print() settles while the paper is still out; a print that waited for the paper
    // would never settle here, as nothing puts paper back until later in this test.
    const held = Symbol('still waiting for paper');
    const job = await Promise.race([
      printer.print(sampleReceipt()),
      new Promise<typeof held>((resolve) => setTimeout(() => resolve(held), 2_000)),
    ]);
    if (job === held) throw new Error('print() waited for the paper instead of holding the job');
    expect(job.queueDepth).toBe(1);
    await new Promise((r) => setTimeout(r, 300)); // a few status polls with paper still out
    expect(fake.decoder.events.some((e) => e.kind === 'cut')).toBe(false);
    expect(printer.status().queueDepth).toBe(1);

    fake.state.paperOut = false;
    await fake.waitForCut();
    expect(printer.status()).toMatchObject({ paperOut: false, queueDepth: 0 });
  });

  it('reports cover open', async () => {
    const { fake, printer } = await tcpRig();
    fake.state.coverOpen = true;
    const open = waitForEvent<PrinterStatus>(printer, 'status', 3_000, (s) => s.coverOpen);
    await printer.start();
    expect(await open).toMatchObject({ coverOpen: true, paperOut: false });
  });

  it('queues while the printer is unreachable and prints once it comes up', async () => {
    const fake = new FakeTcpPrinter();
    await fake.listen();
    const port = fake.port;
    await fake.close(); // switched off: connection refused
    const printer = new EscposReceiptPrinter({
      logger: testLogger(),
      transport: new TcpPrinterTransport({ host: '127.0.0.1', port }),
      backoff: FAST_BACKOFF,
      statusIntervalMs: 100,
      statusTimeoutMs: 300,
    });
    cleanups.push(() => printer.stop());
    await printer.start();
    expect(printer.health()).toMatchObject({ connected: false, lastError: { code: 'DRIVER_PRINTER_UNREACHABLE' } });
    const job = await printer.print(sampleReceipt({ language: 'en' }));
    expect(job.status).toBe('queued');
    expect(printer.status()).toMatchObject({ online: false, queueDepth: 1 });

    const back = new FakeTcpPrinter();
    await back.listen(port);
    cleanups.push(() => back.close());
    await back.waitForCut(1, 10_000);
    expect(printer.status().queueDepth).toBe(0);
    expect(back.decoder.lines().map((l) => l.text)).toContain('Xinghe Mart Jing An');
  });

  it('reports a printer that does not answer status requests as offline', async () => {
    const { fake, printer } = await tcpRig();
    // a peer that accepts bytes but never answers DLE EOT
    (fake as unknown as { reply: (b: Buffer) => void }).reply = () => undefined;
    await printer.start();
    expect(printer.status().online).toBe(false);
    expect(printer.health().lastError?.code).toBe('DRIVER_PRINTER_STATUS_TIMEOUT');
  });
});

describe('EscposReceiptPrinter over a serial pty', () => {
  it('prints and reads status over the same serial line', async () => {
    const pair = new SocatPtyPair('printer');
    cleanups.push(() => pair.dispose());
    await pair.start();
    const fake = new FakeSerialPrinter(pair.devicePath);
    await fake.open();
    cleanups.push(() => fake.close());
    const printer = new EscposReceiptPrinter({
      logger: testLogger(),
      transport: new SerialPrinterTransport({ port: { path: pair.driverPath } }),
      backoff: FAST_BACKOFF,
      statusIntervalMs: 100,
      statusTimeoutMs: 500,
    });
    cleanups.push(() => printer.stop());
    fake.state.paperNearEnd = true;
    await printer.start();
    expect(printer.status()).toMatchObject({ online: true, paperNearEnd: true, paperOut: false });
    await printer.print(sampleReceipt({ paperWidthMm: 58 }));
    await fake.waitForCut();
    const lines = fake.decoder.lines();
    expect(lines.map((l) => l.text)).toContain('谢谢惠顾');
    expect(lines.some((l) => l.bold)).toBe(true);
    expect(qrPayload(fake.decoder.events)).toBe('01JD3Q7Z8X9Y0A1B2C3D4E5F6G');
  });
});
