/**
 * What GET /api/health answers: whether this hub process can do its work. `ok` needs the broker connection (no
 * kiosk is heard without it) and a ledger that answers a read; Node-RED's state is reported but does not make the
 * hub unhealthy — kiosks are served whether or not the flows run (memberkiosk_node_red_state alerts on it).
 */
import type { FlowRuntimeState, FlowRuntimeStatus } from '../../flows/runtime/flow-runtime.ts';

export interface HubHealth {
  ok: boolean;
  broker: { connected: boolean };
  /** `open`: the ledger answered a read just now. */
  ledger: { open: boolean };
  nodeRed: { state: FlowRuntimeState };
  /** Transactions in the ledger (null when it could not be read): what the hub answered before these fields. */
  transactions: number | null;
  /** Worker mode only (hub/workers/): this worker's id and whether it is the elected leader now. */
  worker?: { id: string; leader: boolean };
}

export interface HealthSources {
  brokerConnected(): boolean;
  transactionCount(): Promise<number>;
  /** Null when Node-RED is off. */
  nodeRed(): FlowRuntimeStatus | null;
  /** Worker mode only. */
  worker?: () => { id: string; leader: boolean };
}

export async function readHubHealth(sources: HealthSources): Promise<HubHealth> {
  const transactions = await sources.transactionCount().then(
    (n) => n,
    () => null,
  );
  const connected = sources.brokerConnected();
  const ledgerOpen = transactions !== null;
  return {
    ok: connected && ledgerOpen,
    broker: { connected },
    ledger: { open: ledgerOpen },
    nodeRed: { state: sources.nodeRed()?.state ?? 'off' },
    transactions,
    ...(sources.worker ? { worker: sources.worker() } : {}),
  };
}
