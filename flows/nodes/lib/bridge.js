// @ts-check
'use strict';
/**
 * Our nodes' one way out of the Node-RED child: calls to the parent (the kiosk or the hub) over the child's IPC
 * channel, and the parent's events. One bridge per child process (Node's module cache keeps this a singleton), so
 * every node shares the same pending-call table and the same event listeners.
 *
 * A call never hangs a flow: it fails with FLOW_CALL_TIMEOUT when the parent does not answer in time, and with
 * FLOW_PARENT_GONE when the child has no parent channel (started by hand, or the parent is exiting).
 */

/** @import { ChildMessage, ParentMessage } from '../../runtime/protocol.ts' */

const DEFAULT_TIMEOUT_MS = 15_000;

/** @type {Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>} */
const pending = new Map();
/** @type {Map<string, Set<(payload: unknown) => void>>} */
const listeners = new Map();
let nextId = 1;

/** A refusal from the parent, with its code (msg.error.code in a flow). */
class FlowCallError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'FlowCallError';
    this.code = code;
  }
}

/** @param {ChildMessage} message */
function send(message) {
  if (!process.send || !process.connected) return false;
  process.send(message);
  return true;
}

/**
 * Asks the parent to do `method` with `params`; resolves with its value, rejects with a FlowCallError.
 * @param {string} method
 * @param {unknown} params
 * @param {number} [timeoutMs]
 * @returns {Promise<unknown>}
 */
function call(method, params, timeoutMs = DEFAULT_TIMEOUT_MS) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new FlowCallError('FLOW_CALL_TIMEOUT', `${method}: no answer from the parent in ${timeoutMs} ms`));
    }, timeoutMs);
    pending.set(id, { resolve, reject, timer });
    if (!send({ t: 'call', id, method, params })) {
      clearTimeout(timer);
      pending.delete(id);
      reject(new FlowCallError('FLOW_PARENT_GONE', `${method}: this Node-RED has no kiosk or hub to ask`));
    }
  });
}

/**
 * Listens to the parent's events on `topic`; returns the function that stops listening (call it on the node's close).
 * @param {string} topic
 * @param {(payload: unknown) => void} listener
 * @returns {() => void}
 */
function on(topic, listener) {
  let set = listeners.get(topic);
  if (!set) listeners.set(topic, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
  };
}

/**
 * Routes one message from the parent; the child's entry hands every IPC message here.
 * @param {ParentMessage} message
 * @returns {boolean} whether it was a bridge message
 */
function receive(message) {
  if (message.t === 'reply') {
    const waiting = pending.get(message.id);
    if (!waiting) return true;
    pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(new FlowCallError(message.code, message.message));
    return true;
  }
  if (message.t === 'event') {
    for (const listener of listeners.get(message.topic) ?? []) {
      // One node's failing listener must not keep the event from the others.
      try {
        listener(message.payload);
      } catch (error) {
        process.emitWarning(`a flow event listener for ${message.topic} threw: ${String(error)}`);
      }
    }
    return true;
  }
  return false;
}

/**
 * Turns a call's failure into what our nodes put on msg.error and node.error: { code, message }.
 * @param {unknown} error
 * @returns {{ code: string; message: string }}
 */
function describeError(error) {
  if (error instanceof FlowCallError) return { code: error.code, message: error.message };
  return { code: 'FLOW_NODE_FAILED', message: error instanceof Error ? error.message : String(error) };
}

module.exports = { call, on, receive, describeError, FlowCallError };
