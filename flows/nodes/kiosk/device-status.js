// @ts-check
'use strict';
/**
 * `device status`: this kiosk's reader, printer, hub link and outbox, each time one of them changes
 * (msg.payload: DeviceStatusEvent).
 */

const { relayEvents } = require('../lib/relay-events.js');

/** @import { NodeRedApi, Node, NodeDef } from '../lib/node-red-api.d.ts' */
/** @import { KIOSK_EVENTS } from '../../runtime/protocol.ts' */

/** @type {typeof KIOSK_EVENTS.deviceStatus} */
const TOPIC = 'device-status';

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {NodeDef} def */
  function DeviceStatusNode(def) {
    RED.nodes.createNode(this, def);
    relayEvents(this, TOPIC, () => true);
  }
  RED.nodes.registerType('mk-device-status', DeviceStatusNode);
};
