/**
 * The alerts the delivery machine raises, built in one place so their codes and details (what an operator reads
 * on the console) can be checked side by side; when each is raised is the machine's decision (delivery-machine.ts).
 */
import type { TxResult } from '../../core/wire/result.ts';
import type { DeliveryCommand } from './delivery-contract.ts';
import { POISON_REFUSALS } from './result-action.ts';

type AlertCommand = Extract<DeliveryCommand, { type: 'alert' }>;

/** An entry closed on a recorded refusal it could never get past (POISON_REFUSALS): someone must hear of it. Null for any other close. */
export function closedByRefusalAlert(id: string, result: TxResult): AlertCommand | null {
  if (result.status !== 'rejected' || result.code === undefined || !POISON_REFUSALS.has(result.code)) return null;
  return { type: 'alert', code: 'TX_CLOSED_BY_REFUSAL', detail: { txId: id, code: result.code, message: result.message ?? null } };
}

/** An entry refused without a record, held pending in its slot (raised once per entry, not at every resend). */
export function refusedUnrecordedAlert(id: string, result: TxResult, slot: { epoch: string; seq: number }): AlertCommand {
  return {
    type: 'alert',
    code: 'TX_REFUSED_UNRECORDED',
    detail: { txId: id, code: result.code ?? null, message: result.message ?? null, epoch: slot.epoch, seq: slot.seq },
  };
}

/** The hub applied closed entries sent again: it had lost transactions it confirmed. */
export function replayedToHubAlert(applied: number, epoch: string): AlertCommand {
  return { type: 'alert', code: 'TX_REPLAYED_TO_HUB', detail: { applied, epoch } };
}

/** The pending entries moved to a new epoch (their slots were taken, or the hub closed the epoch). */
export function epochMovedAlert(epoch: string, moved: number): AlertCommand {
  return { type: 'alert', code: 'SEQ_EPOCH_MOVED', detail: { epoch, moved } };
}
