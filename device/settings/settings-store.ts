/**
 * Device settings in a small JSON file (lowdb): who this kiosk is, where its hub is, what its receipts say
 * when no signed configuration sets their texts (device/config), which rules version it runs. Human-readable on purpose, so a technician can inspect it. Every read and
 * write goes through the zod schema, so a hand-edited file with a mistake is refused with a clear message
 * instead of half-working. lowdb writes through a temp file and rename, so a crash never leaves it torn.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { z } from 'zod';
import { CodedError } from '../../core/errors/coded-error.ts';
import { DEVICE_ID_PATTERN } from '../../core/wire/topics.ts';

export const deviceSettingsSchema = z.object({
  deviceId: z.string().regex(DEVICE_ID_PATTERN),
  storeId: z.string().min(1).max(64),
  hubUrl: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, 'hub URL is mqtt://, mqtts://, ws:// or wss://'),
  httpPort: z.number().int().min(0).max(65535),
  receiptHeader: z.array(z.string().max(48)).max(10),
  receiptFooter: z.array(z.string().max(48)).max(10),
  /** The rules bundle version the kiosk evaluates with and stamps on every transaction. */
  bundleVersion: z.number().int().nonnegative(),
  /** hub − kiosk clock offset the hub measured at the last connect, stamped on every transaction. */
  clockOffsetMs: z.number().int().optional(),
  clockMeasuredAt: z.string().optional(),
  /** When the kiosk last heard its hub (offline limits: the longest time offline counts from here). */
  lastHubContactAt: z.string().optional(),
  /** How the hub has this kiosk stand, as it last said (device.profile): unattended until the hub says otherwise. */
  kioskMode: z.enum(['unattended', 'attended']).optional(),
});
export type DeviceSettings = z.infer<typeof deviceSettingsSchema>;

export const DEFAULT_RECEIPT = { receiptHeader: ['memberkiosk'], receiptFooter: ['Thank you!'] } as const;

export interface SettingsStore {
  /** Reads the file; creates it from `initial` when missing. `overrides` (from the command line) win and are saved. */
  load(initial: DeviceSettings, overrides?: Partial<DeviceSettings>): Promise<DeviceSettings>;
  get(): DeviceSettings;
  update(patch: Partial<DeviceSettings>): Promise<DeviceSettings>;
}

export function createSettingsStore(path: string): SettingsStore {
  let db: Low<DeviceSettings> | null = null;

  function current(): DeviceSettings {
    if (!db) throw new Error('settings not loaded yet');
    return db.data;
  }

  function check(candidate: unknown): DeviceSettings {
    const parsed = deviceSettingsSchema.safeParse(candidate);
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new CodedError('INTERNAL', `device settings in ${path} are invalid: ${message}`);
    }
    return parsed.data;
  }

  return {
    async load(initial, overrides = {}) {
      mkdirSync(dirname(path), { recursive: true });
      const low = new Low<DeviceSettings>(new JSONFile<DeviceSettings>(path), check(initial));
      await low.read();
      const merged = check({ ...initial, ...low.data, ...stripUndefined(overrides) });
      low.data = merged;
      await low.write();
      db = low;
      return merged;
    },
    get: current,
    async update(patch) {
      const low = db;
      if (!low) throw new Error('settings not loaded yet');
      low.data = check({ ...low.data, ...stripUndefined(patch) });
      await low.write();
      return low.data;
    },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
