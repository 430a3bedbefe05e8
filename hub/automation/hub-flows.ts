/**
 * The hub's Node-RED, when its configuration switches it on: our hub nodes, the shipped hub flows it names, the
 * editor behind the console's listeners at /node-red/ for HQ admins and technicians, the hub's calls (acting as
 * the configured staff account) and its ledger and device events. Kills, crashes and safe mode are logged as
 * errors: the hub has no alert log of its own, its log is what operators watch.
 */
import type { Logger } from 'pino';
import type { NodeRedConfig } from '../../flows/runtime/node-red-config.ts';
import type { FlowCalls } from '../../flows/runtime/protocol.ts';
import { startFlows, type RunningFlows } from '../../flows/runtime/start-flows.ts';
import { NODE_RED_PREFIX } from '../http/node-red-proxy.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import { hubEditorLogins } from './hub-editor-logins.ts';

export interface HubFlowsOptions {
  config: NodeRedConfig;
  dataDir: string;
  identity: Pick<IdentityService, 'login' | 'logout'>;
  identityStore: Pick<IdentityStore, 'staffCredentialsById'>;
  calls: FlowCalls;
  /** Starts sending the hub's events to `emit`; returns the function that stops. */
  watchEvents: (emit: (topic: string, payload: unknown) => void) => () => void;
  logger: Logger;
}

export type HubFlows = RunningFlows;

export function startHubFlows(options: HubFlowsOptions): HubFlows | null {
  const log = options.logger.child({ component: 'hub.node-red' });
  return startFlows({
    host: 'hub',
    config: options.config,
    dataDir: options.dataDir,
    title: 'memberkiosk HQ',
    httpAdminRoot: NODE_RED_PREFIX,
    logins: hubEditorLogins(options.identity, options.identityStore),
    calls: options.calls,
    watchEvents: options.watchEvents,
    logger: options.logger,
    onAlert: (code, detail) => log.error({ alert: code, ...detail }, 'Node-RED alert'),
  });
}
