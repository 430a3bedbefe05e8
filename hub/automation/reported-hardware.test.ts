import { describe, expect, it } from 'vitest';
import { printerWord, readerWord } from './reported-hardware.ts';

const printer = { kind: 'serial', connected: true, online: true, paperOut: false, paperNearEnd: false, coverOpen: false };

describe("a kiosk's reported hardware in the kiosk's words", () => {
  it('words the printer as the kiosk screen does: offline before paper out before cover open before paper low', () => {
    expect(printerWord({ printer })).toBe('ready');
    expect(printerWord({ printer: { ...printer, paperNearEnd: true } })).toBe('paper_low');
    expect(printerWord({ printer: { ...printer, coverOpen: true, paperNearEnd: true } })).toBe('error');
    expect(printerWord({ printer: { ...printer, paperOut: true, coverOpen: true } })).toBe('paper_out');
    expect(printerWord({ printer: { ...printer, online: false, paperOut: true } })).toBe('offline');
    expect(printerWord({ printer: { ...printer, connected: false } })).toBe('offline');
  });

  it('words the reader: ready when connected, missing when its port is gone or not found yet, else error', () => {
    expect(readerWord({ cardReader: { connected: true } })).toBe('ready');
    expect(readerWord({ cardReader: { connected: false } })).toBe('missing');
    expect(readerWord({ cardReader: { connected: false, lastError: { code: 'DRIVER_PORT_LOST' } } })).toBe('missing');
    expect(readerWord({ cardReader: { connected: false, lastError: { code: 'DRIVER_PCSC_READER_ERROR' } } })).toBe('error');
  });

  it('takes a word a report already says, and gives null for what it cannot read', () => {
    expect(printerWord({ printer: { state: 'paper_out' } })).toBe('paper_out');
    expect(readerWord({ cardReader: { status: 'ready' } })).toBe('ready');
    for (const drivers of [null, {}, { printer: 'on' }, { printer: [] }, { printer: { connected: 'yes' } }, { cardReader: null }]) {
      expect(printerWord(drivers)).toBeNull();
      expect(readerWord(drivers)).toBeNull();
    }
  });
});
