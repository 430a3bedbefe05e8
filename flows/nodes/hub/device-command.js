// @ts-check
'use strict';
/**
 * `device command`: tells a kiosk to show a message on its screen, through the hub's link to it. The kiosk is the
 * node's, or msg.payload.deviceId, or msg.deviceId; the text is the node's (Chinese and English templates), or
 * msg.payload as a text, { 'zh-CN', en } or { text }. The kiosk's own flows see it as a `hub-command` event.
 */

const { answerWithCall } = require('../lib/answer-with-call.js');
const { badInput } = require('../lib/bad-input.js');
const { screenText } = require('../lib/screen-text.js');

/** @import { NodeRedApi, Node, NodeDef, NodeMessage } from '../lib/node-red-api.d.ts' */
/** @import { HUB_CALLS, DeviceCommandParams } from '../../runtime/protocol.ts' */

/** @typedef {NodeDef & { deviceId: string; textZh: string; textEn: string; seconds: string | number }} DeviceCommandDef */

/** @type {typeof HUB_CALLS.deviceCommand} */
const METHOD = 'device.command';

/**
 * @param {NodeMessage} msg
 * @param {DeviceCommandDef} def
 * @returns {DeviceCommandParams}
 */
function commandParams(msg, def) {
  const payload = /** @type {Record<string, unknown>} */ (msg.payload && typeof msg.payload === 'object' ? msg.payload : {});
  const deviceId = [def.deviceId, payload['deviceId'], msg['deviceId']].find((value) => typeof value === 'string' && value.trim());
  if (typeof deviceId !== 'string') throw badInput('no kiosk to command: set the node\'s device, or give msg.payload.deviceId or msg.deviceId');
  const text = screenText(msg, def.textZh, def.textEn);
  if (!text) throw badInput('no text to show: set the node\'s texts, or give msg.payload as a text, { "zh-CN", en } or { text }');
  const seconds = Number(def.seconds) > 0 ? Number(def.seconds) : payload['seconds'];
  return {
    deviceId: deviceId.trim(),
    command: 'show-message',
    args: { text, ...(typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? { seconds } : {}) },
  };
}

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {DeviceCommandDef} def */
  function DeviceCommandNode(def) {
    RED.nodes.createNode(this, def);
    answerWithCall(this, {
      catalog: 'device-command',
      method: METHOD,
      params: (msg) => commandParams(msg, def),
      status: () => ({ fill: 'green', shape: 'dot', text: 'device-command.status.sent' }),
    });
  }
  RED.nodes.registerType('mk-device-command', DeviceCommandNode);
};
