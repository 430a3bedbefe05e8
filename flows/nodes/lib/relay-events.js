// @ts-check
'use strict';
/**
 * How every one of our input nodes runs: each of the parent's events on its topic that passes the node's filter
 * leaves the node as { topic, payload: event }. The listener is detached when the node closes: a deploy replaces the
 * nodes, and a forgotten listener would send from a node that is no longer in any flow.
 */

const bridge = require('./bridge.js');

/** @import { Node } from './node-red-api.d.ts' */

/**
 * @template T
 * @param {Node} node
 * @param {string} topic
 * @param {(event: T) => boolean} accept the node's filter (its options); the event is the parent's, checked by the caller
 */
function relayEvents(node, topic, accept) {
  const stop = bridge.on(topic, (payload) => {
    if (!payload || typeof payload !== 'object') return;
    const event = /** @type {T} */ (payload);
    if (!accept(event)) return;
    // Each node gets its own copy: a flow that changes msg.payload must not change what another node sees.
    node.send({ topic, payload: structuredClone(event) });
    const at = /** @type {{ at?: unknown }} */ (event).at;
    node.status({ fill: 'green', shape: 'dot', text: typeof at === 'string' ? localTime(at) : '' });
  });
  node.on('close', (_removed, done) => {
    stop();
    node.status({});
    done();
  });
}

/**
 * The time of the last event, shown under the node.
 * @param {string} iso
 */
function localTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

module.exports = { relayEvents };
