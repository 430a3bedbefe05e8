// @ts-check
'use strict';
/**
 * Our nodes' calls to the parent, at most a few at a time. A segment's "one message per member" fans a birthday or a
 * campaign out to hundreds of calls at once; the parent answers at most 32 in flight and refuses the rest with
 * FLOW_CALLS_BUSY, so the fan-out waits here instead (in this child's memory, not the kiosk's or hub's). The bridge's
 * own timeout starts when a call leaves this queue, so a long queue does not time its tail out.
 */

const bridge = require('./bridge.js');

/** Below the parent's limit, leaving room for the editor's login calls. */
const MAX_IN_FLIGHT = 8;

let inFlight = 0;
/** @type {Array<() => void>} */
const waiting = [];

/**
 * @param {string} method
 * @param {unknown} params
 * @returns {Promise<unknown>}
 */
async function queuedCall(method, params) {
  // A finished call hands its slot straight to the next waiting one, so a new caller cannot slip in between.
  if (inFlight >= MAX_IN_FLIGHT) await new Promise((resolve) => waiting.push(() => resolve(undefined)));
  else inFlight += 1;
  try {
    return await bridge.call(method, params);
  } finally {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  }
}

module.exports = { queuedCall, MAX_IN_FLIGHT };
