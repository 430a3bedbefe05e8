// @ts-check
'use strict';
/**
 * Our nodes' own refusal of a message that lacks what a call needs (no member id, no key, no text), raised before
 * anything is asked of the parent. It has the bridge's error shape and the code the parent gives params it refuses,
 * so a flow's catch node sees the same msg.error { code: 'FLOW_PARAMS_INVALID', message } whichever side refused.
 */

const { FlowCallError } = require('./bridge.js');

/**
 * @param {string} message says which msg property the node wanted and in what form
 * @returns {Error}
 */
function badInput(message) {
  return new FlowCallError('FLOW_PARAMS_INVALID', message);
}

module.exports = { badInput };
