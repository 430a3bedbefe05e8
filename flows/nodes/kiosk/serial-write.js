// @ts-check
'use strict';
/**
 * `serial write`: sends msg.payload to a serial port the technician configured on this kiosk (a lamp, a buzzer, a
 * store system), named in the node or in msg.port. A text goes as UTF-8 or as hex digits ("1B 40"), as the node
 * says; a Buffer goes as its bytes.
 */

const { answerWithCall } = require('../lib/answer-with-call.js');
const { badInput } = require('../lib/bad-input.js');

/** @import { NodeRedApi, Node, NodeDef, NodeMessage } from '../lib/node-red-api.d.ts' */
/** @import { KIOSK_CALLS, SerialWriteParams, SerialWriteValue } from '../../runtime/protocol.ts' */

/** @typedef {NodeDef & { port: string; encoding: 'utf8' | 'hex' }} SerialWriteDef */

/** @type {typeof KIOSK_CALLS.serialWrite} */
const METHOD = 'kiosk.serialWrite';

/**
 * @param {NodeMessage} msg
 * @param {SerialWriteDef} def
 * @returns {SerialWriteParams}
 */
function serialWriteParams(msg, def) {
  const port = (def.port ?? '').trim() || (typeof msg['port'] === 'string' ? msg['port'] : '');
  const portPart = port ? { port } : {};
  if (Buffer.isBuffer(msg.payload)) return { ...portPart, data: msg.payload.toString('hex'), encoding: 'hex' };
  if (typeof msg.payload !== 'string' || msg.payload === '') throw badInput('msg.payload should be the text or Buffer to write');
  if (def.encoding === 'hex') {
    const hex = msg.payload.replace(/\s+/g, '');
    if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex)) throw badInput('msg.payload should be hex digits in pairs ("1B 40") for this node');
    return { ...portPart, data: hex, encoding: 'hex' };
  }
  return { ...portPart, data: msg.payload, encoding: 'utf8' };
}

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {SerialWriteDef} def */
  function SerialWriteNode(def) {
    RED.nodes.createNode(this, def);
    answerWithCall(this, {
      catalog: 'serial-write',
      method: METHOD,
      params: (msg) => serialWriteParams(msg, def),
      status: (value) => ({ fill: 'green', shape: 'dot', text: `${/** @type {SerialWriteValue} */ (value).bytes} B` }),
    });
  }
  RED.nodes.registerType('mk-serial-write', SerialWriteNode);
};
