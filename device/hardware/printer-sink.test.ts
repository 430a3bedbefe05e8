/**
 * The kiosk's print policy — printed now or not at all, never later for a stranger — on the real ESC/POS driver
 * over TCP to drivers/testing's fake network printer (it decodes what it gets and answers DLE EOT status from a
 * paper state the test sets; the fake is the printer hardware, the only part that cannot run here).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EscposReceiptPrinter } from '../../drivers/printer/escpos-printer.ts';
import { TcpPrinterTransport } from '../../drivers/printer/tcp-transport.ts';
import { qrPayload } from '../../drivers/testing/escpos-decoder.ts';
import { FakeTcpPrinter } from '../../drivers/testing/fake-printer.ts';
import { sampleReceipt } from '../../drivers/testing/sample-receipt.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { PrinterSink } from './printer-sink.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const cuts = (fake: FakeTcpPrinter) => fake.decoder.events.filter((e) => e.kind === 'cut').length;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `statusIntervalMs`: how often the driver asks for paper while idle (long: its status goes stale on purpose). */
async function rig(options: { statusIntervalMs?: number; printWindowMs?: number } = {}) {
  const fake = new FakeTcpPrinter();
  await fake.listen();
  cleanups.push(() => fake.close());
  const logs = createCaptureLogger();
  const printer = new EscposReceiptPrinter({
    logger: logs.logger,
    transport: new TcpPrinterTransport({ host: '127.0.0.1', port: fake.port }),
    backoff: { initialMs: 30, maxMs: 300, factor: 2, jitter: 0 },
    statusIntervalMs: options.statusIntervalMs ?? 100,
    statusTimeoutMs: 300,
  });
  const sink = new PrinterSink(printer, 'tcp', logs.logger, { printWindowMs: options.printWindowMs ?? 400 });
  cleanups.push(() => sink.stop());
  await sink.start();
  return { fake, printer, sink, logs };
}

describe('PrinterSink: printed now or not at all (ESC/POS over TCP)', () => {
  it('prints a receipt when the printer can, and says so once it is out', async () => {
    const { fake, sink } = await rig();
    expect(sink.blockedCode()).toBeNull();
    const outcome = await sink.print(sampleReceipt({ txId: 'TX-NOW', language: 'en' }));
    expect(outcome).toEqual({ status: 'printed', code: null });
    await fake.waitForCut();
    expect(qrPayload(fake.decoder.events)).toBe('TX-NOW');
  });

  it('does not queue a receipt while the printer reports paper out, and prints nothing once paper is back', async () => {
    const { fake, printer, sink, logs } = await rig({ printWindowMs: 30_000 });
    fake.state.paperOut = true;
    await printer.refreshStatus();
    expect(sink.blockedCode()).toBe('PRINTER_PAPER_OUT');
    const started = Date.now();
    expect(await sink.print(sampleReceipt({ txId: 'TX-NO-PAPER' }))).toEqual({ status: 'not_printed', code: 'PRINTER_PAPER_OUT' });
    // Refused at once: the member is not kept waiting for the window (half a minute here).
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(printer.status().queueDepth).toBe(0);
    expect(logs.withCode('PRINTER_PAPER_OUT').map((r) => r.txId)).toEqual(['TX-NO-PAPER']);
    fake.state.paperOut = false;
    await printer.refreshStatus();
    await pause(400); // several status polls with paper back
    expect(cuts(fake)).toBe(0);
  });

  it('withdraws a receipt the printer held back (paper ran out since its last status): it never comes out later', async () => {
    // The driver asks for status only every minute while idle, so the sink still believes the paper is there.
    const { fake, printer, sink } = await rig({ statusIntervalMs: 60_000, printWindowMs: 300 });
    fake.state.paperOut = true;
    expect(sink.blockedCode()).toBeNull();
    const outcome = await sink.print(sampleReceipt({ txId: 'TX-HELD' }));
    // The driver asked before sending, saw paper out and held it; after the window the sink withdrew it.
    expect(outcome).toEqual({ status: 'not_printed', code: 'PRINTER_PAPER_OUT' });
    expect(printer.status().queueDepth).toBe(0);
    fake.state.paperOut = false;
    await printer.refreshStatus(); // what the driver's next status poll does
    // The next receipt after paper is back comes out alone: the withdrawn one never does.
    expect(await sink.print(sampleReceipt({ txId: 'TX-AFTER' }))).toEqual({ status: 'printed', code: null });
    await fake.waitForCut();
    await pause(200);
    expect(fake.cuts.map((c) => c.txId)).toEqual(['TX-AFTER']);
  });

  it('says the printer is offline when it cannot be reached', async () => {
    const { fake, printer, sink } = await rig();
    await fake.close();
    await printer.refreshStatus();
    await pause(100);
    expect(await sink.print(sampleReceipt({ txId: 'TX-OFF' }))).toEqual({ status: 'not_printed', code: 'PRINTER_OFFLINE' });
    expect(sink.health()).toMatchObject({ connected: false, queueDepth: 0 });
  });
});
