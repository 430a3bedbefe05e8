/**
 * One kiosk's parts wired as device/main.ts wires them — outbox and cache in SQLite, the session, the real hub link
 * over a real aedes broker, the simulated reader and printer through the driver registry, the application — with
 * the hub played by the fake hub (fake-hub.ts). For tests of what listens to the kiosk from outside its session
 * (device/automation's flow events and calls). dispose() stops everything, each step even when one fails.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createTopics } from '../../core/wire/topics.ts';
import type { MemberView, StaffSessionView } from '../../core/wire/lookup.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { SimulatedPrinter } from '../../drivers/printer/simulated-printer.ts';
import { openMemberCache } from '../cache/member-cache.ts';
import { createKioskApp, type KioskApp } from '../app/kiosk-app.ts';
import { createMemberPin } from '../app/member-pin.ts';
import { createStaffSignIn } from '../app/staff-sign-in.ts';
import { buildHardware, type Hardware } from '../hardware/build-hardware.ts';
import { hardwareStateOf } from '../hardware/hardware-state.ts';
import { createHubLink, type HubLink } from '../link/hub-link.ts';
import { openOutbox, type Outbox } from '../outbox/sqlite-outbox.ts';
import { createKioskSession, type KioskSession } from '../session/kiosk-session.ts';
import { createTransactionFactory } from '../tx/transaction-factory.ts';
import { startTestBroker, type TestBroker } from './embedded-broker.ts';
import { startFakeHub, type FakeHub } from './fake-hub.ts';
import { makeTempDir } from './temp-dir.ts';

export const KIOSK_ID = 'kiosk-flows';
export const STORE_ID = 'store-flows';

export interface KioskOnFakeHub {
  broker: TestBroker;
  hub: FakeHub;
  outbox: Outbox;
  session: KioskSession;
  link: HubLink;
  hardware: Hardware;
  printer: SimulatedPrinter;
  kiosk: KioskApp;
  /** The simulated reader's hand. */
  tap(uid: string): Promise<void>;
  /** The broker taken away (the kiosk stays up). */
  stopBroker(): Promise<void>;
  dispose(): Promise<void>;
}

export interface KioskOnFakeHubOptions {
  logger: Logger;
  members: Map<string, MemberView>;
  staff?: Map<string, { pin: string; session: StaffSessionView }>;
  decide?: (tx: Transaction) => Omit<TxResult, 'id' | 'seq'>;
  /** How long a use case waits for the hub's answer; default 1000 ms. */
  resultWaitMs?: number;
}

export async function startKioskOnFakeHub(options: KioskOnFakeHubOptions): Promise<KioskOnFakeHub> {
  const { logger } = options;
  const temp = makeTempDir('mk-flows-kiosk-');
  const broker = await startTestBroker();
  const hub = await startFakeHub({ url: broker.url, members: options.members, ...(options.staff ? { staff: options.staff } : {}), ...(options.decide ? { decide: options.decide } : {}) });
  const path = join(temp.dir, 'device.sqlite');
  const factory = createTransactionFactory({ deviceId: KIOSK_ID, storeId: STORE_ID, bundleVersion: () => 0 });
  const outbox = openOutbox({ path, deviceId: KIOSK_ID, logger, factory });
  const cache = openMemberCache({ path, logger });
  const link = createHubLink({ url: broker.url, deviceId: KIOSK_ID, outbox, topics: createTopics(), logger, clientOptions: { reconnectPeriod: 100 }, startTimeoutMs: 3000 });
  const session = createKioskSession({ lookup: (req, ms) => link.lookup(req, ms), cache, logger, timeouts: { lookupMs: 1500 } });
  const hardware = buildHardware({ reader: { kind: 'simulated' }, printer: { kind: 'simulated' } }, logger, { printWindowMs: 1000 });
  const staff = createStaffSignIn({ session, lookup: (req, ms) => link.lookup(req, ms) });
  const kiosk = createKioskApp({
    mode: () => 'unattended',
    staff,
    memberPin: createMemberPin({ lookup: (req, ms) => link.lookup(req, ms), bundle: () => null, staff: () => null }),
    session,
    factory,
    outbox,
    link,
    rules: { bundle: () => null, version: () => 0, refresh: async () => false },
    receipts: hardware.receiptSink,
    receiptContext: () => ({ header: [], footer: [], store: STORE_ID, deviceId: KIOSK_ID, paperWidthMm: 58, language: 'zh' }),
    identity: () => ({ deviceId: KIOSK_ID, storeId: STORE_ID }),
    drivers: () => ({ cardReader: hardware.cardSource.health(), printer: hardware.receiptSink.health() }),
    healthSources: [hardware.cardSource, hardware.receiptSink],
    simulatedCards: hardware.simulatedCards,
    logger,
    tuning: { resultWaitMs: options.resultWaitMs ?? 1000 },
  });
  const detachSession = session.attach(hardware.cardSource);
  await Promise.all([hardware.cardSource.start(), hardware.receiptSink.start()]);
  await link.start();

  return {
    broker,
    hub,
    outbox,
    session,
    link,
    hardware,
    printer: hardware.simulatedPrinter!,
    kiosk,
    async tap(uid) {
      await kiosk.tapSimulatedCard(uid);
    },
    stopBroker: () => broker.stop(),
    async dispose() {
      const steps: (() => unknown)[] = [
        () => kiosk.stop(),
        detachSession,
        () => session.stop(),
        () => hardware.cardSource.stop(),
        () => hardware.receiptSink.stop(),
        () => link.stop(),
        () => hub.stop(),
        () => broker.stop(),
        () => cache.close(),
        () => outbox.close(),
        () => temp.cleanup(),
      ];
      const errors: unknown[] = [];
      for (const step of steps) {
        try {
          await step();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw new AggregateError(errors, 'kiosk clean-up failed');
    },
  };
}

/** The kiosk's reader and printer in one word each, as its screen and flows have them. */
export function hardwareWords(k: KioskOnFakeHub): ReturnType<typeof hardwareStateOf> {
  return hardwareStateOf({ cardReader: k.hardware.cardSource.health(), printer: k.hardware.receiptSink.health() });
}
