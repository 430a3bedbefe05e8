// @ts-check
'use strict';
/**
 * The idempotency key a points grant or a message goes with: from a message property the flow set (msg.idempotencyKey
 * by default), or a template the node holds (`birthday:{{memberId}}:{{year}}`). The same key is granted or sent once,
 * whatever re-runs and restarts happen, so a key must name the one event it stands for and never be blank.
 */

const { badInput } = require('./bad-input.js');
const { fillTemplate, valueAt } = require('./template.js');

/**
 * @typedef {object} KeyConfig
 * @property {'msg' | 'template'} keySource
 * @property {string} keyProperty a dotted path in the message, e.g. idempotencyKey or payload.key
 * @property {string} keyTemplate
 */

/**
 * @param {KeyConfig} config
 * @param {Record<string, unknown>} context the template's context (templateContext): the message and the resolved names
 * @returns {string}
 */
function idempotencyKey(config, context) {
  if (config.keySource === 'msg') {
    const property = config.keyProperty || 'idempotencyKey';
    const value = valueAt(context, property);
    if (typeof value !== 'string' || value.trim() === '') {
      throw badInput(`msg.${property} should hold the idempotency key (a non-empty text)`);
    }
    return value;
  }
  if (!config.keyTemplate || !config.keyTemplate.trim()) {
    throw badInput('this node has no idempotency-key template');
  }
  return fillTemplate(config.keyTemplate, context, { strict: true });
}

module.exports = { idempotencyKey };
