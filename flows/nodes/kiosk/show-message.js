// @ts-check
'use strict';
/**
 * `show message`: a message over whatever this kiosk's screen shows, for a few seconds, in Chinese and (when the
 * screen is in English) English. The node's texts may name message properties ({{payload.count}}); without them
 * msg.payload is the text, { 'zh-CN', en }, or { text, seconds, tone }.
 */

const { answerWithCall } = require('../lib/answer-with-call.js');
const { badInput } = require('../lib/bad-input.js');
const { screenText } = require('../lib/screen-text.js');

/** @import { NodeRedApi, Node, NodeDef, NodeMessage } from '../lib/node-red-api.d.ts' */
/** @import { KIOSK_CALLS, ShowMessageParams } from '../../runtime/protocol.ts' */

/** @typedef {ShowMessageParams['tone']} Tone */
/** @typedef {NodeDef & { textZh: string; textEn: string; seconds: string | number; tone: '' | NonNullable<Tone> }} ShowMessageDef */

/** @type {typeof KIOSK_CALLS.showMessage} */
const METHOD = 'kiosk.showMessage';

const TONES = ['info', 'success', 'warning'];

/**
 * @param {NodeMessage} msg
 * @param {ShowMessageDef} def
 * @returns {ShowMessageParams}
 */
function showMessageParams(msg, def) {
  const payload = /** @type {Record<string, unknown>} */ (msg.payload && typeof msg.payload === 'object' ? msg.payload : {});
  const text = screenText(msg, def.textZh, def.textEn);
  if (!text) throw badInput('no text to show: set the node\'s texts, or give msg.payload as a text, { "zh-CN", en } or { text, seconds, tone }');
  const seconds = Number(def.seconds) > 0 ? Number(def.seconds) : payload['seconds'];
  const tone = def.tone || payload['tone'];
  return {
    text,
    ...(typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? { seconds } : {}),
    ...(typeof tone === 'string' && TONES.includes(tone) ? { tone: /** @type {Tone} */ (tone) } : {}),
  };
}

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {ShowMessageDef} def */
  function ShowMessageNode(def) {
    RED.nodes.createNode(this, def);
    answerWithCall(this, {
      catalog: 'show-message',
      method: METHOD,
      params: (msg) => showMessageParams(msg, def),
      status: () => ({ fill: 'green', shape: 'dot', text: 'show-message.status.shown' }),
    });
  }
  RED.nodes.registerType('mk-show-message', ShowMessageNode);
};
