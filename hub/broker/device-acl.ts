/**
 * What an enrolled kiosk may do on the broker: publish only its own transactions, look-up requests, state and
 * availability; subscribe only to its own results, look-up responses and commands, the hub's availability and the
 * config of its own scopes. Results, responses and commands are published by the hub alone: a kiosk that could
 * publish its own `tx/result` could tell itself (or, before this ACL, another kiosk) that a sale failed after the
 * ledger took it, and one that could publish or read another kiosk's `command` could put words on its screen or
 * learn what HQ tells it.
 *
 * Exact topics, no prefix match: `devices/{id}/tx/result` starts with `devices/{id}/tx` too. The same table is
 * in docs/ARCHITECTURE.md (Trust model) and is what the Mosquitto dynsec role grants.
 */
import { configScopesOf, type ScopedIdentity } from '../../core/wire/config-scopes.ts';
import type { Topics } from '../../core/wire/topics.ts';

const SEGMENT = /^[^/+#]+$/;

export function devicePublishAllowed(topics: Topics, identity: ScopedIdentity, topic: string): boolean {
  const id = identity.deviceId;
  if (topic === topics.tx(id) || topic === topics.state(id) || topic === topics.availability(id)) return true;
  const requestPrefix = topics.request(id, '');
  return topic.startsWith(requestPrefix) && SEGMENT.test(topic.slice(requestPrefix.length));
}

export function deviceSubscribeAllowed(topics: Topics, identity: ScopedIdentity, filter: string): boolean {
  const id = identity.deviceId;
  if (filter === topics.txResult(id) || filter === topics.command(id) || filter === topics.hubAvailability) return true;
  const responsePrefix = topics.response(id, '');
  if (filter.startsWith(responsePrefix)) {
    const rest = filter.slice(responsePrefix.length);
    return rest === '+' || SEGMENT.test(rest);
  }
  return configScopesOf(identity).some((scope) => {
    const root = topics.config(scope);
    if (filter === root) return true;
    // Below its own scope anything goes, wildcards included: `config/store/S/#` still reads only store S.
    return filter.startsWith(`${root}/`);
  });
}

/**
 * The same grants as lists of exact topics and filters, for a broker that is told them rather than asking us
 * (Mosquitto's dynamic security roles: hub/broker/mosquitto-dynsec-accounts.ts).
 */
export function deviceGrants(topics: Topics, identity: ScopedIdentity): { publish: string[]; subscribe: string[] } {
  const id = identity.deviceId;
  return {
    publish: [topics.tx(id), topics.request(id, '+'), topics.state(id), topics.availability(id)],
    subscribe: [topics.txResult(id), topics.response(id, '+'), topics.command(id), topics.hubAvailability, ...configScopesOf(identity).flatMap((scope) => [topics.config(scope), `${topics.config(scope)}/#`])],
  };
}
