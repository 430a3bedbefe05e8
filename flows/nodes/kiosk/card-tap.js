// @ts-check
'use strict';
/**
 * `card tap`: a card tapped on this kiosk's reader, once the kiosk knows whose it is (msg.payload: CardTapEvent, with
 * the card number masked). By default members' cards only; staff and unknown cards on request.
 */

const { relayEvents } = require('../lib/relay-events.js');

/** @import { NodeRedApi, Node, NodeDef } from '../lib/node-red-api.d.ts' */
/** @import { CardTapEvent, KIOSK_EVENTS } from '../../runtime/protocol.ts' */

/** @typedef {NodeDef & { cards: 'member' | 'all' }} CardTapDef */

/** @type {typeof KIOSK_EVENTS.cardTap} */
const TOPIC = 'card-tap';

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {CardTapDef} def */
  function CardTapNode(def) {
    RED.nodes.createNode(this, def);
    const membersOnly = def.cards !== 'all';
    relayEvents(this, TOPIC, /** @param {CardTapEvent} tap */ (tap) => !membersOnly || (tap.kind === 'member' && typeof tap.memberId === 'string'));
  }
  RED.nodes.registerType('mk-card-tap', CardTapNode);
};
