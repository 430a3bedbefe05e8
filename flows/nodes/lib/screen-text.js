// @ts-check
'use strict';
/**
 * The text of a message on a kiosk's screen, for `show message` (this kiosk) and `device command` (a kiosk from the
 * hub): the node's Chinese and English texts, which may name message properties ({{payload.count}}), or else
 * msg.payload as a text, { 'zh-CN', en } or { text }.
 */

const { fillTemplate, templateContext } = require('./template.js');

/** @import { NodeMessage } from './node-red-api.d.ts' */
/** @typedef {string | { 'zh-CN'?: string; en?: string }} ScreenText */

/**
 * A text or { 'zh-CN', en } with at least one non-blank text, or undefined.
 * @param {unknown} value
 * @returns {ScreenText | undefined}
 */
function asScreenText(value) {
  if (typeof value === 'string') return value.trim() ? value : undefined;
  if (!value || typeof value !== 'object') return undefined;
  const given = /** @type {Record<string, unknown>} */ (value);
  /** @type {{ 'zh-CN'?: string; en?: string }} */
  const text = {};
  if (typeof given['zh-CN'] === 'string' && given['zh-CN'].trim()) text['zh-CN'] = given['zh-CN'];
  if (typeof given['en'] === 'string' && given['en'].trim()) text.en = given['en'];
  return text['zh-CN'] || text.en ? text : undefined;
}

/**
 * @param {NodeMessage} msg
 * @param {string | undefined} textZh the node's Chinese text template
 * @param {string | undefined} textEn the node's English text template
 * @returns {ScreenText | undefined}
 */
function screenText(msg, textZh, textEn) {
  if ((textZh ?? '').trim() || (textEn ?? '').trim()) {
    const context = templateContext(msg);
    return asScreenText({ 'zh-CN': fillTemplate(textZh ?? '', context, { strict: false }), en: fillTemplate(textEn ?? '', context, { strict: false }) });
  }
  const payload = msg.payload;
  return asScreenText(payload) ?? (payload && typeof payload === 'object' ? asScreenText(/** @type {Record<string, unknown>} */ (payload)['text']) : undefined);
}

module.exports = { screenText };
