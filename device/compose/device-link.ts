/**
 * The kiosk's link to its hub as this kiosk makes it: its MQTT login and CA, the tuning of its reconnects and
 * resends, and the state report the hub's device registry keeps. Apart from device/main.ts so the composition root
 * reads as steps.
 */
import type { Logger } from 'pino';
import { createTopics } from '../../core/wire/topics.ts';
import type { AlertLog } from '../alerts/alert-log.ts';
import type { ConfigStore } from '../config/config-store.ts';
import { createHubLink, type HubLink } from '../link/hub-link.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { CardSource, ReceiptSink } from '../ports.ts';
import { SOFTWARE_VERSION } from '../software-version.ts';
import type { ResolvedDeviceConfig } from './device-config.ts';

export interface DeviceLinkInputs {
  config: ResolvedDeviceConfig;
  /** The hub and the kiosk's id as the settings file has them (the command line's, saved). */
  hubUrl: string;
  deviceId: string;
  outbox: Outbox;
  alerts: AlertLog;
  configStore: ConfigStore;
  cards: CardSource;
  receipts: ReceiptSink;
  /** The offset the hub last measured, if it ever did. */
  clockOffsetMs: () => number | undefined;
  /** The kiosk's clock corrected by that offset: what configuration expiry is judged by. */
  correctedNow: () => number;
  logger: Logger;
}

/** Constructed only: link.start() connects. */
export function createDeviceLink(inputs: DeviceLinkInputs): HubLink {
  const { config, alerts, configStore, cards, receipts } = inputs;
  return createHubLink({
    url: inputs.hubUrl,
    deviceId: inputs.deviceId,
    outbox: inputs.outbox,
    topics: createTopics(config.baseTopic),
    logger: inputs.logger,
    clientOptions: {
      reconnectPeriod: config.tuning.reconnectMs ?? 1000,
      ...(config.mqtt ? { username: config.mqtt.username, password: config.mqtt.password, ...(config.mqtt.caPem ? { ca: config.mqtt.caPem } : {}) } : {}),
    },
    ...(config.tuning.stallResendMs ? { stallResendMs: config.tuning.stallResendMs } : {}),
    // What the hub's device registry keeps: software, configuration (applied versions, expiry, last refusal),
    // driver health, clock offset, alerts (the presence adds the outbox depth).
    reportState: () => {
      const recent = alerts.recent(10);
      const summary = configStore.summary(inputs.correctedNow());
      return {
        software: SOFTWARE_VERSION,
        versions: { bundle: configStore.rulesVersion(), snapshot: summary.snapshotVersion },
        config: { snapshotVersion: summary.snapshotVersion, rulesVersion: summary.rulesVersion, scopeVersions: summary.scopeVersions, expires: summary.expires, lastRefusal: summary.lastRefusal },
        drivers: { cardReader: cards.health(), printer: receipts.health() },
        clockOffsetMs: inputs.clockOffsetMs() ?? null,
        lastAlert: recent[0] ?? null,
        alerts: recent,
      };
    },
  });
}
