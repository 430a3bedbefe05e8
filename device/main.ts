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
import { DEFAULT_OFFLINE_LIMITS } from '../core/config/offline-limits.ts';
import { CLOCK_TOLERANCE_MS } from '../core/ledger/effective-time.ts';
import { DEFAULT_TIMEZONE } from '../core/rules/compile.ts';
import { DEFAULT_BASE_TOPIC, DEVICE_ID_PATTERN, createTopics } from '../core/wire/topics.ts';
import { openAlertLog, type AlertLog } from './alerts/alert-log.ts';
import { keepCacheFresh } from './cache/keep-cache-fresh.ts';
import { openMemberCache, type MemberCache } from './cache/member-cache.ts';
import { buildHardware, describeHardware } from './hardware/build-hardware.ts';
import { isProvisioned, readProvisioning } from './provisioning/stored-provisioning.ts';
import { simulatedTaps } from './hardware/card-reader-source.ts';
import { hardwareConfigSchema } from './hardware/hardware-config.ts';
import { createKioskApp, type KioskApp } from './app/kiosk-app.ts';
import { createMemberPin } from './app/member-pin.ts';
import { createStaffSignIn } from './app/staff-sign-in.ts';
import { createNewCardCapture } from './app/new-card-capture.ts';
import { buildApp, LOOPBACK_HOSTS } from './http/build-app.ts';
import { createHubLink, type HubLink } from './link/hub-link.ts';
import { openOutbox, type Outbox } from './outbox/sqlite-outbox.ts';
import { openConfigStore } from './config/config-store.ts';
import { createConfigSync } from './config/config-sync.ts';
import { configView, receiptLines } from './config/config-view.ts';
import { trackHubContact, type HubContact } from './config/hub-contact.ts';
import { createOfflineGuard } from './config/offline-guard.ts';
import { SOFTWARE_VERSION } from './software-version.ts';
import type { CardSource, ReceiptSink } from './ports.ts';
import { censorLogValue, REDACTED_LOG_PATHS } from '../core/privacy/mask.ts';
import { createKioskSession, type KioskSession, type SessionTimeouts } from './session/kiosk-session.ts';
import { DEFAULT_RECEIPT, createSettingsStore, ownReceiptText, type SettingsStore } from './settings/settings-store.ts';
import { syncDeviceProfile, type DeviceProfileSync } from './settings/device-profile-sync.ts';
import { createReceiptSigner, loadDeviceKey } from './receipt/receipt-signer.ts';
import { DEFAULT_STORE_TIMEZONE } from '../core/fleet/store-profile.ts';
import { createTransactionFactory } from './tx/transaction-factory.ts';
import { nodeRedConfigSchema } from '../flows/runtime/node-red-config.ts';
import { startKioskFlows, type KioskFlows } from './automation/kiosk-flows.ts';
import { createFlowSerialPorts, flowSerialPortsSchema, type FlowSerialPorts } from './automation/flow-serial-ports.ts';
import { createKioskFlowCalls } from './automation/kiosk-flow-calls.ts';
import { watchKioskEvents } from './automation/kiosk-flow-events.ts';
import { hardwareStateOf } from './hardware/hardware-state.ts';

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

export interface DeviceUrls {
  screenUrl: string;
  apiUrl: string;
}

export interface Device {
  readonly config: ResolvedDeviceConfig;
  start(): Promise<DeviceUrls>;
  stop(): Promise<void>;
  /** The kiosk's Node-RED while started with it switched on (tests, the benchmark, diagnostics); else null. */
  nodeRed(): KioskFlows | null;
}


export function createDeviceLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'memberkiosk-device' },
      // Card UIDs, staff cards, phones and PINs: masked to their last four characters wherever they are logged.
      redact: { paths: REDACTED_LOG_PATHS, censor: censorLogValue },
    },
    destination,
  );
}

interface Running {
  settings: SettingsStore;
  alerts: AlertLog;
  outbox: Outbox;
  cache: MemberCache;
  link: HubLink;
  session: KioskSession;
  kiosk: KioskApp;
  cards: CardSource;
  receipts: ReceiptSink;
  app: FastifyInstance;
  detachCards: () => void;
  detachHealth: () => void;
  detachCache: () => void;
  hubContact: HubContact;
  rulesTimer: NodeJS.Timeout;
  profileSync: DeviceProfileSync;
  flows: KioskFlows | null;
  flowSerialPorts: FlowSerialPorts;
}

export interface DeviceOptions {
  /** Where logs go; default stdout. */
  logDestination?: pino.DestinationStream;
  /** Overrides config.hardware.reader (POST /api/sim/tap works only with a card source over the simulated reader). */
  cardSource?: CardSource;
  /** Overrides config.hardware.printer. */
  receiptSink?: ReceiptSink;
}

export function createDevice(input: DeviceConfig, options: DeviceOptions = {}): Device {
  const parsed = deviceConfigSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(`invalid device config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const config: ResolvedDeviceConfig = Object.freeze({ ...parsed.data, tuning: Object.freeze({ ...parsed.data.tuning }), hardware: Object.freeze({ ...parsed.data.hardware }) });
  const rootLogger = createDeviceLogger(config.logLevel, options.logDestination).child({ deviceId: config.deviceId });
  const loggerFor = (component: string) => rootLogger.child({ component: `device.${component}` });

  let starting: Promise<DeviceUrls> | null = null;
  let running: Partial<Running> = {};
  let stopping: Promise<void> | null = null;

  async function closeAll(parts: Partial<Running>): Promise<void> {
    // Flows first: nothing may call into the kiosk while it closes.
    await parts.flows?.stop().catch(() => undefined);
    await parts.flowSerialPorts?.close().catch(() => undefined);
    await parts.app?.close().catch(() => undefined);
    parts.detachCards?.();
    parts.detachHealth?.();
    parts.detachCache?.();
    await parts.cards?.stop();
    await parts.receipts?.stop();
    parts.kiosk?.stop();
    parts.session?.stop();
    await parts.link?.stop();
    // After the link: its last 'disconnected' is the last contact, saved before the process may restart.
    await parts.hubContact?.stop();
    if (parts.rulesTimer) clearInterval(parts.rulesTimer);
    parts.profileSync?.stop();
    parts.cache?.close();
    parts.outbox?.close();
    parts.alerts?.close();
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
      // The signed configuration (rules, receipt texts, items, offline limits), checked against HQ's root pinned at
      // enrolment. Replaces the unsigned rules cache: rules-bundle.json of older kiosks is no longer read.
      const configStore = openConfigStore({
        path: join(config.dataDir, 'config.json'),
        deviceId: settings.deviceId,
        storeId: settings.storeId,
        hqRootPublicKeyPem: config.mqtt?.hqRootPublicKeyPem ?? null,
        logger: loggerFor('config'),
      });
      const databasePath = join(config.dataDir, 'device.sqlite');
      // For technicians: when this kiosk was enrolled (absent for a kiosk started with --hub/--id/--store only).
      const enrolledAt = enrolmentTime(config.dataDir);
      parts.alerts = openAlertLog({ path: databasePath, logger: loggerFor('alerts') });
      const alerts = parts.alerts;
      // The offset the hub measured at the last connect, kept across restarts: a kiosk that restarts offline
      // still stamps it, and the hub still catches a clock that jumped since.
      let clockOffsetMs = settings.clockOffsetMs;
      /** The kiosk's clock corrected by the hub's offset: what configuration expiry is judged by. */
      const correctedNow = () => Date.now() + (clockOffsetMs ?? 0);
      // The one place transactions are made (header, schema, size): the use cases draft with it, the outbox
      // gives each draft its slot.
      const factory = createTransactionFactory({
        deviceId: settings.deviceId,
        storeId: settings.storeId,
        // Every transaction names the rules the kiosk holds and the snapshot they came in, so the hub recomputes
        // with the very same ones.
        bundleVersion: () => configStore.rulesVersion(),
        snapshotVersion: () => configStore.snapshotVersion(),
        clockOffsetMs: () => clockOffsetMs,
      });
      parts.outbox = openOutbox({ path: databasePath, deviceId: settings.deviceId, logger: loggerFor('outbox'), factory });
      parts.cache = openMemberCache({ path: databasePath, logger: loggerFor('cache') });
      // Built per start, constructors only: nothing is opened until cards.start() / receipts.start() below.
      const hardware = buildHardware(config.hardware, loggerFor('hardware'), config.tuning.printWindowMs !== undefined ? { printWindowMs: config.tuning.printWindowMs } : {});
      const cards: CardSource = options.cardSource ?? hardware.cardSource;
      parts.cards = cards;
      const receipts: ReceiptSink = options.receiptSink ?? hardware.receiptSink;
      parts.receipts = receipts;
      const outbox = parts.outbox;
      parts.link = createHubLink({
        url: settings.hubUrl,
        deviceId: settings.deviceId,
        outbox,
        topics: createTopics(config.baseTopic),
        logger: loggerFor('link'),
        clientOptions: {
          reconnectPeriod: config.tuning.reconnectMs ?? 1000,
          ...(config.mqtt ? { username: config.mqtt.username, password: config.mqtt.password, ...(config.mqtt.caPem ? { ca: config.mqtt.caPem } : {}) } : {}),
        },
        ...(config.tuning.stallResendMs ? { stallResendMs: config.tuning.stallResendMs } : {}),
        // What the hub's device registry keeps: software, configuration (applied versions, expiry, last refusal),
        // driver health, clock offset, alerts (the presence adds the outbox depth).
        reportState: () => {
          const recent = alerts.recent(10);
          const summary = configStore.summary(correctedNow());
          return {
            software: SOFTWARE_VERSION,
            versions: { bundle: configStore.rulesVersion(), snapshot: summary.snapshotVersion },
            config: { snapshotVersion: summary.snapshotVersion, rulesVersion: summary.rulesVersion, scopeVersions: summary.scopeVersions, expires: summary.expires, lastRefusal: summary.lastRefusal },
            drivers: { cardReader: cards.health(), printer: receipts.health() },
            clockOffsetMs: clockOffsetMs ?? null,
            lastAlert: recent[0] ?? null,
            alerts: recent,
          };
        },
      });
      const link = parts.link;
      link.on('alert', (code, detail) => {
        alerts.raise(code, detail);
        link.publishState();
      });
      link.on('clock', (measurement) => {
        clockOffsetMs = measurement.offsetMs;
        if (Math.abs(measurement.offsetMs) > CLOCK_TOLERANCE_MS) alerts.raise('CLOCK_SKEW', { offsetMs: measurement.offsetMs, rttMs: measurement.rttMs });
        void settingsStore.update({ clockOffsetMs: measurement.offsetMs, clockMeasuredAt: measurement.measuredAt }).catch((error: unknown) =>
          loggerFor('clock').warn({ err: error }, 'could not save the clock offset'),
        );
      });
      const configSync = createConfigSync({
        store: configStore,
        lookup: (req, timeoutMs) => link.lookup(req, timeoutMs),
        now: correctedNow,
        alert: (code, detail) => alerts.raise(code, detail),
        // Applied or refused: the hub's registry hears of it now, not at the next state report.
        changed: (outcome) => {
          link.publishState();
          if (outcome.status === 'applied') {
            void settingsStore.update({ bundleVersion: configStore.rulesVersion() }).catch((error: unknown) => loggerFor('config').warn({ err: error }, 'could not save the rules version'));
          }
        },
        logger: loggerFor('config'),
      });
      // The retained set: whatever the hub publishes for this kiosk while it is connected (and once on every connect).
      link.on('configSet', (set) => void configSync.receive(set, 'retained'));
      parts.hubContact = trackHubContact({
        link,
        // A kiosk upgraded from before offline limits knows when the hub last measured its clock: contact then.
        initialMs: parseTime(settings.lastHubContactAt ?? settings.clockMeasuredAt),
        save: (ms) => settingsStore.update({ lastHubContactAt: new Date(ms).toISOString() }),
      });
      const hubContact = parts.hubContact;
      const cache = parts.cache;
      parts.detachCache = keepCacheFresh(link, cache);
      // A reader unplugged or a printer out of paper shows at the hub without waiting for the next transaction.
      const republish = () => link.publishState();
      cards.on('health', republish);
      receipts.on('health', republish);
      parts.detachHealth = () => {
        cards.off('health', republish);
        receipts.off('health', republish);
      };
      parts.session = createKioskSession({
        lookup: (req, timeoutMs) => link.lookup(req, timeoutMs),
        cache,
        logger: loggerFor('session'),
        timeouts: stripUndefined(config.tuning.session ?? {}),
        // The configuration's idle time, unless the command line's tuning set one.
        ...(config.tuning.session?.memberMs === undefined ? { memberIdleMs: () => secondsToMs(configStore.current()?.effective.screen.idleSeconds) } : {}),
      });
      const session = parts.session;
      // How the hub has this kiosk stand, as it last said; unattended (no cash) until it says otherwise. With it, the
      // store's profile (name, address, phone, time zone) for receipts and the screen, kept in the settings file.
      let kioskMode = settings.kioskMode ?? 'unattended';
      parts.profileSync = syncDeviceProfile({
        lookup: (req, timeoutMs) => link.lookup(req, timeoutMs),
        on: (event, listener) => link.on(event, listener),
        isConnected: () => link.isConnected(),
        settings: settingsStore,
        modeChanged: (mode) => (kioskMode = mode),
        logger: loggerFor('profile'),
        ...(config.tuning.profileRefreshMs !== undefined ? { refreshMs: config.tuning.profileRefreshMs } : {}),
      });
      // Receipts are signed with the kiosk's own key from enrolment (device.key), checked by the hub.
      const deviceKey = loadDeviceKey(config.dataDir, loggerFor('receipt'));
      const signReceipt = deviceKey ? createReceiptSigner(deviceKey, loggerFor('receipt')) : null;
      /** The store as the hub last described it; before it ever did, its id and the default zone. */
      const storeView = () => {
        const current = settingsStore.get();
        const profile = current.storeProfile?.storeId === current.storeId ? current.storeProfile : undefined;
        return { storeId: current.storeId, name: profile?.name ?? current.storeId, address: profile?.address ?? '', phone: profile?.phone ?? '', timezone: profile?.timezone ?? DEFAULT_STORE_TIMEZONE };
      };
      // A sign-in or sign-out reaches the screen pushed with the session (its staff banner and staff actions).
      const staff = createStaffSignIn({ session, lookup: (req, timeoutMs) => link.lookup(req, timeoutMs), changed: () => parts.kiosk?.events.staffChanged(staff.current()) });
      const memberPin = createMemberPin({ lookup: (req, timeoutMs) => link.lookup(req, timeoutMs), bundle: () => configStore.rules(), staff: () => staff.current() });
      // A replacement's or an issue's new card is tapped on this reader: that one tap goes to the capture, not the session.
      const newCards = createNewCardCapture({ lookup: (req, timeoutMs) => link.lookup(req, timeoutMs), currentCardUid: () => session.currentCardUid(), logger: loggerFor('new-card') });
      const offlineGuard = createOfflineGuard({
        outbox,
        limits: () => configStore.current()?.effective.offlineLimits ?? DEFAULT_OFFLINE_LIMITS,
        snapshotExpired: () => configStore.expired(correctedNow()),
        lastHubContactMs: () => hubContact.lastContactMs(),
        timezone: () => configStore.rules()?.timezone ?? DEFAULT_TIMEZONE,
      });
      /** What receipts (and the flows' printed notes) are made with. */
      const receiptContext = () => {
        const current = settingsStore.get();
        // HQ's texts from the configuration; the settings file's only where the configuration has none.
        const text = configStore.current()?.effective.receipt;
        const own = ownReceiptText(current);
        const store = storeView();
        return {
          header: receiptLines(text?.header, config.hardware.language) ?? own.header,
          footer: receiptLines(text?.footer, config.hardware.language) ?? own.footer,
          store: current.storeId,
          deviceId: current.deviceId,
          paperWidthMm: config.hardware.paperWidthMm,
          language: config.hardware.language,
          // The top of the receipt and its time zone: the store's profile once the hub gave one.
          storeProfile: current.storeProfile?.storeId === current.storeId ? store : null,
          items: configStore.current()?.effective.items ?? [],
          bundle: configStore.rules(),
          regionId: configStore.current()?.snapshot.regionId ?? null,
          signReceipt,
        };
      };
      parts.kiosk = createKioskApp({
        memberPin,
        mode: () => kioskMode,
        staff,
        session,
        factory,
        outbox,
        link,
        rules: { bundle: () => configStore.rules(), version: () => configStore.rulesVersion(), refresh: () => configSync.fetch() },
        rulesChanged: async (version) => {
          await settingsStore.update({ bundleVersion: version });
        },
        snapshotVersion: () => configStore.snapshotVersion(),
        config: () => configView(configStore, correctedNow()),
        regionId: () => configStore.current()?.snapshot.regionId ?? null,
        offlineGuard,
        receipts,
        receiptContext,
        identity: () => ({ deviceId: settingsStore.get().deviceId, storeId: settingsStore.get().storeId }),
        store: storeView,
        alerts: () => alerts.recent(20),
        drivers: () => ({ cardReader: cards.health(), printer: receipts.health() }),
        healthSources: [cards, receipts],
        technician: {
          softwareVersion: SOFTWARE_VERSION,
          enrolment: () => ({ hubUrl: settingsStore.get().hubUrl, ...(enrolledAt ? { since: enrolledAt } : {}) }),
          clock: () => {
            const measuredAt = settingsStore.get().clockMeasuredAt;
            return { ...(clockOffsetMs !== undefined ? { skewMs: clockOffsetMs } : {}), ...(measuredAt ? { measuredAt } : {}) };
          },
          hardware: () => describeHardware(config.hardware),
          nodeRed: () => {
            const status = parts.flows?.runtime.status();
            return status ? { state: status.state, editorUrl: status.url, kills: status.kills, lastExit: status.lastExit } : null;
          },
        },
        simulatedCards: simulatedTaps(cards),
        newCards,
        logger: loggerFor('app'),
        tuning: { resultWaitMs: config.tuning.resultWaitMs },
      });
      const kiosk = parts.kiosk;
      // The hub's current configuration is asked for on every connect, every 10 minutes, and whenever the hub
      // shows newer rules (a catalogue from newer rules): prices and explanations then keep working offline. The
      // retained set brings what the hub publishes in between.
      link.on('connected', () => void kiosk.refreshRules());
      parts.rulesTimer = setInterval(() => void kiosk.refreshRules(), 600_000);
      parts.rulesTimer.unref();
      const gated = newCards.gate(cards);
      const detachSession = session.attach(gated.source);
      parts.detachCards = () => {
        detachSession();
        gated.close();
      };
      // Neither waits for hardware that is absent: drivers keep retrying in the background.
      await Promise.all([cards.start(), receipts.start()]);
      const simulatedCards = simulatedTaps(cards);
      parts.app = buildApp({
        kiosk,
        logger: loggerFor('http'),
        simulatedReader: config.demo && simulatedCards !== null,
        // Loopback names, plus the address it was told to listen on (a kiosk screen on another machine of the store).
        allowedHosts: [...LOOPBACK_HOSTS, ...(config.httpHost === '0.0.0.0' || config.httpHost === '::' ? [] : [config.httpHost]), ...config.allowedHosts],
      });
      await parts.app.listen({ host: config.httpHost, port: config.httpPort });
      // Resolves once connected or once retrying: a kiosk that starts offline still serves its screen.
      await link.start();
      // Not awaited: the kiosk serves members whether or not its flows are up (tests and the benchmark wait on nodeRed().ready).
      const serialPorts = createFlowSerialPorts({ ports: config.nodeRed.serialPorts, logger: loggerFor('flow-serial') });
      parts.flowSerialPorts = serialPorts;
      parts.flows = startKioskFlows({
        config: config.nodeRed,
        dataDir: config.dataDir,
        deviceId: settings.deviceId,
        lookup: (req, timeoutMs) => link.lookup(req, timeoutMs),
        calls: createKioskFlowCalls({ receipts, noticeContext: receiptContext, screen: kiosk, serialPorts, logger: loggerFor('flow-calls') }),
        watchEvents: (emit) =>
          watchKioskEvents(
            {
              session,
              transactions: kiosk,
              link,
              outbox,
              hardware: { state: () => hardwareStateOf({ cardReader: cards.health(), printer: receipts.health() }), sources: [cards, receipts] },
              identity: () => ({ deviceId: settingsStore.get().deviceId, storeId: settingsStore.get().storeId }),
              logger: loggerFor('flow-events'),
            },
            emit,
          ),
        raiseAlert: (code, detail) => {
          alerts.raise(code, detail);
          link.publishState();
        },
        logger: rootLogger,
      });
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
    nodeRed: () => running.flows ?? null,
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

function enrolmentTime(dataDir: string): string | undefined {
  try {
    return isProvisioned(dataDir) ? readProvisioning(dataDir).enrolledAt : undefined;
  } catch {
    return undefined;
  }
}

function parseTime(iso: string | undefined): number | null {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

function secondsToMs(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : seconds * 1000;
}

function stripUndefined(timeouts: { [K in keyof SessionTimeouts]?: number | undefined }): Partial<SessionTimeouts> {
  return Object.fromEntries(Object.entries(timeouts).filter(([, v]) => v !== undefined));
}
