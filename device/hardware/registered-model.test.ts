/**
 * A reader model that exists only in this test, registered with the driver registry the way a new model is
 * added (a kind, a zod schema, a flag form and an option, a constructor): without a change outside drivers/,
 * the kiosk's hardware config accepts it, `memberkiosk device`'s flags read it and its help shows it, the
 * device builds it and reports it — all through device/hardware's public functions and createDevice.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CardReader, CardReaderEvents, DriverHealth } from '../../drivers/card-reader/types.ts';
import { cardReaders, choiceOption, defineModel, registryFlagSpecs } from '../../drivers/registry/index.ts';
import { createDevice, deviceConfigSchema } from '../main.ts';
import type { CardReaderHealth, CardTap } from '../ports.ts';
import { createCaptureLogger } from '../test-support/capture-logger.ts';
import { makeTempDir } from '../test-support/temp-dir.ts';
import { buildHardware } from './build-hardware.ts';
import { hardwareConfigSchema } from './hardware-config.ts';
import { hardwareFlagOptions, hardwareFlagUsage, parseHardwareFlags } from './parse-hardware-flags.ts';

/** A reader on a numbered channel that taps whatever the test presents. */
class DummyReader extends EventEmitter<CardReaderEvents> implements CardReader {
  #running = false;

  constructor(
    readonly channel: number,
    readonly speed: 'slow' | 'fast',
  ) {
    super();
  }

  async start(): Promise<void> {
    this.#running = true;
    this.emit('health', this.health());
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.emit('health', this.health());
  }

  health(): DriverHealth {
    return { driver: 'dummy-reader', connected: this.#running, framesRejected: 0, reconnects: 0 };
  }

  present(uid: string): void {
    if (this.#running) this.emit('card', { uid, readerName: `dummy channel ${this.channel}`, at: Date.parse('2026-03-01T10:00:00.000Z') });
  }
}

const dummyReaderModel = defineModel({
  kind: 'dummy',
  noun: 'dummy readers',
  schema: z.object({ kind: z.literal('dummy'), channel: z.number().int().min(1).max(9), speed: z.enum(['slow', 'fast']).default('slow') }),
  flags: {
    forms: [
      {
        usage: 'dummy:CHANNEL',
        parse(text) {
          const match = /^dummy:(\d+)$/.exec(text);
          return match ? { kind: 'dummy', channel: Number(match[1]) } : undefined;
        },
      },
    ],
    options: [choiceOption({ name: 'speed', value: 'S', field: 'speed', choices: ['slow', 'fast'], help: 'dummy readers: slow (default) | fast' })],
  },
  describe: (config) => `dummy channel ${config.channel}`,
  create: (config) => new DummyReader(config.channel, config.speed),
});

describe('a reader model registered with the driver registry, and nothing else changed', () => {
  let unregister: () => void;
  beforeAll(() => {
    unregister = cardReaders.register(dummyReaderModel);
  });
  afterAll(() => unregister());

  it('is accepted by the hardware config schema (and the device config built before it was registered), with its defaults and its checks', () => {
    expect(hardwareConfigSchema.parse({ reader: { kind: 'dummy', channel: 3 } })).toEqual({
      reader: { kind: 'dummy', channel: 3, speed: 'slow' },
      printer: { kind: 'simulated' },
      paperWidthMm: 58,
      language: 'zh',
    });
    const device = deviceConfigSchema.parse({ deviceId: 'k', storeId: 's', hubUrl: 'mqtt://127.0.0.1:1', dataDir: '/tmp/x', httpPort: 0, hardware: { reader: { kind: 'dummy', channel: 9, speed: 'fast' } } });
    expect(device.hardware.reader).toEqual({ kind: 'dummy', channel: 9, speed: 'fast' });
    const bad = hardwareConfigSchema.safeParse({ reader: { kind: 'dummy', channel: 12 } });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['reader.channel']);
    expect(hardwareConfigSchema.safeParse({ reader: { kind: 'nope' } }).error?.issues[0]?.message).toMatch(/unknown card reader kind 'nope' \(known: .*dummy/);
  });

  it('is read from the kiosk command line, its option included, and its help shows both', () => {
    const { values } = parseArgs({ args: ['--reader', 'dummy:3', '--reader-speed', 'fast', '--paper', '80'], options: hardwareFlagOptions(), strict: true });
    expect(hardwareConfigSchema.parse(parseHardwareFlags(values))).toMatchObject({ reader: { kind: 'dummy', channel: 3, speed: 'fast' }, paperWidthMm: 80 });
    const usage = hardwareFlagUsage();
    expect(usage.synopsis).toContain('[--reader-speed S]');
    expect(usage.lines.find((l) => l.trimStart().startsWith('--reader '))).toContain('dummy:CHANNEL');
    expect(usage.lines).toContainEqual(expect.stringMatching(/^ {2}--reader-speed +dummy readers: slow \(default\) \| fast$/));
    // Refusals name its form and its option like any other model's, in one line.
    expect(() => parseHardwareFlags({ reader: 'dummy:x' })).toThrow(/^--reader 'dummy:x' is not one of: .*dummy:CHANNEL$/);
    expect(() => parseHardwareFlags({ reader: 'dummy:3', 'reader-speed': 'warp' })).toThrow("--reader-speed is slow or fast, not 'warp'");
    expect(() => parseHardwareFlags({ reader: 'serial:/dev/ttyUSB0', 'reader-speed': 'fast' })).toThrow('--reader-speed applies to dummy readers only');
    // The technician tools (`memberkiosk drivers watch`) take the same option, bare.
    expect(registryFlagSpecs(cardReaders, 'technician').map((s) => s.name)).toContain('speed');
  });

  it('is built and adapted to the kiosk card source: its taps reach the session as device taps', async () => {
    const hardware = buildHardware({ reader: { kind: 'dummy', channel: 4 }, printer: { kind: 'simulated' } }, createCaptureLogger().logger);
    expect(hardware.simulatedCards).toBeNull();
    const source = hardware.cardSource;
    const reader = source.reader as DummyReader;
    expect(reader).toBeInstanceOf(DummyReader);
    expect({ channel: reader.channel, speed: reader.speed }).toEqual({ channel: 4, speed: 'slow' });
    const taps: CardTap[] = [];
    source.on('card', (tap) => taps.push(tap));
    await source.start();
    expect(source.health()).toEqual<CardReaderHealth>({ kind: 'dummy', connected: true, reconnects: 0, framesRejected: 0 });
    reader.present('04AABBCCDD');
    expect(taps).toEqual([{ uid: '04AABBCCDD', readerName: 'dummy channel 4', at: '2026-03-01T10:00:00.000Z' }]);
    await source.stop();
  });

  it('runs in a kiosk: createDevice builds it and reports it; the simulated-tap route does not exist without a simulated reader', async () => {
    const temp = makeTempDir();
    const device = createDevice({
      deviceId: 'kiosk-dummy',
      storeId: 'store-1',
      hubUrl: 'mqtt://127.0.0.1:1',
      dataDir: join(temp.dir, 'kiosk'),
      httpPort: 0,
      logLevel: 'silent',
      hardware: { reader: { kind: 'dummy', channel: 2 } },
    });
    try {
      const { apiUrl } = await device.start();
      const state = (await (await fetch(`${apiUrl}/state`)).json()) as { drivers: { cardReader: CardReaderHealth } };
      expect(state.drivers.cardReader).toMatchObject({ kind: 'dummy', connected: true });
      const tap = await fetch(`${apiUrl}/sim/tap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: '04AABBCCDD' }) });
      // Only the simulated reader opens /api/sim/tap: on a kiosk with a real (or dummy) reader nobody can fake a tap.
      expect(tap.status).toBe(404);
      expect(((await tap.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    } finally {
      await device.stop();
      temp.cleanup();
    }
  });
});
