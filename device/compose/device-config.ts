/**
 * The kiosk's configuration: its schema (what `memberkiosk device`, the demo and the tests may set) and how one input
 * becomes the frozen config createDevice() builds from. Apart from device/main.ts so the composition root reads as
 * steps.
 */
import { z } from 'zod';
import { DEFAULT_BASE_TOPIC, DEVICE_ID_PATTERN } from '../../core/wire/topics.ts';
import { nodeRedConfigSchema } from '../../flows/runtime/node-red-config.ts';
import { flowSerialPortsSchema } from '../automation/flow-serial-ports.ts';
import { hardwareConfigSchema } from '../hardware/hardware-config.ts';

export const deviceConfigSchema = z.object({
  deviceId: z.string().regex(DEVICE_ID_PATTERN, 'deviceId is 1–64 of A–Z a–z 0–9 _ -'),
  storeId: z.string().min(1).max(64),
  hubUrl: z.string().regex(/^(mqtts?|wss?|tcp):\/\/.+/, 'hubUrl is mqtt://host:port (or mqtts://, ws://, wss://)'),
  dataDir: z.string().min(1),
  httpHost: z.string().min(1).default('127.0.0.1'),
  /**
   * Demo mode: POST /api/sim/tap taps the simulated reader (the demo, tests, the soak). Off by default, so a
   * kiosk in a store never takes a "tap" from its HTTP API.
   */
  demo: z.boolean().default(false),
  /** Further host names the screen may be reached under (Host header check against DNS rebinding). */
  allowedHosts: z.array(z.string().min(1).max(253)).default([]),
  /** 0: any free port (tests). */
  httpPort: z.number().int().min(0).max(65535),
  baseTopic: z.string().regex(/^[A-Za-z0-9_-]+$/).default(DEFAULT_BASE_TOPIC),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * The kiosk's MQTT login from enrolment (device/provisioning/): username = device id, its secret, and the hub's
   * CA, the only one trusted for mqtts://. Absent only against a broker that asks for none (a bare test broker).
   */
  mqtt: z
    .object({
      username: z.string().min(1),
      password: z.string().min(1),
      caPem: z.string().optional(),
      /** HQ's root public key pinned at enrolment: the only key the kiosk's signed configuration may chain to (device/config). */
      hqRootPublicKeyPem: z.string().min(1).optional(),
    })
    .optional(),
  /** Card reader, receipt printer, paper width and receipt language; simulated by default (device/hardware/hardware-config.ts). */
  hardware: hardwareConfigSchema.default({ reader: { kind: 'simulated' }, printer: { kind: 'simulated' }, paperWidthMm: 58, language: 'zh' }),
  /**
   * Node-RED (flows/): off unless switched on here; the editor on loopback for technicians, our kiosk nodes, and the
   * shipped flows named in `flows`.
   */
  nodeRed: nodeRedConfigSchema
    .extend({ serialPorts: flowSerialPortsSchema })
    .default({ enabled: false, host: '127.0.0.1', port: 1880, flows: [], heartbeatMs: 1_000, unresponsiveMs: 5_000, maxOldSpaceMb: 128, sessionHours: 8, serialPorts: [] }),
  /** Knobs for tests and slow sites; the defaults suit a kiosk on a store LAN. */
  tuning: z
    .object({
      resultWaitMs: z.number().int().positive().optional(),
      reconnectMs: z.number().int().positive().optional(),
      stallResendMs: z.number().int().positive().optional(),
      /** How often the kiosk asks the hub for its profile (mode, store) while connected; default 5 minutes. */
      profileRefreshMs: z.number().int().positive().optional(),
      /** How long a receipt may take to print before it is withdrawn (never printed later); default 10 s. */
      printWindowMs: z.number().int().positive().optional(),
      session: z
        .object({
          lookupMs: z.number().int().positive(),
          memberMs: z.number().int().positive(),
          actionMs: z.number().int().positive(),
          receiptMs: z.number().int().positive(),
          errorMs: z.number().int().positive(),
        })
        .partial()
        .optional(),
    })
    .default({}),
});
export type DeviceConfig = z.input<typeof deviceConfigSchema>;
export type ResolvedDeviceConfig = Readonly<z.output<typeof deviceConfigSchema>>;

/** The input checked (every issue named in one error) and frozen, its tuning and hardware sections too. */
export function resolveDeviceConfig(input: DeviceConfig): ResolvedDeviceConfig {
  const parsed = deviceConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(`invalid device config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const config: ResolvedDeviceConfig = Object.freeze({ ...parsed.data, tuning: Object.freeze({ ...parsed.data.tuning }), hardware: Object.freeze({ ...parsed.data.hardware }) });
  return config;
}
