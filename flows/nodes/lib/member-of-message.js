// @ts-check
'use strict';
/**
 * Which member a message is about, for `grant points` and `send message`: msg.payload.memberId (a member from the
 * `member` node, an event), else msg.member.memberId — the `member` node keeps the member there, so a flow can chain
 * `grant points` (which puts its own answer in msg.payload) into `send message` and still address the member.
 */

/** @import { NodeMessage } from './node-red-api.d.ts' */

/**
 * @param {NodeMessage} msg
 * @returns {string | undefined}
 */
function memberIdOf(msg) {
  for (const holder of [msg.payload, msg['member']]) {
    if (holder && typeof holder === 'object') {
      const memberId = /** @type {Record<string, unknown>} */ (holder)['memberId'];
      if (typeof memberId === 'string' && memberId.trim()) return memberId;
    }
  }
  return undefined;
}

module.exports = { memberIdOf };
