import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensurePcscd } from '../testing/pcscd.ts';
import { testLogger } from '../testing/test-logger.ts';
import { lockVirtualReader } from '../testing/virtual-reader-lock.ts';
import { VirtualVpcdCard } from '../testing/virtual-vpcd-card.ts';
import { waitForEvent } from '../testing/wait-for-event.ts';
import { createRealNfc } from './nfc-pcsc-factory.ts';
import type { NfcLike, NfcReaderLike } from './nfc-pcsc-types.ts';
import { PcscCardReader } from './pcsc-reader.ts';
import type { CardRemoved, CardTap, DriverHealth } from './types.ts';

/**
 * The real stack end to end: PcscCardReader → nfc-pcsc → libpcsclite → pcscd → vsmartcard vpcd → a virtual
 * tag of our own over TCP. Reader "Virtual PCD 00 00" takes cards on port 35963.
 */
const READER = 'Virtual PCD 00 00';
const FAST_BACKOFF = { initialMs: 50, maxMs: 500, factor: 2, jitter: 0 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

let releaseReader: (() => void) | undefined;
beforeAll(async () => {
  await ensurePcscd();
  // scripts/commands/drivers-pcsc-cli.test.ts puts its cards on the same reader
  releaseReader = await lockVirtualReader(35963);
});
afterAll(() => releaseReader?.());

function card(uid: string, memberNumber?: string): VirtualVpcdCard {
  const memory = Buffer.alloc(64);
  if (memberNumber) Buffer.from(memberNumber, 'latin1').copy(memory, 16); // page 4 onwards
  const c = new VirtualVpcdCard({ uid, memory });
  cleanups.push(() => c.remove());
  return c;
}

async function startedReader(nfcs: NfcLike[] = []) {
  const reader = new PcscCardReader({
    logger: testLogger(),
    acceptReader: (name) => name === READER,
    memberNumber: { block: 4, length: 16 },
    backoff: FAST_BACKOFF,
    nfcFactory: async () => {
      const nfc = await createRealNfc();
      nfcs.push(nfc);
      return nfc;
    },
  });
  cleanups.push(() => reader.stop());
  const attached = waitForEvent<DriverHealth>(reader, 'health', 10_000, (h) => h.connected);
  await reader.start();
  await attached;
  return reader;
}

// one tap per card, removal, two cards in order, idempotent start/stop, restart: card-reader-contract.test.ts
describe('PcscCardReader through pcscd and vpcd', () => {
  it('reports a tap with the UID and member number, then the removal', async () => {
    const reader = await startedReader();
    const tapped = waitForEvent<CardTap>(reader, 'card', 10_000);
    const tag = card('04A1B2C3D4E5F6', 'M000123456');
    await tag.insert();
    const tap = await tapped;
    expect(tap).toMatchObject({ uid: '04A1B2C3D4E5F6', readerName: READER, memberNumber: 'M000123456' });
    const removed = waitForEvent<CardRemoved>(reader, 'card.removed', 10_000);
    await tag.remove();
    expect(await removed).toEqual({ uid: '04A1B2C3D4E5F6', readerName: READER });
    expect(tag.apdus.map((a) => a.toString('hex'))).toEqual(['ffca000000', 'ffb0000410']);
    // a tag without a member number still taps, without one
    const plainTapped = waitForEvent<CardTap>(reader, 'card', 10_000);
    const plain = card('08AABBCC');
    await plain.insert();
    const plainTap = await plainTapped;
    expect(plainTap.uid).toBe('08AABBCC');
    expect(plainTap.memberNumber).toBeUndefined();
    // taken away before the next test's card: vpcd needs pcscd to notice one card gone before the next arrives
    const plainRemoved = waitForEvent<CardRemoved>(reader, 'card.removed', 10_000);
    await plain.remove();
    await plainRemoved;
  });

  it('recovers when its reader ends (pcsclite reader closed) by opening a new PC/SC context', async () => {
    const nfcs: NfcLike[] = [];
    const reader = await startedReader(nfcs);
    const liveContext = nfcs[nfcs.length - 1]!;
    // vpcd readers cannot be unplugged; closing the reader through pcsclite produces the same 'end' event a
    // detached USB reader does, and the old context never announces it again.
    const pcscReader = (liveContext as unknown as { readers: Record<string, { close(): void; state?: number }> }).readers[READER];
    expect(pcscReader, 'pcsclite lists the vpcd reader').toBeDefined();
    const down = waitForEvent<DriverHealth>(reader, 'health', 5_000, (h) => !h.connected);
    // close() only ends a reader whose status thread already reported once (pcsclite sets .state then)
    for (let i = 0; i < 200 && pcscReader!.state === undefined; i += 1) await new Promise((r) => setTimeout(r, 10));
    pcscReader!.close();
    expect((await down).lastError?.code).toBe('DRIVER_PORT_LOST');
    const up = waitForEvent<DriverHealth>(reader, 'health', 10_000, (h) => h.connected);
    expect((await up).reconnects).toBe(1);
    expect(nfcs.length).toBeGreaterThan(1);
    const tapped = waitForEvent<CardTap>(reader, 'card', 10_000);
    const tag = card('04CAFEBABE0001');
    await tag.insert();
    expect((await tapped).uid).toBe('04CAFEBABE0001');
  });

  it('reports a card that fails to read as DRIVER_PCSC_READER_ERROR naming its reader, and reads the next card', async () => {
    const reader = await startedReader();
    for (const getUid of [{ statusWord: [0x6a, 0x81] as const }, 'drop' as const]) {
      const failed = waitForEvent<DriverHealth>(reader, 'health', 10_000, (h) => h.lastError?.code === 'DRIVER_PCSC_READER_ERROR');
      const bad = new VirtualVpcdCard({ uid: '04BAD00000BAD0', getUid });
      cleanups.push(() => bad.remove());
      await bad.insert();
      const health = await failed;
      expect(health.lastError?.message).toContain(`${READER}: `);
      expect(health.connected).toBe(true);
      await bad.remove();
    }
    // vpcd shows a new card only once pcscd has seen the last one go, which nothing here reports: present it again until it taps
    const tapped = waitForEvent<CardTap>(reader, 'card', 10_000);
    let tap: CardTap | undefined;
    void tapped.then((t) => (tap = t));
    for (let attempt = 0; attempt < 5 && !tap; attempt += 1) {
      const good = card('04600D00000001');
      await good.insert();
      for (let i = 0; i < 12 && !tap; i += 1) await new Promise((r) => setTimeout(r, 100));
      if (!tap) await good.remove();
    }
    expect((await tapped).uid).toBe('04600D00000001');
  });

  it('survives a card that fails to read on a reader it does not use', async () => {
    const seen: NfcReaderLike[] = [];
    const thrown: unknown[] = [];
    const reader = new PcscCardReader({
      logger: testLogger(),
      acceptReader: (name) => name === 'no such reader',
      backoff: FAST_BACKOFF,
      nfcFactory: async () => {
        const nfc = await createRealNfc();
        // Watch what nfc-pcsc emits on the ignored reader: an 'error' without a listener throws out of emit().
        nfc.on('reader', (r) => {
          if (r.reader.name !== READER) return;
          seen.push(r);
          const emit = (r as unknown as { emit: (event: string, ...args: unknown[]) => boolean }).emit.bind(r);
          (r as unknown as { emit: typeof emit }).emit = (event, ...args) => {
            try {
              return emit(event, ...args);
            } catch (error) {
              if (event === 'error') thrown.push(error);
              return false;
            }
          };
        });
        return nfc;
      },
    });
    cleanups.push(() => reader.stop());
    await reader.start();
    const bad = new VirtualVpcdCard({ uid: '04BAD00000BAD1', getUid: { statusWord: [0x6a, 0x81] } });
    cleanups.push(() => bad.remove());
    await bad.insert();
    for (let i = 0; i < 50 && bad.apdus.length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 200)); // the refused answer travels back to nfc-pcsc
    expect(seen.length, 'nfc-pcsc announced the reader (once per PC/SC context the driver opened)').toBeGreaterThan(0);
    expect(bad.apdus.map((a) => a.toString('hex'))).toContain('ffca000000');
    expect(thrown).toEqual([]);
    expect(reader.health().lastError?.code).not.toBe('DRIVER_PCSC_READER_ERROR');
  });

  it('reports pcscd missing as a coded health error instead of hanging', async () => {
    const reader = new PcscCardReader({
      logger: testLogger(),
      backoff: FAST_BACKOFF,
      nfcFactory: () => {
        throw Object.assign(new Error('pcscd does not answer'), { code: 'DRIVER_PCSC_UNAVAILABLE' });
      },
    });
    cleanups.push(() => reader.stop());
    await reader.start();
    expect(reader.health()).toMatchObject({ connected: false, lastError: { code: 'DRIVER_PCSC_UNAVAILABLE' } });
  });
});

