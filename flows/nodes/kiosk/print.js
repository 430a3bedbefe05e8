// @ts-check
'use strict';
/**
 * `print`: prints on this kiosk's receipt printer (the same driver and paper checks as receipts). msg.payload is a
 * text (one line per line), a list of lines, or { title, lines, qr } with a QR code under the lines.
 */

const { answerWithCall } = require('../lib/answer-with-call.js');
const { badInput } = require('../lib/bad-input.js');

/** @import { NodeRedApi, Node, NodeDef, NodeMessage } from '../lib/node-red-api.d.ts' */
/** @import { KIOSK_CALLS, PrintParams } from '../../runtime/protocol.ts' */

/** @typedef {NodeDef & { title: string }} PrintDef */

/** @type {typeof KIOSK_CALLS.print} */
const METHOD = 'kiosk.print';

/**
 * @param {unknown} value
 * @returns {value is string[]}
 */
function isTextList(value) {
  return Array.isArray(value) && value.every((line) => typeof line === 'string');
}

/**
 * @param {NodeMessage} msg
 * @param {string} configuredTitle
 * @returns {PrintParams}
 */
function printParams(msg, configuredTitle) {
  const payload = msg.payload;
  let title = configuredTitle.trim() || undefined;
  /** @type {string[] | undefined} */
  let lines;
  /** @type {string | undefined} */
  let qr;
  if (typeof payload === 'string') lines = payload.split('\n');
  else if (isTextList(payload)) lines = payload;
  else if (payload && typeof payload === 'object') {
    const given = /** @type {Record<string, unknown>} */ (payload);
    lines = isTextList(given['lines']) ? given['lines'] : [];
    if (typeof given['title'] === 'string' && given['title'].trim()) title = given['title'];
    if (typeof given['qr'] === 'string' && given['qr'].trim()) qr = given['qr'];
  }
  if (!lines || (lines.length === 0 && !title && !qr)) {
    throw badInput('msg.payload should be what to print: a text, a list of lines, or { title, lines, qr }');
  }
  return { ...(title ? { title } : {}), lines, ...(qr ? { qr } : {}) };
}

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {PrintDef} def */
  function PrintNode(def) {
    RED.nodes.createNode(this, def);
    const title = def.title ?? '';
    answerWithCall(this, {
      catalog: 'print',
      method: METHOD,
      params: (msg) => printParams(msg, title),
      status: () => ({ fill: 'green', shape: 'dot', text: 'print.status.printed' }),
    });
  }
  RED.nodes.registerType('mk-print', PrintNode);
};
