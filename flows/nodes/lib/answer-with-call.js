// @ts-check
'use strict';
/**
 * How every one of our output nodes handles a message: it builds the call's params from the message, asks the parent,
 * and on success puts the parent's value in msg.payload, sends the message on and shows a green status; on failure
 * it puts { code, message } in msg.error, shows the code in red and reports the error so a catch node gets it.
 */

const { describeError } = require('./bridge.js');
const { queuedCall } = require('./call-queue.js');

/** @import { Node, NodeMessage, NodeStatus } from './node-red-api.d.ts' */

/**
 * What node.error gets: Node-RED puts its toString() in a catch node's msg.error.message and copies its own `code`
 * there, so a flow can switch on the code (a plain object would read "[object Object]").
 */
class FlowNodeFailure {
  /** @param {{ code: string; message: string }} described */
  constructor(described) {
    this.code = described.code;
    this.message = described.message;
  }

  toString() {
    return `${this.code}: ${this.message}`;
  }
}

/**
 * @typedef {object} CallPlan
 * @property {string} catalog the node's message-catalog prefix (its file name: print, grant-points, …) for status keys
 * @property {string} method
 * @property {(msg: NodeMessage) => unknown} params throws (FLOW_PARAMS_INVALID) when the message lacks what the call needs
 * @property {(value: unknown) => NodeStatus} [status] the status for a value; a green "done" when not given
 * @property {(msg: NodeMessage, value: unknown) => NodeMessage[]} [deliver] the messages to send for a value (one per
 *   member of a segment, …); by default the message itself with the value in msg.payload
 */

/**
 * The node's green status for the parent's value. A value of an unexpected shape (an older parent) must not turn a
 * done call into a failed one, nor throw where nothing catches it: it gets the plain "done".
 * @param {CallPlan} plan
 * @param {unknown} value
 * @returns {NodeStatus}
 */
function statusFor(plan, value) {
  const done = /** @type {NodeStatus} */ ({ fill: 'green', shape: 'dot', text: `${plan.catalog}.status.done` });
  try {
    return plan.status ? plan.status(value) : done;
  } catch {
    return done;
  }
}

/**
 * @param {Node} node
 * @param {CallPlan} plan
 */
function answerWithCall(node, plan) {
  node.on('input', (msg, send, done) => {
    /** @param {unknown} error */
    const fail = (error) => {
      const described = describeError(error);
      msg.error = described;
      node.status({ fill: 'red', shape: 'ring', text: described.code });
      // done(error) is Node-RED's node.error(error, msg) for a message that did not complete.
      done(new FlowNodeFailure(described));
    };
    let params;
    try {
      params = plan.params(msg);
    } catch (error) {
      fail(error);
      return;
    }
    node.status({ fill: 'blue', shape: 'ring', text: `${plan.catalog}.status.calling` });
    queuedCall(plan.method, params).then(
      (value) => {
        /** @type {NodeMessage[] | null} */
        let messages = null;
        try {
          if (plan.deliver) messages = plan.deliver(msg, value);
        } catch (error) {
          // Nothing above this callback would catch it: a throw here would end the whole child.
          fail(error);
          return;
        }
        node.status(statusFor(plan, value));
        if (messages) {
          if (messages.length > 0) send([messages]);
        } else {
          msg.payload = value;
          send(msg);
        }
        done();
      },
      fail,
    );
  });
}

module.exports = { answerWithCall, FlowNodeFailure };
