import { describe, expect, it } from 'vitest';
import { closeSync, openSync, writeSync } from 'node:fs';
import { ensurePcscd } from '../testing/pcscd.ts';
import { SocatPtyPair } from '../testing/socat-pty-pair.ts';
import { testLogger } from '../testing/test-logger.ts';
import { VirtualVpcdCard } from '../testing/virtual-vpcd-card.ts';
import { describeCardReaderContract, type CardReaderHarness } from './card-reader-contract.ts';
import { lineFraming } from './line-framing.ts';
import { PcscCardReader } from './pcsc-reader.ts';
import { SerialCardReader } from './serial-reader.ts';
import { SimulatedCardReader } from './simulated-reader.ts';
import { encodeStxEtxFrame, stxEtxFraming } from './stx-etx-framing.ts';
import type { Framing } from './framing.ts';

const FAST_BACKOFF = { initialMs: 30, maxMs: 300, factor: 2, jitter: 0 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A serial reader on the kiosk end of a socat pty pair; the test writes the reader module's bytes on the other
 * end. Holding a card repeats its frame every 40 ms, well inside the driver's own hold gap (600 ms): with a 200 ms gap
 * a full run's busy moment stalled this process long enough between two frames that one hold became two taps.
 */
function serialHarness(framing: Framing, frame: (uid: string) => Buffer): () => Promise<CardReaderHarness> {
  return async () => {
    const pair = new SocatPtyPair('contract');
    let fd: number | undefined;
    let reader: SerialCardReader | undefined;
    const dispose = async (): Promise<void> => {
      await reader?.stop();
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      await pair.dispose();
    };
    try {
      await pair.start();
      fd = openSync(pair.devicePath, 'r+');
      reader = new SerialCardReader({
        logger: testLogger(),
        port: { path: pair.driverPath },
        readerName: 'serial-contract',
        framing,
        backoff: FAST_BACKOFF,
      });
    } catch (error) {
      await dispose();
      throw error;
    }
    const write = (bytes: Buffer): void => {
      if (fd === undefined) throw new Error('serial harness already disposed');
      writeSync(fd, bytes);
    };
    return {
      reader,
      driver: 'serial-reader',
      readerName: 'serial-contract',
      present: async (uid) => write(frame(uid)),
      hold: async (uid) => {
        for (let i = 0; i < 5; i += 1) {
          await sleep(40);
          write(frame(uid));
        }
      },
      // the module simply stops sending; the driver's hold gap turns the silence into the removal
      remove: async () => undefined,
      dispose,
    };
  };
}

/** RDM6300-style frames, hex digits in lowercase so the driver's normalization is exercised. */
const stxEtxFrame = (uid: string): Buffer => Buffer.from(encodeStxEtxFrame(uid).toString('latin1').toLowerCase(), 'latin1');

/**
 * The real stack: PcscCardReader → nfc-pcsc → libpcsclite → pcscd → vsmartcard vpcd → a virtual tag over TCP.
 * Uses "Virtual PCD 00 01" (port 35964) so it does not share a reader with pcsc-reader.test.ts, which vitest may
 * run at the same time on "00 00". Without pcscd this fails (ensurePcscd throws with what to install).
 */
const PCSC_READER = 'Virtual PCD 00 01';
const PCSC_PORT = 35964;

/**
 * pcscd polls vpcd about every 400 ms. A virtual card connecting before pcscd noticed that the previous one left
 * fails to power up ("Error powering up card" in pcscd's log) and then reads as an ISO 14443-4 tag without a
 * UID, so the harness keeps a removed card out of the field that long, as a hand would anyway.
 */
const VPCD_POLL_MS = 500;

async function pcscHarness(): Promise<CardReaderHarness> {
  await ensurePcscd();
  const reader = new PcscCardReader({
    logger: testLogger(),
    acceptReader: (name) => name === PCSC_READER,
    backoff: { initialMs: 50, maxMs: 500, factor: 2, jitter: 0 },
  });
  let card: VirtualVpcdCard | undefined;
  let removedAt = 0;
  const remove = async (): Promise<void> => {
    const c = card;
    card = undefined;
    if (!c) return;
    await c.remove();
    removedAt = Date.now();
  };
  return {
    reader,
    driver: 'pcsc-reader',
    readerName: PCSC_READER,
    present: async (uid) => {
      await remove();
      const away = Date.now() - removedAt;
      if (away < VPCD_POLL_MS) await sleep(VPCD_POLL_MS - away);
      const next = new VirtualVpcdCard({ uid, port: PCSC_PORT });
      card = next;
      await next.insert();
      // pcscd has seen the card once it asked for its ATR
      await next.waitForPowerUp();
    },
    // a PC/SC reader reports the card once and then its removal; holding is time in the field, longer than the
    // driver's 150 ms bounce window
    hold: async () => {
      await sleep(250);
    },
    remove,
    dispose: async () => {
      await reader.stop();
      await remove();
    },
  };
}

async function simulatedHarness(): Promise<CardReaderHarness> {
  const reader = new SimulatedCardReader({ logger: testLogger(), readerName: 'sim-contract' });
  return {
    reader,
    driver: 'simulated-reader',
    readerName: 'sim-contract',
    present: async (uid) => void reader.tap(uid),
    // tapping the card still on the reader is what holding looks like to the simulator
    hold: async (uid) => void reader.tap(uid),
    remove: async () => reader.remove(),
    dispose: () => reader.stop(),
  };
}

describeCardReaderContract('SerialCardReader, CR LF lines, socat pty', serialHarness(lineFraming(), (uid) => Buffer.from(`${uid}\r\n`, 'latin1')));
describeCardReaderContract('SerialCardReader, STX/ETX with XOR checksum, socat pty', serialHarness(stxEtxFraming('xor'), stxEtxFrame));
describeCardReaderContract('PcscCardReader, real pcscd + vpcd virtual card', pcscHarness);
describeCardReaderContract('SimulatedCardReader', simulatedHarness);

describe('card reader contract coverage', () => {
  // The suites above assert inside card-reader-contract.ts; this guards the list itself: every reader
  // implementation the kiosk can be configured with must stay under the contract.
  it('puts every CardReader implementation under the contract', async () => {
    const harnesses = await Promise.all([
      serialHarness(lineFraming(), (uid) => Buffer.from(`${uid}\r\n`, 'latin1'))(),
      pcscHarness(),
      simulatedHarness(),
    ]);
    try {
      const covered = new Set(harnesses.map((h) => h.reader.constructor));
      expect(covered).toEqual(new Set([SerialCardReader, PcscCardReader, SimulatedCardReader]));
      expect(harnesses.map((h) => h.driver)).toEqual(['serial-reader', 'pcsc-reader', 'simulated-reader']);
    } finally {
      await Promise.all(harnesses.map((h) => h.dispose()));
    }
  });
});
