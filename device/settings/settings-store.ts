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
import { storeProfileSchema } from '../../core/fleet/store-profile.ts';
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
  /**
   * The store's profile as the hub last said (device.profile): name, address and phone for the top of receipts,
   * the time zone for their times and the screen's. Kept so a kiosk that restarts offline still prints them.
   */
  storeProfile: storeProfileSchema.optional(),
});
export type DeviceSettings = z.infer<typeof deviceSettingsSchema>;

/** No receipt texts of the kiosk's own: the store's profile heads a receipt and the language's thanks ends it. */
export const DEFAULT_RECEIPT = { receiptHeader: [], receiptFooter: [] } as const;

/**
 * The settings' receipt texts, without the English placeholders every kiosk wrote into its settings file before
 * store profiles (`memberkiosk`, `Thank you!`): those are nobody's choice and must not print on a Chinese receipt.
 */
export function ownReceiptText(settings: Pick<DeviceSettings, 'receiptHeader' | 'receiptFooter'>): { header: string[]; footer: string[] } {
  const placeholder = (lines: readonly string[], old: string) => lines.length === 1 && lines[0] === old;
  return {
    header: placeholder(settings.receiptHeader, 'memberkiosk') ? [] : [...settings.receiptHeader],
    footer: placeholder(settings.receiptFooter, 'Thank you!') ? [] : [...settings.receiptFooter],
  };
}

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
