// @ts-check
'use strict';
/**
 * `member`: what a flow may know of members (no phone, no card number).
 * Look-up: one member by msg.payload.memberId or msg.payload.phone; msg.payload and msg.member become the member
 * (msg.payload null when there is none).
 * Segment: the members a query finds — configured in the node, or given whole in msg.segment — as one message
 * ({ members, truncated }) or one message per member (msg.payload and msg.member: the member; msg.parts, so a join
 * node can gather them again).
 */

const { answerWithCall } = require('../lib/answer-with-call.js');
const { badInput } = require('../lib/bad-input.js');

/** @import { NodeRedApi, Node, NodeDef, NodeMessage } from '../lib/node-red-api.d.ts' */
/** @import { HUB_CALLS, MemberGetParams, MemberGetValue, MemberSegmentParams, MemberSegmentValue, SegmentName } from '../../runtime/protocol.ts' */

/**
 * @typedef {NodeDef & {
 *   mode: 'get' | 'segment';
 *   segment: SegmentName;
 *   days: string | number;
 *   tier: string;
 *   storeId: string;
 *   minStoredValueCents: string | number;
 *   consent: '' | 'marketing';
 *   limit: string | number;
 *   output: 'all' | 'each';
 * }} MemberDef
 */

/** @type {typeof HUB_CALLS.memberGet} */
const GET = 'member.get';
/** @type {typeof HUB_CALLS.memberSegment} */
const SEGMENT = 'member.segment';

/** flows/runtime/protocol.ts SEGMENTS (a JavaScript file cannot import the TypeScript value; tsc checks the names). */
/** @type {readonly SegmentName[]} */
const SEGMENTS = ['birthday-today', 'anniversary-today', 'inactive', 'all'];

/**
 * @param {NodeMessage} msg
 * @returns {MemberGetParams}
 */
function getParams(msg) {
  const payload = /** @type {Record<string, unknown>} */ (msg.payload && typeof msg.payload === 'object' ? msg.payload : {});
  const memberId = payload['memberId'];
  if (typeof memberId === 'string' && memberId.trim()) return { memberId };
  const phone = payload['phone'];
  if (typeof phone === 'string' && phone.trim()) return { phone };
  throw badInput('msg.payload should name the member: { memberId } or { phone }');
}

/**
 * A whole number from the editor's text field or a message, or undefined when blank.
 * @param {unknown} value
 * @param {string} name
 * @returns {number | undefined}
 */
function wholeNumber(value, name) {
  if (value === undefined || value === null || value === '') return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) throw badInput(`${name} should be a whole number (it is ${JSON.stringify(value)})`);
  return number;
}

/**
 * @param {Record<string, unknown>} query the node's configuration or msg.segment
 * @returns {MemberSegmentParams}
 */
function segmentParams(query) {
  const segment = query['segment'];
  if (typeof segment !== 'string' || !SEGMENTS.includes(/** @type {SegmentName} */ (segment))) {
    throw badInput(`the segment should be one of ${SEGMENTS.join(', ')} (it is ${JSON.stringify(segment)})`);
  }
  /** @type {MemberSegmentParams} */
  const params = { segment: /** @type {SegmentName} */ (segment) };
  const days = wholeNumber(query['days'], 'days');
  if (days !== undefined) params.days = days;
  const minStoredValueCents = wholeNumber(query['minStoredValueCents'], 'minStoredValueCents');
  if (minStoredValueCents !== undefined) params.minStoredValueCents = minStoredValueCents;
  const limit = wholeNumber(query['limit'], 'limit');
  if (limit !== undefined) params.limit = limit;
  for (const name of /** @type {const} */ (['tier', 'storeId'])) {
    const value = query[name];
    if (typeof value === 'string' && value.trim()) params[name] = value.trim();
  }
  if (query['consent'] === 'marketing') params.consent = 'marketing';
  return params;
}

/** @param {NodeRedApi} RED */
module.exports = function register(RED) {
  /** @this {Node} @param {MemberDef} def */
  function MemberNode(def) {
    RED.nodes.createNode(this, def);
    if (def.mode !== 'segment') {
      answerWithCall(this, {
        catalog: 'member',
        method: GET,
        params: getParams,
        status: (value) =>
          /** @type {MemberGetValue} */ (value)
            ? { fill: 'green', shape: 'dot', text: 'member.status.found' }
            : { fill: 'yellow', shape: 'ring', text: 'member.status.not-found' },
        // The member also in msg.member, where it stays while later nodes put their answers in msg.payload.
        deliver: (msg, value) => [value ? { ...msg, payload: value, member: value } : { ...msg, payload: null }],
      });
      return;
    }
    const configured = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (def));
    answerWithCall(this, {
      catalog: 'member',
      method: SEGMENT,
      params: (msg) => segmentParams(msg['segment'] && typeof msg['segment'] === 'object' ? /** @type {Record<string, unknown>} */ (msg['segment']) : configured),
      status: (value) => {
        const { members, truncated } = /** @type {MemberSegmentValue} */ (value);
        return { fill: 'green', shape: 'dot', text: `${members.length}${truncated ? '+' : ''}` };
      },
      deliver: (msg, value) => {
        const found = /** @type {MemberSegmentValue} */ (value);
        if (found.truncated) this.warn(`the segment has more members than its limit (${found.members.length}); raise the limit or narrow the query`);
        if (def.output !== 'each') return [{ ...msg, payload: found }];
        const count = found.members.length;
        return found.members.map((member, index) => ({
          ...RED.util.cloneMessage(msg),
          payload: member,
          member,
          parts: { id: msg._msgid ?? '', index, count },
        }));
      },
    });
  }
  RED.nodes.registerType('mk-member', MemberNode);
};
