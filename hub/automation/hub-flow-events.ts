/**
 * The hub's events for its flows (flows/runtime/protocol.ts HUB_EVENTS), made from what the hub already does:
 * - `ledger-event`: each transaction the ledger answered for good — applied, or refused and recorded — from the
 *   ingest's batches (TxIngest onResults) and from the HQ transactions flows make (points.grant). A resend answered
 *   `exists` and a refusal nobody recorded (the kiosk sends it again) are no new event, so a flow counts each
 *   transaction once.
 * - `device-state`: a kiosk's state report or availability recorded (DeviceStatusRecorder onRecorded) that changed
 *   what a flow sees of it — online, printer, reader, outbox depth. A kiosk repeating its state is no new event.
 *
 * `emit` hands an event to the Node-RED child (FlowRuntime.emit). Nothing here may throw into the ingest or the
 * recorder: a failure is logged and the event dropped (flows are best-effort; the ledger and registry are not).
 */
import type { Logger } from 'pino';
import { HQ_DEVICE_ID } from '../../core/wire/hq-device.ts';
import type { TxResult } from '../../core/wire/result.ts';
import { HUB_EVENTS, type DeviceStateEvent, type LedgerEvent } from '../../flows/runtime/protocol.ts';
import type { HqTransactionBody, ReceivedTransaction } from '../ledger/ledger-store.ts';
import type { DeviceStatus, DeviceStatusChange } from '../registry/device-status.ts';
import { printerWord, readerWord } from './reported-hardware.ts';

export interface HubFlowEventsOptions {
  emit: (topic: string, payload: unknown) => void;
  logger: Logger;
  /** The store a kiosk is enrolled in (the fleet's), or null. */
  storeOf?: (deviceId: string) => Promise<string | null>;
  now?: () => number;
}

export interface HubFlowEvents {
  /** For TxIngest's `onResults`: the results of one applied batch, in the batch's order. */
  ingestResults(batch: readonly ReceivedTransaction[], results: readonly TxResult[]): void;
  /** An HQ transaction the hub made for a flow, with the ledger's answer. */
  hqResult(body: HqTransactionBody, result: TxResult): void;
  /** For DeviceStatusRecorder's `onRecorded`: a record as written, and the change it was written for. */
  deviceRecorded(status: DeviceStatus, change: DeviceStatusChange): void;
  /** Resolves once the device events under way (waiting for a kiosk's store) are emitted. */
  settled(): Promise<void>;
}

/** A transaction answered for good: a first application or a recorded refusal. */
const isNewOutcome = (result: TxResult) => result.status === 'applied' || (result.status === 'rejected' && result.recorded === true);
/** HQ's own transactions name HQ as their store: for a flow that is no store. */
const storeNamed = (storeId: string | undefined) => (storeId === undefined || storeId === HQ_DEVICE_ID ? null : storeId);

export function createHubFlowEvents(options: HubFlowEventsOptions): HubFlowEvents {
  const log = options.logger.child({ component: 'hub.flow-events' });
  const now = options.now ?? Date.now;
  /** What was last told of each kiosk, so a repeated report is not told again. */
  const toldOfDevice = new Map<string, string>();
  /** Device events one after another, so a kiosk's are told in the order they were recorded. */
  let deviceQueue: Promise<void> = Promise.resolve();

  function emit(topic: string, payload: LedgerEvent | DeviceStateEvent): void {
    try {
      options.emit(topic, payload);
    } catch (error) {
      log.error({ err: error, topic }, 'a flow event could not be sent; dropped');
    }
  }

  function ledgerEvent(deviceId: string, storeId: string | null, kind: string, result: TxResult): LedgerEvent {
    const outcome = result.outcome;
    return {
      at: new Date(now()).toISOString(),
      txId: result.id ?? '',
      deviceId,
      storeId,
      kind: outcome?.kind ?? kind,
      status: result.status === 'applied' ? 'applied' : 'rejected',
      code: result.code ?? null,
      memberId: outcome?.memberId ?? null,
      pointsEarned: outcome?.pointsEarned ?? 0,
      pointsSpent: outcome?.pointsSpent ?? 0,
      valueDeltaCents: outcome?.valueDeltaCents ?? 0,
    };
  }

  async function tellDevice(status: DeviceStatus): Promise<void> {
    const seen = { online: status.online === true, printer: printerWord(status.drivers), reader: readerWord(status.drivers), outboxDepth: status.outboxDepth };
    const signature = JSON.stringify(seen);
    if (toldOfDevice.get(status.deviceId) === signature) return;
    const storeId = options.storeOf ? await options.storeOf(status.deviceId) : null;
    toldOfDevice.set(status.deviceId, signature);
    emit(HUB_EVENTS.deviceState, { at: status.updatedAt, deviceId: status.deviceId, storeId, ...seen });
  }

  return {
    ingestResults(batch, results) {
      results.forEach((result, index) => {
        const item = batch[index];
        if (!item || !isNewOutcome(result)) return;
        const { parsed } = item;
        const kind = parsed.ok ? parsed.tx.kind : parsed.stage === 'body' ? parsed.header.kind : 'unknown';
        emit(HUB_EVENTS.ledgerEvent, ledgerEvent(item.topicDeviceId, parsed.ok ? storeNamed(parsed.tx.storeId) : null, kind, result));
      });
    },
    hqResult(body, result) {
      if (!isNewOutcome(result)) return;
      emit(HUB_EVENTS.ledgerEvent, ledgerEvent(HQ_DEVICE_ID, storeNamed(body.storeId), body.kind, result));
    },
    deviceRecorded(status, change) {
      // A record written only for "seen" (a transaction, a look-up) says nothing new of the kiosk's state.
      if (!change.state && !change.availability) return;
      deviceQueue = deviceQueue.then(() => tellDevice(status)).catch((error: unknown) => log.error({ err: error, deviceId: status.deviceId }, 'a device-state event could not be made; dropped'));
    },
    settled() {
      return deviceQueue;
    },
  };
}
