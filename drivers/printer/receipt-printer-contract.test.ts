import { describe, expect, it } from 'vitest';
import { FakeSerialPrinter, FakeTcpPrinter, type FakePaperState } from '../testing/fake-printer.ts';
import { SocatPtyPair } from '../testing/socat-pty-pair.ts';
import { testLogger } from '../testing/test-logger.ts';
import { EscposReceiptPrinter } from './escpos-printer.ts';
import { describeReceiptPrinterContract, type ReceiptPrinterHarness } from './receipt-printer-contract.ts';
import { SerialPrinterTransport } from './serial-transport.ts';
import { SimulatedPrinter } from './simulated-printer.ts';
import { TcpPrinterTransport } from './tcp-transport.ts';

const FAST_BACKOFF = { initialMs: 30, maxMs: 300, factor: 2, jitter: 0 };

/** What a sequence of fake printers (one per power cycle) printed, and the paper state carried between them. */
class FarSide<P extends FakeTcpPrinter | FakeSerialPrinter> {
  current: P | undefined;
  private readonly earlier: P[] = [];
  paper: FakePaperState = { paperOut: false, paperNearEnd: false, coverOpen: false };

  on(fake: P): void {
    fake.state = this.paper;
    this.current = fake;
  }

  off(): P | undefined {
    const fake = this.current;
    this.current = undefined;
    if (fake) this.earlier.push(fake);
    return fake;
  }

  setPaper(state: { paperOut?: boolean; coverOpen?: boolean }): void {
    Object.assign(this.paper, state);
  }

  private cuts() {
    return [...this.earlier, ...(this.current ? [this.current] : [])].flatMap((f) => f.cuts);
  }

  printedTxIds(): string[] {
    return this.cuts().map((c) => c.txId ?? '(receipt without a QR)');
  }

  printedWhileUnable(): string[] {
    return this.cuts()
      .filter((c) => c.paperOut || c.coverOpen)
      .map((c) => c.txId ?? '(receipt without a QR)');
  }
}

/** EscposReceiptPrinter over TCP to a fake network printer on 127.0.0.1; off = connection refused on its port. */
async function tcpHarness(): Promise<ReceiptPrinterHarness> {
  const far = new FarSide<FakeTcpPrinter>();
  const first = new FakeTcpPrinter();
  await first.listen();
  const port = first.port;
  far.on(first);
  const printer = new EscposReceiptPrinter({
    logger: testLogger(),
    transport: new TcpPrinterTransport({ host: '127.0.0.1', port }),
    backoff: FAST_BACKOFF,
    statusIntervalMs: 100,
    statusTimeoutMs: 300,
  });
  return {
    printer,
    driver: 'escpos-printer',
    setOnline: async (online) => {
      if (!online) return void (await far.off()?.close());
      if (far.current) return;
      const fake = new FakeTcpPrinter();
      await fake.listen(port);
      far.on(fake);
    },
    setPaper: async (state) => far.setPaper(state),
    printedTxIds: () => far.printedTxIds(),
    printedWhileUnable: () => far.printedWhileUnable(),
    dispose: async () => {
      await printer.stop();
      await far.off()?.close();
    },
  };
}

/**
 * EscposReceiptPrinter over a serial line: the kiosk end of a socat pty pair, a fake serial printer on the
 * other. Off = socat ended (the USB-serial adapter pulled), on = socat restarted on the same names.
 */
async function serialHarness(): Promise<ReceiptPrinterHarness> {
  const far = new FarSide<FakeSerialPrinter>();
  const pair = new SocatPtyPair('printer-contract');
  let printer: EscposReceiptPrinter | undefined;
  const powerOn = async (): Promise<void> => {
    if (far.current) return;
    await pair.start();
    const fake = new FakeSerialPrinter(pair.devicePath);
    await fake.open();
    far.on(fake);
  };
  const dispose = async (): Promise<void> => {
    await printer?.stop();
    await far.off()?.close();
    await pair.dispose();
  };
  try {
    await powerOn();
  } catch (error) {
    await dispose();
    throw error;
  }
  printer = new EscposReceiptPrinter({
    logger: testLogger(),
    transport: new SerialPrinterTransport({ port: { path: pair.driverPath } }),
    backoff: FAST_BACKOFF,
    statusIntervalMs: 100,
    statusTimeoutMs: 300,
  });
  return {
    printer,
    driver: 'escpos-printer',
    setOnline: async (online) => {
      if (online) return powerOn();
      await far.off()?.close();
      await pair.stop();
    },
    setPaper: async (state) => far.setPaper(state),
    printedTxIds: () => far.printedTxIds(),
    printedWhileUnable: () => far.printedWhileUnable(),
    dispose,
  };
}

async function simulatedHarness(): Promise<ReceiptPrinterHarness> {
  const printer = new SimulatedPrinter({ logger: testLogger() });
  const unable: string[] = [];
  printer.on('job.printed', ({ txId }) => {
    const s = printer.status();
    if (s.paperOut || s.coverOpen || !s.online) unable.push(txId);
  });
  return {
    printer,
    driver: 'simulated-printer',
    setOnline: async (online) => printer.setOnline(online),
    setPaper: async (state) => printer.setPaper(state),
    printedTxIds: () => printer.printed.map((p) => p.receipt.txId),
    printedWhileUnable: () => unable,
    dispose: () => printer.stop(),
  };
}

describeReceiptPrinterContract('EscposReceiptPrinter over TCP to a fake network printer', tcpHarness);
describeReceiptPrinterContract('EscposReceiptPrinter over a socat pty to a fake serial printer', serialHarness);
describeReceiptPrinterContract('SimulatedPrinter', simulatedHarness);

describe('receipt printer contract coverage', () => {
  // The suites above assert inside receipt-printer-contract.ts; this guards the list itself: every printer
  // implementation and transport the kiosk can be configured with must stay under the contract.
  it('puts every ReceiptPrinter implementation and transport under the contract', async () => {
    const harnesses = await Promise.all([tcpHarness(), serialHarness(), simulatedHarness()]);
    try {
      expect(new Set(harnesses.map((h) => h.printer.constructor))).toEqual(new Set([EscposReceiptPrinter, SimulatedPrinter]));
      expect(harnesses.map((h) => h.driver)).toEqual(['escpos-printer', 'escpos-printer', 'simulated-printer']);
    } finally {
      await Promise.all(harnesses.map((h) => h.dispose()));
    }
  });
});
