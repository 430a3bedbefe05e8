// @ts-check
'use strict';
/**
 * `send message`: a text to the member the message is about (an SMS through the chain's gateway; msg.payload.memberId,
 * else msg.member.memberId) or to a store's managers (the staff webhook; the node's store, else msg.payload.storeId or
 * msg.storeId). Marketing goes to a member only with their consent and never after they unsubscribed — the hub checks.
 * The text is the node's template ({{member.name}}, {{payload.count}}, …) or msg.text; the idempotency key, as for
 * `grant points`, makes a re-run send nothing new. msg.payload becomes the hub's answer ({ status, messageId }).
 */

const { answerWithCall } = require('../lib/answer-with-call.js');
const { badInput } = require('../lib/bad-input.js');
const { idempotencyKey } = require('../lib/idempotency-key.js');
const { memberIdOf } = require('../lib/member-of-message.js');
const { fillTemplate, templateContext } = require('../lib/template.js');

/** @import { NodeRedApi, Node, NodeDef, NodeMessage, NodeStatus } from '../lib/node-red-api.d.ts' */
/** @import { KeyConfig } from '../lib/idempotency-key.js' */
/** @import { HUB_CALLS, MessageSendParams, MessageSendValue } from '../../runtime/protocol.ts' */

/**
 * @typedef {NodeDef & KeyConfig & {
 *   to: 'member' | 'storeManagers';
 *   storeId: string;
 *   purpose: MessageSendParams['purpose'];
 *   text: string;
 * }} SendMessageDef
 */

/** @type {typeof HUB_CALLS.messageSend} */
const METHOD = 'message.send';

/**
 * @param {NodeMessage} msg
 * @returns {string | undefined}
 */
function storeIdOf(msg) {
  const payload = msg.payload && typeof msg.payload === 'object' ? /** @type {Record<string, unknown>} */ (msg.payload)['storeId'] : undefined;
  for (const value of [payload, msg['storeId']]) if (typeof value === 'string' && value.trim()) return value;
  return undefined;
}

/**
 * @param {NodeMessage} msg
 * @param {SendMessageDef} def
 * @returns {MessageSendParams}
 */
function sendParams(msg, def) {
  /** @type {MessageSendParams['to']} */
  let to;
  /** @type {Record<string, unknown>} */
  let resolved;
  if (def.to === 'storeManagers') {
    const storeId = (def.storeId ?? '').trim() || storeIdOf(msg);
    if (!storeId) throw badInput('no store to tell: set the node\'s store, or give msg.payload.storeId or msg.storeId');
    to = { storeManagers: storeId };
    resolved = { storeId };
  } else {
    const memberId = memberIdOf(msg);
    if (!memberId) throw badInput('no member to send to: msg.payload.memberId or msg.member.memberId');
    to = { memberId };
    resolved = { memberId };
  }
  const context = templateContext(msg, resolved);
  const text = (def.text ?? '').trim() ? fillTemplate(def.text, context, { strict: false }) : msg['text'];
  if (typeof text !== 'string' || !text.trim()) throw badInput('no text to send: set the node\'s text, or give msg.text');
  // Marketing unless the node says service: a wrongly marked marketing text could reach a member who refused it.
  const purpose = def.purpose === 'service' ? 'service' : 'marketing';
  return { to, purpose, text, idempotencyKey: idempotencyKey(def, context) };
}

/** @type {Record<MessageSendValue['status'], NodeStatus['fill']>} */
const FILL = { sent: 'green', 'already-sent': 'green', 'skipped-no-consent': 'grey', 'skipped-no-contact': 'grey', failed: 'yellow' };

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {SendMessageDef} def */
  function SendMessageNode(def) {
    RED.nodes.createNode(this, def);
    answerWithCall(this, {
      catalog: 'send-message',
      method: METHOD,
      params: (msg) => sendParams(msg, def),
      status: (value) => {
        const { status } = /** @type {MessageSendValue} */ (value);
        return { fill: FILL[status] ?? 'green', shape: status === 'sent' ? 'dot' : 'ring', text: `send-message.status.${status}` };
      },
    });
  }
  RED.nodes.registerType('mk-send-message', SendMessageNode);
};
