/**
 * Tap latency: from the last byte of a UID line written to the reader's end of a socat pty pair to the serial
 * card reader driver's normalized `card` event, over 1,000 taps, beside raw serialport + @serialport/parser-delimiter
 * reading the same bytes from the same pty (the floor any driver on this stack can reach).
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DelimiterParser } from '@serialport/parser-delimiter';
import { pino } from 'pino';
import { SerialPort } from 'serialport';
import { SerialCardReader } from '../../../drivers/card-reader/serial-reader.ts';
import { SocatPtyPair } from '../../../drivers/testing/socat-pty-pair.ts';
import type { BenchFigure } from '../figure.ts';

const TAPS = 1_000;
const WARMUP = 100;

function uidFor(i: number): string {
  return (0x04000000 + i).toString(16).toUpperCase().padStart(8, '0');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Writes each UID line, waits for `arrived` to fire, and records the gap; one tap in flight at a time. */
async function timeTaps(devicePath: string, onArrival: (listener: () => void) => void, offset: number, taps: number): Promise<number[]> {
  const fd = openSync(devicePath, constants.O_RDWR | constants.O_NOCTTY);
  const samples: number[] = [];
  let pending: (() => void) | undefined;
  onArrival(() => pending?.());
  try {
    for (let i = 0; i < WARMUP + taps; i += 1) {
      const line = Buffer.from(`${uidFor(offset + i)}\r\n`, 'latin1');
      const arrived = new Promise<number>((resolve) => {
        pending = () => resolve(performance.now());
      });
      writeSync(fd, line);
      const written = performance.now();
      const at = await arrived;
      if (i >= WARMUP) samples.push(at - written);
    }
  } finally {
    closeSync(fd);
  }
  return samples;
}

async function measureRaw(pair: SocatPtyPair, taps: number): Promise<number[]> {
  const port = new SerialPort({ path: pair.driverPath, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const parser = port.pipe(new DelimiterParser({ delimiter: '\r\n' }));
  try {
    return await timeTaps(pair.devicePath, (listener) => parser.on('data', listener), 0, taps);
  } finally {
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

async function measureDriver(pair: SocatPtyPair, taps: number): Promise<number[]> {
  const reader = new SerialCardReader({ logger: pino({ level: 'silent' }), port: { path: pair.driverPath }, holdGapMs: 60_000 });
  await reader.start();
  try {
    return await timeTaps(pair.devicePath, (listener) => reader.on('card', listener), 100_000, taps);
  } finally {
    await reader.stop();
  }
}

export async function measure(): Promise<BenchFigure[]> {
  const pair = new SocatPtyPair('bench');
  await pair.start();
  try {
    // alternate halves, so neither side gets all of the cold (or all of the warm) part of the run
    const raw: number[] = [];
    const driver: number[] = [];
    for (let round = 0; round < 2; round += 1) {
      raw.push(...(await measureRaw(pair, TAPS / 2)));
      driver.push(...(await measureDriver(pair, TAPS / 2)));
    }
    raw.sort((a, b) => a - b);
    driver.sort((a, b) => a - b);
    const figures: BenchFigure[] = [];
    for (const p of [50, 99]) {
      const value = percentile(driver, p);
      const baseline = percentile(raw, p);
      const ratio = baseline / value;
      const met = value <= 2 * baseline && (p !== 99 || value < 5);
      figures.push({
        name: `tap latency p${p} (serial pty, ${TAPS} taps)`,
        value,
        unit: 'ms',
        baseline,
        ratio,
        target: p === 99 ? 'p99 < 5 ms and <= 2x raw parser' : '<= 2x raw parser',
        met,
        notes: 'last UID byte written to the pty -> SerialCardReader card event; baseline: serialport + parser-delimiter data event',
      });
    }
    return figures;
  } finally {
    await pair.dispose();
  }
}
