/**
 * The kiosk's Node-RED, when its configuration switches it on: our kiosk nodes, the shipped kiosk flows it names,
 * the editor on loopback (at the kiosk or through an SSH tunnel) for technicians the hub vouches for, and the kiosk's
 * calls and events. Alerts go to the kiosk's alert log, so the hub's registry hears of a runaway flow.
 */
import type { Logger } from 'pino';
import type { AlertCode } from '../../core/wire/alerts.ts';
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';
import type { NodeRedConfig } from '../../flows/runtime/node-red-config.ts';
import type { FlowCalls } from '../../flows/runtime/protocol.ts';
import { startFlows, type RunningFlows } from '../../flows/runtime/start-flows.ts';
import { kioskEditorLogins } from './kiosk-editor-logins.ts';

export interface KioskFlowsOptions {
  config: NodeRedConfig;
  dataDir: string;
  deviceId: string;
  lookup: (request: LookupRequest, timeoutMs: number) => Promise<LookupResponse | null>;
  calls: FlowCalls;
  /** Starts sending the kiosk's events to `emit`; returns the function that stops. */
  watchEvents: (emit: (topic: string, payload: unknown) => void) => () => void;
  raiseAlert: (code: AlertCode, detail: Record<string, unknown>) => void;
  logger: Logger;
}

export type KioskFlows = RunningFlows;

export function startKioskFlows(options: KioskFlowsOptions): KioskFlows | null {
  return startFlows({
    host: 'kiosk',
    config: options.config,
    dataDir: options.dataDir,
    title: `memberkiosk ${options.deviceId}`,
    httpAdminRoot: '/',
    logins: kioskEditorLogins(options.lookup, options.logger.child({ component: 'device.node-red-login' })),
    calls: options.calls,
    watchEvents: options.watchEvents,
    logger: options.logger,
    onAlert: (code, detail) => options.raiseAlert(code, detail),
  });
}
