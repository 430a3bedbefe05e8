/**
 * The device's composition root: builds one kiosk from a validated, frozen config and passes every dependency
 * explicitly. createDevice() does no I/O; start() opens files, the HTTP port and the hub link, in that
 * order, and stop() closes them in reverse (compose/running-parts.ts). Both are idempotent. The steps it takes are
 * beside it in compose/: the config, the logger, the link, the store and receipt views, the session's timeouts,
 * technician info, the screen's server and the flows' wiring.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type pino from 'pino';
import { DEFAULT_OFFLINE_LIMITS } from '../core/config/offline-limits.ts';
import { CLOCK_TOLERANCE_MS } from '../core/ledger/effective-time.ts';
import { DEFAULT_TIMEZONE } from '../core/rules/compile.ts';
import { openAlertLog } from './alerts/alert-log.ts';
import { createKioskApp } from './app/kiosk-app.ts';
import { createMemberPin } from './app/member-pin.ts';
import { createNewCardCapture } from './app/new-card-capture.ts';
import { createStaffSignIn } from './app/staff-sign-in.ts';
import { createFlowSerialPorts } from './automation/flow-serial-ports.ts';
import type { KioskFlows } from './automation/kiosk-flows.ts';
import { keepCacheFresh } from './cache/keep-cache-fresh.ts';
import { openMemberCache } from './cache/member-cache.ts';
import { createDeviceLogger } from './compose/device-logger.ts';
import { resolveDeviceConfig, type DeviceConfig, type ResolvedDeviceConfig } from './compose/device-config.ts';
import { createDeviceLink } from './compose/device-link.ts';
import { startWiredKioskFlows } from './compose/kiosk-flows-wiring.ts';
import { storeAndReceiptViews } from './compose/receipt-context.ts';
import { closeAll, type Running } from './compose/running-parts.ts';
import { buildScreenApp, screenUrls } from './compose/screen-server.ts';
import { sessionTimeouts } from './compose/session-timeouts.ts';
import { enrolmentTime, technicianInfo } from './compose/technician-info.ts';
import { openConfigStore } from './config/config-store.ts';
import { createConfigSync } from './config/config-sync.ts';
import { configView } from './config/config-view.ts';
import { trackHubContact } from './config/hub-contact.ts';
import { createOfflineGuard } from './config/offline-guard.ts';
import { buildHardware } from './hardware/build-hardware.ts';
import { simulatedTaps } from './hardware/card-reader-source.ts';
import { openOutbox } from './outbox/sqlite-outbox.ts';
import type { CardSource, ReceiptSink } from './ports.ts';
import { createKioskSession } from './session/kiosk-session.ts';
import { syncDeviceProfile } from './settings/device-profile-sync.ts';
import { DEFAULT_RECEIPT, createSettingsStore } from './settings/settings-store.ts';
import { createTransactionFactory } from './tx/transaction-factory.ts';

export { deviceConfigSchema, type DeviceConfig, type ResolvedDeviceConfig } from './compose/device-config.ts';
export { createDeviceLogger } from './compose/device-logger.ts';

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

export interface DeviceOptions {
  /** Where logs go; default stdout. */
  logDestination?: pino.DestinationStream;
  /** Overrides config.hardware.reader (POST /api/sim/tap works only with a card source over the simulated reader). */
  cardSource?: CardSource;
  /** Overrides config.hardware.printer. */
  receiptSink?: ReceiptSink;
}

export function createDevice(input: DeviceConfig, options: DeviceOptions = {}): Device {
  const config = resolveDeviceConfig(input);
  const rootLogger = createDeviceLogger(config.logLevel, options.logDestination).child({ deviceId: config.deviceId });
  const loggerFor = (component: string) => rootLogger.child({ component: `device.${component}` });

  let starting: Promise<DeviceUrls> | null = null;
  let running: Partial<Running> = {};
  let stopping: Promise<void> | null = null;

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
      parts.link = createDeviceLink({ config, hubUrl: settings.hubUrl, deviceId: settings.deviceId, outbox, alerts, configStore, cards, receipts, clockOffsetMs: () => clockOffsetMs, correctedNow, logger: loggerFor('link') });
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
        ...sessionTimeouts(config, configStore),
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
      const { storeView, receiptContext } = storeAndReceiptViews({ config, settingsStore, configStore, logger: loggerFor('receipt') });
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
        technician: technicianInfo({ config, settingsStore, enrolledAt, clockOffsetMs: () => clockOffsetMs, flows: () => parts.flows }),
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
      parts.app = buildScreenApp({ config, kiosk, cards, logger: loggerFor('http') });
      await parts.app.listen({ host: config.httpHost, port: config.httpPort });
      // Resolves once connected or once retrying: a kiosk that starts offline still serves its screen.
      await link.start();
      // Not awaited: the kiosk serves members whether or not its flows are up (tests and the benchmark wait on nodeRed().ready).
      const serialPorts = createFlowSerialPorts({ ports: config.nodeRed.serialPorts, logger: loggerFor('flow-serial') });
      parts.flowSerialPorts = serialPorts;
      parts.flows = startWiredKioskFlows({ config, deviceId: settings.deviceId, link, kiosk, session, outbox, cards, receipts, noticeContext: receiptContext, serialPorts, settingsStore, alerts, loggerFor, logger: rootLogger });
      const urls = screenUrls(parts.app);
      rootLogger.info({ screenUrl: urls.screenUrl, hub: settings.hubUrl, connected: link.isConnected() }, 'device started');
      return urls;
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

function parseTime(iso: string | undefined): number | null {
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}
