/**
 * What GET /api/state answers: the kiosk at a glance (identity, mode, staff, rules and snapshot versions, link,
 * outbox, hardware, alerts, configuration, store). Its own file because the view is read by the HTTP API and the
 * screen's contract alike, and is gathered from every part the application holds — none of which it changes.
 */
import type { Alert } from '../../core/wire/alerts.ts';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import type { KioskConfigView } from '../config/config-view.ts';
import { hardwareStateOf, type HardwareState } from '../hardware/hardware-state.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox, PendingEntry } from '../outbox/sqlite-outbox.ts';
import type { CardReaderHealth, PrinterHealth } from '../ports.ts';
import { serviceNames, type ServiceName } from './service-names.ts';
import type { StaffSignIn } from './staff-sign-in.ts';

/** GET /api/state. */
export interface KioskState {
  deviceId: string;
  storeId: string;
  /** unattended: never takes cash; attended: a counter device (as the hub has it). */
  mode: KioskMode;
  /** The staff member signed in on this kiosk, if any. */
  staff: StaffSessionView | null;
  /** What transactions name: the rules version and the signed configuration snapshot (absent: none held yet). */
  bundleVersion: number;
  snapshotVersion?: number;
  connected: boolean;
  outboxDepth: number;
  epoch: string;
  oldestPending: Pick<PendingEntry, 'id' | 'epoch' | 'seq'> | null;
  drivers?: { cardReader: CardReaderHealth; printer: PrinterHealth };
  /** The reader and printer in one word each, as the screen is pushed them (`hardware` events); with drivers. */
  hardware?: HardwareState;
  alerts: Alert[];
  /** The signed configuration in force (device/config): versions, last refusal, items, receipt texts, limits. */
  config?: KioskConfigView;
  /** Count cards' services by name (the item that sells the card): the member view names only the service id. */
  services: ServiceName[];
  /** The kiosk's store as the hub last described it (device.profile): the screen names it and shows times in its zone. */
  store?: KioskStoreView;
}

/** GET /api/state `store`: the store's id and profile (before the hub ever gave one: the id as name, Asia/Shanghai). */
export interface KioskStoreView {
  storeId: string;
  name: string;
  address: string;
  phone: string;
  /** IANA zone. */
  timezone: string;
}

/** Where the state is read from: the application's own dependencies (kiosk-app-deps.ts), as they are. */
export interface KioskStateSources {
  identity: () => { deviceId: string; storeId: string };
  mode: () => KioskMode;
  staff: Pick<StaffSignIn, 'current'>;
  rules: { bundle(): RulesBundle | null; version(): number };
  link: Pick<HubLink, 'isConnected'>;
  outbox: Pick<Outbox, 'depth' | 'oldestPending' | 'epoch'>;
  snapshotVersion?: () => number | undefined;
  config?: () => KioskConfigView;
  store?: () => KioskStoreView;
  alerts?: () => Alert[];
  drivers?: () => { cardReader: CardReaderHealth; printer: PrinterHealth };
}

export function kioskStateOf(deps: KioskStateSources): KioskState {
  const { outbox, link, rules } = deps;
  const { deviceId, storeId } = deps.identity();
  const oldest = outbox.oldestPending();
  const snapshotVersion = deps.snapshotVersion?.();
  const drivers = deps.drivers?.();
  const config = deps.config?.();
  return {
    deviceId,
    storeId,
    mode: deps.mode(),
    staff: deps.staff.current(),
    bundleVersion: rules.version(),
    ...(snapshotVersion !== undefined ? { snapshotVersion } : {}),
    connected: link.isConnected(),
    outboxDepth: outbox.depth(),
    epoch: outbox.epoch(),
    oldestPending: oldest ? { id: oldest.id, epoch: oldest.epoch, seq: oldest.seq } : null,
    ...(drivers ? { drivers, hardware: hardwareStateOf(drivers) } : {}),
    alerts: deps.alerts?.() ?? [],
    ...(config ? { config } : {}),
    ...(deps.store ? { store: deps.store() } : {}),
    services: serviceNames(rules.bundle(), config?.items ?? []),
  };
}
