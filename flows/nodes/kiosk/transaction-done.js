// @ts-check
'use strict';
/**
 * `transaction done`: a transaction this kiosk made, once its outcome is known (msg.payload: TransactionDoneEvent),
 * optionally only of one kind (purchase, topup, …) and one status (applied, queued while the hub is away, rejected).
 */

const { relayEvents } = require('../lib/relay-events.js');

/** @import { NodeRedApi, Node, NodeDef } from '../lib/node-red-api.d.ts' */
/** @import { TransactionDoneEvent, KIOSK_EVENTS } from '../../runtime/protocol.ts' */

/** @typedef {NodeDef & { kind: string; status: '' | TransactionDoneEvent['status'] }} TransactionDoneDef */

/** @type {typeof KIOSK_EVENTS.transactionDone} */
const TOPIC = 'transaction-done';

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {TransactionDoneDef} def */
  function TransactionDoneNode(def) {
    RED.nodes.createNode(this, def);
    const kind = (def.kind ?? '').trim();
    const status = def.status ?? '';
    relayEvents(this, TOPIC, /** @param {TransactionDoneEvent} tx */ (tx) => (!kind || tx.kind === kind) && (!status || tx.status === status));
  }
  RED.nodes.registerType('mk-transaction-done', TransactionDoneNode);
};
