/**
 * What the composition root (device/main.ts, the tests' kiosks) hands the application layer: the session, the
 * transaction factory and outbox, the link, the rules, the receipt sink, staff sign-in and member PIN, and the
 * read-only sources the state and technician mode show. Its own file so the parts of the application
 * (transaction-body.ts, member-transactions.ts, …) can name what they take from it without importing the
 * assembly (kiosk-app.ts).
 */
import type { Logger } from 'pino';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { Alert } from '../../core/wire/alerts.ts';
import type { KioskConfigView } from '../config/config-view.ts';
import type { OfflineGuard } from '../config/offline-guard.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { CardReaderHealth, PrinterHealth, ReceiptSink, SimulatedTaps } from '../ports.ts';
import type { ReceiptContext } from '../receipt/build-receipt.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import type { TransactionFactory } from '../tx/transaction-factory.ts';
import type { HealthEventSource, LinkEventSource } from './kiosk-events.ts';
import type { KioskStoreView } from './kiosk-state.ts';
import type { MemberPin } from './member-pin.ts';
import type { NewCardCapture } from './new-card-capture.ts';
import type { StaffSignIn } from './staff-sign-in.ts';
import type { TechnicianInfo } from './technician-mode.ts';

/** The rules the kiosk prices and explains with: its accepted configuration's (device/config). */
export interface KioskRules {
  bundle(): RulesBundle | null;
  /** What transactions name as bundleVersion; 0 while none is held (the hub then applies its latest). */
  version(): number;
  /** Asks the hub for its current configuration now; resolves whether the rules changed. */
  refresh(): Promise<boolean>;
}

export interface KioskAppDeps {
  session: KioskSession;
  factory: Pick<TransactionFactory, 'draft'>;
  outbox: Pick<Outbox, 'append' | 'appendOnce' | 'replayOf' | 'get' | 'getByIdempotencyKey' | 'depth' | 'oldestPending' | 'epoch'>;
  link: Pick<HubLink, 'kick' | 'waitForResult' | 'isConnected' | 'lookup'> & LinkEventSource;
  rules: KioskRules;
  /** Told when the rules changed (the composition root keeps the version in settings). */
  rulesChanged?: (version: number) => Promise<void>;
  /** The snapshot version transactions name, for the state. */
  snapshotVersion?: () => number | undefined;
  /** The configuration in force, for the state (GET /api/state, GET /api/config). */
  config?: () => KioskConfigView;
  /** The store's region as the configuration names it (region-scoped rules when pricing on the kiosk). */
  regionId?: () => string | null;
  /** Offline limits: a sale paying with stored value or points while the hub is unreachable is checked here first. */
  offlineGuard?: OfflineGuard;
  receipts: Pick<ReceiptSink, 'print'>;
  /** Read at each receipt: header and footer may change with a new config bundle. */
  receiptContext: () => ReceiptContext;
  identity: () => { deviceId: string; storeId: string };
  /** The store's profile for the state (GET /api/state `store`). */
  store?: () => KioskStoreView;
  /** How the hub has this kiosk stand (unattended kiosks never take cash). */
  mode: () => KioskMode;
  staff: StaffSignIn;
  memberPin: MemberPin;
  /** The kiosk's newest alerts, for the state. */
  alerts?: () => Alert[];
  /** Reader and printer health for the state (paper out, cover open, reader disconnected). */
  drivers?: () => { cardReader: CardReaderHealth; printer: PrinterHealth };
  /** The card source and the receipt sink: their 'health' events push the hardware state (with `drivers`). */
  healthSources?: readonly HealthEventSource[];
  /** What technician mode shows beyond the state (software, enrolment, clock, configured models). */
  technician?: TechnicianInfo;
  /** Takes the new card of a replacement or an issue from the reader (the session listens through its gate). */
  newCards?: NewCardCapture;
  /** Present in the demo and tests: tapSimulatedCard taps it. */
  simulatedCards?: SimulatedTaps | null;
  logger: Logger;
  tuning?: {
    /** How long a transaction waits for the hub's answer; default 2000 ms. */
    resultWaitMs?: number | undefined;
    /** How long catalog and quote wait for the hub; default 1500 ms. */
    lookupTimeoutMs?: number | undefined;
    /** How long tapSimulatedCard waits for the look-up; default 3000 ms. */
    tapSettleMs?: number | undefined;
    /** How often the pushed link state is compared while the screen listens; default 1000 ms. */
    linkCheckMs?: number | undefined;
  };
  now?: () => number;
}
