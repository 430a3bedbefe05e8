/**
 * The parts of a running kiosk, as start() opens them one by one, and the order they close in: the same for a
 * stop() and for a start() that failed half-way (whatever was opened so far). Apart from device/main.ts so the
 * composition root reads as steps.
 */
import type { FastifyInstance } from 'fastify';
import type { AlertLog } from '../alerts/alert-log.ts';
import type { KioskApp } from '../app/kiosk-app.ts';
import type { FlowSerialPorts } from '../automation/flow-serial-ports.ts';
import type { KioskFlows } from '../automation/kiosk-flows.ts';
import type { MemberCache } from '../cache/member-cache.ts';
import type { HubContact } from '../config/hub-contact.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { CardSource, ReceiptSink } from '../ports.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import type { DeviceProfileSync } from '../settings/device-profile-sync.ts';
import type { SettingsStore } from '../settings/settings-store.ts';

export interface Running {
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

/** Whatever of them is open, closed: the flows first, the kiosk's own files last. */
export async function closeAll(parts: Partial<Running>): Promise<void> {
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
