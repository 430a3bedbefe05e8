import { closeSync, openSync, writeSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SocatPtyPair } from '../testing/socat-pty-pair.ts';
import { testLogger } from '../testing/test-logger.ts';
import { collectEvents, waitForEvent } from '../testing/wait-for-event.ts';
import { lineFraming } from './line-framing.ts';
import { SerialCardReader, type SerialCardReaderOptions } from './serial-reader.ts';
import { encodeStxEtxFrame, stxEtxFraming } from './stx-etx-framing.ts';
import type { CardTap, DriverHealth } from './types.ts';

const FAST_BACKOFF = { initialMs: 30, maxMs: 300, factor: 2, jitter: 0 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** The real driver on the kiosk end of a fresh socat pty pair; `write` plays the reader hardware on the other end. */
async function rig(options: Partial<SerialCardReaderOptions> = {}) {
  const pair = new SocatPtyPair('reader');
  cleanups.push(() => pair.dispose());
  await pair.start();
  const reader = new SerialCardReader({ logger: testLogger(), port: { path: pair.driverPath }, backoff: FAST_BACKOFF, ...options });
  cleanups.push(() => reader.stop());
  let fd = openSync(pair.devicePath, 'r+');
  cleanups.push(() => closeSync(fd));
  await reader.start();
  expect(reader.health().connected).toBe(true);
  return {
    pair,
    reader,
    write: (bytes: string | Buffer) => writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes),
    /** After socat restarted, the device end is a new pty. */
    reopenDevice: () => {
      closeSync(fd);
      fd = openSync(pair.devicePath, 'r+');
    },
  };
}

describe('SerialCardReader over a socat pty pair', () => {
  // one tap per line, uppercase, held cards, removal, order, idempotent start/stop, restart: card-reader-contract.test.ts
  it('accepts UIDs with separators and names taps after the port by default', async () => {
    const { reader, write } = await rig();
    const taps = collectEvents<CardTap>(reader, 'card');
    write('04-a1 b2.c3\r\n');
    await waitForEvent(reader, 'card');
    write('04:D5:E6:F7:08:19:2A\r\n');
    await waitForEvent(reader, 'card');
    expect(taps.items.map((t) => t.uid)).toEqual(['04A1B2C3', '04D5E6F708192A']);
    expect(taps.items[0]!.readerName).toContain('kiosk');
    expect(reader.health().framesRejected).toBe(0);
  });

  it('honours a configured delimiter (CR only)', async () => {
    const { reader, write } = await rig({ framing: lineFraming('\r') });
    const tap = waitForEvent<CardTap>(reader, 'card');
    write('DEADBEEF\r');
    expect((await tap).uid).toBe('DEADBEEF');
  });

  it('reads STX…ETX frames with an XOR checksum and rejects a bad checksum and a truncated frame', async () => {
    const { reader, write } = await rig({ framing: stxEtxFraming('xor') });
    const taps = collectEvents<CardTap>(reader, 'card');
    write(encodeStxEtxFrame('0A001B2C3D'));
    await waitForEvent(reader, 'card');
    const bad = Buffer.from(encodeStxEtxFrame('0A001B2C3E'));
    bad[bad.length - 2] = 0x30; // corrupt the checksum's last digit
    write(bad);
    await waitForEvent<DriverHealth>(reader, 'health', 3_000, (h) => h.framesRejected === 1);
    // a frame cut off mid-way, then a complete one: the fragment is rejected, the complete frame taps
    write(Buffer.concat([encodeStxEtxFrame('0B11223344').subarray(0, 6), encodeStxEtxFrame('0B11223344')]));
    await waitForEvent(reader, 'card');
    expect(taps.items.map((t) => t.uid)).toEqual(['0A001B2C3D', '0B11223344']);
    expect(reader.health().framesRejected).toBe(2);
    expect(reader.health().lastError?.code).toBe('DRIVER_FRAME_REJECTED');
  });

  it('counts garbage and endless bytes without a delimiter, and keeps reading afterwards', async () => {
    const { reader, write } = await rig();
    write('hello world!\r\n');
    write(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a]));
    write('x'.repeat(300)); // no line ending within the longest frame: dropped, not buffered forever
    await waitForEvent<DriverHealth>(reader, 'health', 3_000, (h) => h.framesRejected >= 3);
    const tap = waitForEvent<CardTap>(reader, 'card');
    write('\r\n04A1B2C3\r\n');
    expect((await tap).uid).toBe('04A1B2C3');
    expect(reader.health().connected).toBe(true);
  });

  it('reconnects by itself when the port disappears and comes back (socat ended and restarted)', async () => {
    const { pair, reader, write, reopenDevice } = await rig();
    const down = waitForEvent<DriverHealth>(reader, 'health', 5_000, (h) => !h.connected);
    await pair.stop();
    const lost = await down;
    expect(lost.lastError?.code).toBe('DRIVER_PORT_LOST');
    const up = waitForEvent<DriverHealth>(reader, 'health', 10_000, (h) => h.connected);
    await pair.start();
    expect((await up).reconnects).toBe(1);
    reopenDevice();
    const tap = waitForEvent<CardTap>(reader, 'card');
    write('04A1B2C3\r\n');
    expect((await tap).uid).toBe('04A1B2C3');
  });

  it('finds its port by USB vendor/product instead of a tty path, and reports a missing one', async () => {
    const pair = new SocatPtyPair('usb');
    cleanups.push(() => pair.dispose());
    await pair.start();
    let attached = true;
    const listPorts = async () => (attached ? [{ path: pair.driverPath, vendorId: '1A86', productId: '7523' }] : []);
    const reader = new SerialCardReader({
      logger: testLogger(),
      port: { vendorId: '1a86', productId: '7523' },
      listPorts,
      backoff: FAST_BACKOFF,
    });
    cleanups.push(() => reader.stop());
    attached = false;
    await reader.start();
    expect(reader.health()).toMatchObject({ connected: false, lastError: { code: 'DRIVER_PORT_NOT_FOUND' } });
    const up = waitForEvent<DriverHealth>(reader, 'health', 5_000, (h) => h.connected);
    attached = true;
    await up;
    const fd = openSync(pair.devicePath, 'r+');
    cleanups.push(() => closeSync(fd));
    const tap = waitForEvent<CardTap>(reader, 'card');
    writeSync(fd, '11223344\r\n');
    expect((await tap).uid).toBe('11223344');
  });
});
