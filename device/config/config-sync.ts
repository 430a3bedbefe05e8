/**
 * How configuration sets reach the config store: asked for with the `config.current` look-up on every connect
 * (and every 10 minutes, and when a catalogue names newer rules), and taken from the retained topic
 * topics.configSet(deviceId) whenever the hub publishes one. Each set is checked at the kiosk's clock corrected
 * by the offset it measured against the hub (a kiosk whose clock is off neither takes an expired set nor
 * refuses a fresh one), then:
 * - applied: logged, and the state report republished at once (the hub's registry records the new version);
 * - refused: the kiosk keeps what it runs, logs the code, raises CONFIG_REFUSED (once per distinct refusal: the
 *   same retained set refused again on every reconnect is not news) and republishes the state report, whose
 *   `config.lastRefusal` tells the hub why.
 */
import type { Logger } from 'pino';
import type { AlertCode } from '../../core/wire/alerts.ts';
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';
import type { ConfigStore, OfferOutcome } from './config-store.ts';

export interface ConfigSyncDeps {
  store: ConfigStore;
  lookup: (req: LookupRequest, timeoutMs: number) => Promise<LookupResponse | null>;
  /** The kiosk's clock corrected by the hub's offset (ms). */
  now: () => number;
  alert: (code: AlertCode, detail: Record<string, unknown>) => void;
  /** After a set was applied or newly refused: the composition root republishes the state report. */
  changed?: (outcome: Exclude<OfferOutcome, { status: 'unchanged' }>) => void;
  logger: Logger;
}

export interface ConfigSync {
  /** Asks the hub for this kiosk's current set and offers it; resolves whether a new one was applied. Never throws. */
  fetch(timeoutMs?: number): Promise<boolean>;
  /** A set from the retained topic (or anywhere else): checked and applied or refused. Null when it could not be stored. */
  receive(set: unknown, source: string): OfferOutcome | null;
}

export function createConfigSync(deps: ConfigSyncDeps): ConfigSync {
  const log = deps.logger;

  function receive(set: unknown, source: string): OfferOutcome | null {
    let outcome: OfferOutcome;
    try {
      outcome = deps.store.offer(set, deps.now());
    } catch (error) {
      log.error({ err: error, source }, 'could not store a configuration set; keeping the one held');
      return null;
    }
    if (outcome.status === 'unchanged') return outcome;
    if (outcome.status === 'applied') {
      const { snapshot } = outcome.config;
      log.info({ source, snapshotVersion: snapshot.version, rulesVersion: snapshot.rulesVersion, regionId: snapshot.regionId, scopes: snapshot.scopes.map((s) => `${s.scope}@${s.version}`), expires: snapshot.expires }, 'configuration applied');
      deps.changed?.(outcome);
      return outcome;
    }
    const { refusal, repeated } = outcome;
    log.warn({ code: refusal.code, detail: refusal.detail, version: refusal.version, source, repeated }, 'configuration set refused; keeping the one held');
    if (!repeated) {
      deps.alert('CONFIG_REFUSED', { code: refusal.code, detail: refusal.detail, version: refusal.version });
      deps.changed?.(outcome);
    }
    return outcome;
  }

  return {
    receive,
    async fetch(timeoutMs = 3_000) {
      try {
        const response = await deps.lookup({ op: 'config.current' }, timeoutMs);
        if (!response) return false;
        if (!response.ok) {
          // A hub with no signing key yet, or one older than signed configuration: nothing to apply.
          log.info({ code: response.code }, 'the hub has no configuration for this kiosk');
          return false;
        }
        if (!('configSet' in response)) return false;
        return receive(response.configSet, 'config.current')?.status === 'applied';
      } catch (error) {
        log.warn({ err: error }, 'could not ask the hub for the configuration');
        return false;
      }
    },
  };
}
