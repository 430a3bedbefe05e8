/**
 * The kiosk's Node-RED (flows/) wired to the kiosk: the look-ups its editor logins go through, what the flows may
 * call (print a note, show a message, write to a serial port), the kiosk events they are told, and the alerts they
 * raise. Apart from device/main.ts so the composition root reads as steps.
 */
import type { Logger } from 'pino';
import type { AlertLog } from '../alerts/alert-log.ts';
import type { KioskApp } from '../app/kiosk-app.ts';
import type { FlowSerialPorts } from '../automation/flow-serial-ports.ts';
import { createKioskFlowCalls, type KioskFlowCallsDeps } from '../automation/kiosk-flow-calls.ts';
import { watchKioskEvents } from '../automation/kiosk-flow-events.ts';
import { startKioskFlows, type KioskFlows } from '../automation/kiosk-flows.ts';
import { hardwareStateOf } from '../hardware/hardware-state.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { CardSource, ReceiptSink } from '../ports.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import type { SettingsStore } from '../settings/settings-store.ts';
import type { ResolvedDeviceConfig } from './device-config.ts';

export interface KioskFlowsInputs {
  config: ResolvedDeviceConfig;
  deviceId: string;
  link: HubLink;
  kiosk: KioskApp;
  session: KioskSession;
  outbox: Outbox;
  cards: CardSource;
  receipts: ReceiptSink;
  /** What the flows' printed notes are made with (the receipts' context). */
  noticeContext: KioskFlowCallsDeps['noticeContext'];
  serialPorts: FlowSerialPorts;
  settingsStore: SettingsStore;
  alerts: AlertLog;
  loggerFor: (component: string) => Logger;
  logger: Logger;
}

/** Started and not waited for (null when switched off): the kiosk serves members whether or not its flows are up. */
export function startWiredKioskFlows(inputs: KioskFlowsInputs): KioskFlows | null {
  const { link, kiosk, cards, receipts, settingsStore, alerts, loggerFor } = inputs;
  return startKioskFlows({
    config: inputs.config.nodeRed,
    dataDir: inputs.config.dataDir,
    deviceId: inputs.deviceId,
    lookup: (req, timeoutMs) => link.lookup(req, timeoutMs),
    calls: createKioskFlowCalls({ receipts, noticeContext: inputs.noticeContext, screen: kiosk, serialPorts: inputs.serialPorts, logger: loggerFor('flow-calls') }),
    watchEvents: (emit) =>
      watchKioskEvents(
        {
          session: inputs.session,
          transactions: kiosk,
          link,
          outbox: inputs.outbox,
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
    logger: inputs.logger,
  });
}
