// @ts-check
'use strict';
/**
 * `device state`: a kiosk's reported state changed — online, printer, reader, outbox (msg.payload: DeviceStateEvent).
 * Optionally only a kiosk whose printer needs paper.
 */

const { relayEvents } = require('../lib/relay-events.js');

/** @import { NodeRedApi, Node, NodeDef } from '../lib/node-red-api.d.ts' */
/** @import { DeviceStateEvent, HUB_EVENTS } from '../../runtime/protocol.ts' */

/** @typedef {NodeDef & { only: '' | 'paper' }} DeviceStateDef */

/** @type {typeof HUB_EVENTS.deviceState} */
const TOPIC = 'device-state';

/** The printer states the kiosk reports when its paper runs low or out (device/hardware/hardware-state.ts). */
const PAPER_STATES = ['paper_low', 'paper_out'];

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {DeviceStateDef} def */
  function DeviceStateNode(def) {
    RED.nodes.createNode(this, def);
    const paperOnly = def.only === 'paper';
    relayEvents(this, TOPIC, /** @param {DeviceStateEvent} state */ (state) => !paperOnly || PAPER_STATES.includes(state.printer ?? ''));
  }
  RED.nodes.registerType('mk-device-state', DeviceStateNode);
};
