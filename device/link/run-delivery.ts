/**
 * Runs a delivery machine against real effects: performs each command it gives and answers its requests
 * (record, move-epoch) at once with their outcome, as the machine requires before any other event. Apart from
 * the machine because it is the one place where its commands meet the outbox's writes (which throw on failure);
 * hub-link.ts and the simulation both run the machine through it.
 */
import type { AlertCode } from '../../core/wire/alerts.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { DeliveryEvent, DeliveryMachine, LogLevel, OutgoingEntry, RecordItem } from './delivery-contract.ts';

/** Performs a machine's commands; `record` and `moveToNewEpoch` are the outbox's writes (they throw on failure). */
export interface DeliveryEffects {
  publish(entries: readonly OutgoingEntry[]): void;
  record(items: readonly RecordItem[]): readonly string[];
  moveToNewEpoch(): { epoch: string; moved: number };
  closed(result: TxResult): void;
  alert(code: AlertCode, detail: Record<string, unknown>): void;
  reportState(): void;
  wake(at: number): void;
  log(level: LogLevel, fields: Record<string, unknown>, msg: string): void;
}

/**
 * Hands the machine one event and performs what it asks, answering its requests (record, move-epoch) at once
 * with their outcome, until nothing is left to do.
 */
export function runDelivery(machine: DeliveryMachine, event: DeliveryEvent, effects: DeliveryEffects): void {
  let next: DeliveryEvent | null = event;
  while (next) {
    const commands = machine.handle(next);
    next = null;
    for (const command of commands) {
      switch (command.type) {
        case 'publish':
          effects.publish(command.entries);
          break;
        case 'record':
          try {
            next = { type: 'recorded', closedIds: effects.record(command.items) };
          } catch (error) {
            next = { type: 'record-failed', error };
          }
          break;
        case 'move-epoch':
          try {
            next = { type: 'epoch-moved', ...effects.moveToNewEpoch() };
          } catch (error) {
            next = { type: 'epoch-move-failed', error };
          }
          break;
        case 'closed':
          effects.closed(command.result);
          break;
        case 'alert':
          effects.alert(command.code, command.detail);
          break;
        case 'report-state':
          effects.reportState();
          break;
        case 'wake':
          effects.wake(command.at);
          break;
        case 'log':
          effects.log(command.level, command.fields, command.msg);
          break;
      }
    }
  }
}
