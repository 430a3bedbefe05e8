// @ts-check
'use strict';
/**
 * Fills `{{name}}` and `{{a.b.c}}` in a node's text or idempotency-key template from the message and a few names the
 * node adds (memberId, storeId, year, date). Keys are filled strictly: a key with a hole in it (`birthday::2025`)
 * would be every member's key, and the hub would grant the first member only; a text may have a blank.
 */

const { badInput } = require('./bad-input.js');
const { today } = require('./local-date.js');

/** @import { NodeMessage } from './node-red-api.d.ts' */

const PLACEHOLDER = /\{\{\s*([A-Za-z_$][\w$-]*(?:\.[\w$-]+)*)\s*\}\}/g;

/**
 * The value at a dotted path (`payload.memberId`), own properties only.
 * @param {unknown} root
 * @param {string} path
 * @returns {unknown}
 */
function valueAt(root, path) {
  let value = root;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = /** @type {Record<string, unknown>} */ (value)[part];
  }
  return value;
}

/**
 * What a template may name: the message's own properties, then today's year and date, then what the node resolved.
 * @param {NodeMessage} msg
 * @param {Record<string, unknown>} [resolved]
 * @returns {Record<string, unknown>}
 */
function templateContext(msg, resolved = {}) {
  return { ...msg, ...today(), ...resolved };
}

/**
 * @param {string} template
 * @param {Record<string, unknown>} context
 * @param {{ strict: boolean }} options strict: a blank or missing value is an error (FLOW_PARAMS_INVALID), not ''
 * @returns {string}
 */
function fillTemplate(template, context, options) {
  return template.replace(PLACEHOLDER, (_placeholder, /** @type {string} */ path) => {
    const value = valueAt(context, path);
    const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (options.strict && text === '') {
      throw badInput(`the template "${template}" has no value for {{${path}}} in this message`);
    }
    return text;
  });
}

module.exports = { fillTemplate, templateContext, valueAt };
