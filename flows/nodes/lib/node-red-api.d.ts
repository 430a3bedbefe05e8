/**
 * The part of Node-RED's runtime API our nodes use, typed for their JSDoc checks (Node-RED ships no types of its
 * own). Kept to what flows/nodes/kiosk and flows/nodes/hub call, so a Node-RED upgrade that changes one of these
 * shows up in `tsc` here rather than as a node that fails to load on a kiosk.
 */

/** A message travelling through a flow: our nodes read and write payload, topic and error, a flow adds its own. */
export interface NodeMessage {
  _msgid?: string;
  payload?: unknown;
  topic?: string;
  error?: unknown;
  [property: string]: unknown;
}

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  /** A key in the node's own message catalog (the editor translates it) or plain text. */
  text?: string;
}

export type SendFunction = (msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[]) => void;
export type DoneFunction = (error?: unknown) => void;

/** A running node: what RED.nodes.createNode made of `this` in the node's constructor. */
export interface Node {
  readonly id: string;
  readonly type: string;
  name?: string;
  on(event: 'input', listener: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
  send(msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[]): void;
  /** Clears the status when given {}. */
  status(status: NodeStatus): void;
  error(error: unknown, msg?: NodeMessage): void;
  warn(warning: unknown): void;
  log(message: unknown): void;
}

/** The properties every node's configuration has; each node type adds the fields its editor's `defaults` names. */
export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  z?: string;
}

export interface NodeRedApi {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    registerType(type: string, constructor: (this: Node, def: never) => void): void;
  };
  util: {
    cloneMessage<T extends NodeMessage>(msg: T): T;
  };
  /** Looks a key up in the calling node set's message catalog. */
  _(key: string, substitutions?: Record<string, unknown>): string;
}
