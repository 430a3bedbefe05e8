// @ts-check
'use strict';
/**
 * `ledger event`: a transaction the hub's ledger answered, from any kiosk or HQ (msg.payload: LedgerEvent),
 * optionally only of one kind and one status (applied, or rejected and recorded).
 */

const { relayEvents } = require('../lib/relay-events.js');

/** @import { NodeRedApi, Node, NodeDef } from '../lib/node-red-api.d.ts' */
/** @import { LedgerEvent, HUB_EVENTS } from '../../runtime/protocol.ts' */

/** @typedef {NodeDef & { kind: string; status: '' | LedgerEvent['status'] }} LedgerEventDef */

/** @type {typeof HUB_EVENTS.ledgerEvent} */
const TOPIC = 'ledger-event';

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {LedgerEventDef} def */
  function LedgerEventNode(def) {
    RED.nodes.createNode(this, def);
    const kind = (def.kind ?? '').trim();
    const status = def.status ?? '';
    relayEvents(this, TOPIC, /** @param {LedgerEvent} tx */ (tx) => (!kind || tx.kind === kind) && (!status || tx.status === status));
  }
  RED.nodes.registerType('mk-ledger-event', LedgerEventNode);
};
