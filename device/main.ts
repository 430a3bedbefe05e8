/**
 * The device's composition root: builds one kiosk from a validated, frozen config and passes every dependency
 * explicitly. createDevice() does no I/O; start() opens files, the HTTP port and the hub link, in that
 * order, and stop() closes them in reverse. Both are idempotent.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { DEFAULT_BASE_TOPIC, DEVICE_ID_PATTERN, createTopics } from '../core/wire/topics.ts';
import { keepCacheFresh } from './cache/keep-cache-fresh.ts';
import { openMemberCache, type MemberCache } from './cache/member-cache.ts';
import { buildApp } from './http/build-app.ts';
import { createHubLink, type HubLink } from './link/hub-link.ts';
import { openOutbox, type Outbox } from './outbox/sqlite-outbox.ts';
import type { CardSource, ReceiptSink } from './ports.ts';
import { maskCardUid } from './privacy/mask-card-uid.ts';
import { createKioskSession, type KioskSession, type SessionTimeouts } from './session/kiosk-session.ts';
import { DEFAULT_RECEIPT, createSettingsStore, type SettingsStore } from './settings/settings-store.ts';
import { MemoryReceiptSink } from './sim/memory-receipt-sink.ts';
import { SimulatedCardSource } from './sim/simulated-card-source.ts';
import { createTxSubmitter } from './tx/submit-transaction.ts';

export const deviceConfigSchema = z.object({
  deviceId: z.string().regex(DEVICE_ID_PATTERN, 'deviceId is 1–64 of A–Z a–z 0–9 _ -'),
  storeId: z.string().min(1).max(64),
  hubUrl: z.string().regex(/^(mqtts?|wss?|tcp):\/\/.+/, 'hubUrl is mqtt://host:port (or mqtts://, ws://, wss://)'),
  dataDir: z.string().min(1),
  httpHost: z.string().min(1).default('127.0.0.1'),
  /** 0: any free port (tests). */
  httpPort: z.number().int().min(0).max(65535),
  baseTopic: z.string().regex(/^[A-Za-z0-9_-]+$/).default(DEFAULT_BASE_TOPIC),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Knobs for tests and slow sites; the defaults suit a kiosk on a store LAN. */
  tuning: z
    .object({
      resultWaitMs: z.number().int().positive().optional(),
      reconnectMs: z.number().int().positive().optional(),
      stallResendMs: z.number().int().positive().optional(),
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

export interface DeviceUrls {
  screenUrl: string;
  apiUrl: string;
}

export interface Device {
  readonly config: ResolvedDeviceConfig;
  start(): Promise<DeviceUrls>;
  stop(): Promise<void>;
}

/** Log paths that may carry a card UID or a phone number: masked to the last four characters. */
const REDACT_PATHS = ['cardUid', 'staffCardUid', 'newCardUid', 'phone', 'uid', '*.cardUid', '*.staffCardUid', '*.newCardUid', '*.phone', '*.uid'];

export function createDeviceLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'memberkiosk-device' },
      redact: { paths: REDACT_PATHS, censor: (value) => (typeof value === 'string' ? maskCardUid(value) : '[redacted]') },
    },
    destination,
  );
}

interface Running {
  settings: SettingsStore;
  outbox: Outbox;
  cache: MemberCache;
  link: HubLink;
  session: KioskSession;
  cards: CardSource;
  app: FastifyInstance;
  detachCards: () => void;
  detachCache: () => void;
}

export interface DeviceOptions {
  /** Where logs go; default stdout. */
  logDestination?: pino.DestinationStream;
  /** A real reader adapted to CardSource; default a SimulatedCardSource (POST /api/sim/tap works only with that). */
  cardSource?: CardSource;
  /** A real printer adapted to ReceiptSink; default a MemoryReceiptSink. */
  receiptSink?: ReceiptSink;
}

export function createDevice(input: DeviceConfig, options: DeviceOptions = {}): Device {
  const parsed = deviceConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(`invalid device config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const config: ResolvedDeviceConfig = Object.freeze({ ...parsed.data, tuning: Object.freeze({ ...parsed.data.tuning }) });
  const rootLogger = createDeviceLogger(config.logLevel, options.logDestination).child({ deviceId: config.deviceId });
  const loggerFor = (component: string) => rootLogger.child({ component: `device.${component}` });

  let starting: Promise<DeviceUrls> | null = null;
  let running: Partial<Running> = {};
  let stopping: Promise<void> | null = null;

  async function closeAll(parts: Partial<Running>): Promise<void> {
    await parts.app?.close().catch(() => undefined);
    parts.detachCards?.();
    parts.detachCache?.();
    await parts.cards?.stop();
    parts.session?.stop();
    await parts.link?.stop();
    parts.cache?.close();
    parts.outbox?.close();
  }

  async function startAll(): Promise<DeviceUrls> {
    const parts: Partial<Running> = {};
    running = parts;
    try {
      mkdirSync(config.dataDir, { recursive: true });
      parts.settings = createSettingsStore(join(config.dataDir, 'settings.json'));
      const settings = await parts.settings.load(
        { deviceId: config.deviceId, storeId: config.storeId, hubUrl: config.hubUrl, httpPort: config.httpPort, receiptHeader: [...DEFAULT_RECEIPT.receiptHeader], receiptFooter: [...DEFAULT_RECEIPT.receiptFooter], bundleVersion: 0 },
        // What the command line says wins over the file, and is saved so the file shows what runs.
        { deviceId: config.deviceId, storeId: config.storeId, hubUrl: config.hubUrl, httpPort: config.httpPort },
      );
      const settingsStore = parts.settings;
      const databasePath = join(config.dataDir, 'device.sqlite');
      parts.outbox = openOutbox({
        path: databasePath,
        deviceId: settings.deviceId,
        storeId: settings.storeId,
        logger: loggerFor('outbox'),
        bundleVersion: () => settingsStore.get().bundleVersion,
      });
      parts.cache = openMemberCache({ path: databasePath, logger: loggerFor('cache') });
      const cards = options.cardSource ?? new SimulatedCardSource();
      parts.cards = cards;
      const receipts = options.receiptSink ?? new MemoryReceiptSink();
      const outbox = parts.outbox;
      parts.link = createHubLink({
        url: settings.hubUrl,
        deviceId: settings.deviceId,
        outbox,
        topics: createTopics(config.baseTopic),
        logger: loggerFor('link'),
        clientOptions: { reconnectPeriod: config.tuning.reconnectMs ?? 1000 },
        ...(config.tuning.stallResendMs ? { stallResendMs: config.tuning.stallResendMs } : {}),
        reportState: () => ({
          versions: { bundle: settingsStore.get().bundleVersion },
          drivers: { cardReader: { kind: 'simulated', healthy: true }, printer: { kind: 'memory', healthy: true } },
        }),
      });
      const link = parts.link;
      const cache = parts.cache;
      parts.detachCache = keepCacheFresh(link, cache);
      parts.session = createKioskSession({
        lookup: (req, timeoutMs) => link.lookup(req, timeoutMs),
        cache,
        receipts,
        receiptText: () => ({ header: settingsStore.get().receiptHeader, footer: settingsStore.get().receiptFooter }),
        logger: loggerFor('session'),
        timeouts: stripUndefined(config.tuning.session ?? {}),
      });
      parts.detachCards = parts.session.attach(cards);
      await cards.start();
      parts.app = buildApp({
        session: parts.session,
        submit: createTxSubmitter({ outbox, link, ...(config.tuning.resultWaitMs ? { resultWaitMs: config.tuning.resultWaitMs } : {}) }),
        outbox,
        link,
        identity: () => ({ deviceId: settingsStore.get().deviceId, storeId: settingsStore.get().storeId, bundleVersion: settingsStore.get().bundleVersion }),
        simulatedCards: cards instanceof SimulatedCardSource ? cards : null,
        logger: loggerFor('http'),
      });
      await parts.app.listen({ host: config.httpHost, port: config.httpPort });
      // Resolves once connected or once retrying: a kiosk that starts offline still serves its screen.
      await link.start();
      const address = parts.app.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const base = `http://${host}:${address.port}`;
      rootLogger.info({ screenUrl: `${base}/`, hub: settings.hubUrl, connected: link.isConnected() }, 'device started');
      return { screenUrl: `${base}/`, apiUrl: `${base}/api` };
    } catch (error) {
      await closeAll(parts);
      running = {};
      starting = null;
      throw error;
    }
  }

  return {
    config,
    start() {
      if (stopping) return Promise.reject(new Error('device is stopping; start it again after stop() resolves'));
      starting ??= startAll();
      return starting;
    },
    stop() {
      if (!starting) return Promise.resolve();
      stopping ??= (async () => {
        await starting?.catch(() => undefined);
        await closeAll(running);
        running = {};
        starting = null;
        rootLogger.info('device stopped');
      })().finally(() => {
        stopping = null;
      });
      return stopping;
    },
  };
}

function stripUndefined(timeouts: { [K in keyof SessionTimeouts]?: number | undefined }): Partial<SessionTimeouts> {
  return Object.fromEntries(Object.entries(timeouts).filter(([, v]) => v !== undefined));
}
