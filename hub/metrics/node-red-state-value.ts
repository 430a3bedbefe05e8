/**
 * The hub's Node-RED state as one number for memberkiosk_node_red_state, so an alert is a comparison: 0 off (or
 * stopped with the hub), 1 running, 2 not yet serving (starting, or waiting to restart after a kill or crash),
 * 3 safe mode (flows stopped after repeated kills or crashes: a technician must mend a flow).
 */
import type { FlowRuntimeState } from '../../flows/runtime/flow-runtime.ts';

const VALUES: Record<FlowRuntimeState, 0 | 1 | 2 | 3> = { off: 0, stopped: 0, running: 1, starting: 2, restarting: 2, 'safe-mode': 3 };

export function nodeRedStateValue(state: FlowRuntimeState): 0 | 1 | 2 | 3 {
  return VALUES[state];
}
