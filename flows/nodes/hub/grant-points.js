// @ts-check
'use strict';
/**
 * `grant points`: an audited bonus to the member the message is about (msg.payload.memberId, else msg.member.memberId)
 * through the ledger's normal transaction path, with the flow's staff account as the actor. The points and the reason
 * come from the node (or msg.points and msg.reason); the idempotency key from a message property or a template such as
 * `birthday:{{memberId}}:{{year}}`, so the same bonus is never granted twice, whatever re-runs and restarts happen.
 * msg.payload becomes the ledger's answer ({ status: granted | already-granted, txId, points }); msg.member stays.
 */

const { answerWithCall } = require('../lib/answer-with-call.js');
const { badInput } = require('../lib/bad-input.js');
const { idempotencyKey } = require('../lib/idempotency-key.js');
const { memberIdOf } = require('../lib/member-of-message.js');
const { fillTemplate, templateContext } = require('../lib/template.js');

/** @import { NodeRedApi, Node, NodeDef, NodeMessage } from '../lib/node-red-api.d.ts' */
/** @import { KeyConfig } from '../lib/idempotency-key.js' */
/** @import { HUB_CALLS, PointsGrantParams, PointsGrantValue } from '../../runtime/protocol.ts' */

/** @typedef {NodeDef & KeyConfig & { points: string | number; reason: string }} GrantPointsDef */

/** @type {typeof HUB_CALLS.pointsGrant} */
const METHOD = 'points.grant';

/**
 * @param {NodeMessage} msg
 * @param {GrantPointsDef} def
 * @returns {PointsGrantParams}
 */
function grantParams(msg, def) {
  const memberId = memberIdOf(msg);
  if (!memberId) throw badInput('no member to grant to: msg.payload.memberId or msg.member.memberId');
  const configured = def.points === '' || def.points === undefined || def.points === null ? undefined : def.points;
  const points = Number(configured ?? msg['points']);
  // Points are whole numbers, and a flow grants: a negative "bonus" would be a deduction nobody audited as one.
  if (!Number.isSafeInteger(points) || points <= 0) throw badInput(`the points should be a whole number above 0 (the node's, or msg.points): ${JSON.stringify(configured ?? msg['points'])}`);
  const context = templateContext(msg, { memberId });
  const reason = (def.reason ?? '').trim() ? fillTemplate(def.reason, context, { strict: false }) : msg['reason'];
  if (typeof reason !== 'string' || !reason.trim()) throw badInput('a grant needs a reason: the node\'s, or msg.reason');
  return { memberId, points, reason, idempotencyKey: idempotencyKey(def, context) };
}

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {GrantPointsDef} def */
  function GrantPointsNode(def) {
    RED.nodes.createNode(this, def);
    answerWithCall(this, {
      catalog: 'grant-points',
      method: METHOD,
      params: (msg) => grantParams(msg, def),
      status: (value) =>
        /** @type {PointsGrantValue} */ (value).status === 'granted'
          ? { fill: 'green', shape: 'dot', text: 'grant-points.status.granted' }
          : { fill: 'green', shape: 'ring', text: 'grant-points.status.already-granted' },
    });
  }
  RED.nodes.registerType('mk-grant-points', GrantPointsNode);
};
