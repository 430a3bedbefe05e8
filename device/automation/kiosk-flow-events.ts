/**
 * What the kiosk tells its Node-RED flows (flows/runtime/protocol.ts KIOSK_EVENTS), sent with `emit` (the flow
 * runtime's): the kiosk's own parts are only listened to, and nothing a flow or the runtime does can reach back into
 * them — every listener here catches what it sets off, so a failing emit never breaks a tap, a transaction or the link.
 *
 * - `card-tap`: a card tapped on the reader, once the kiosk knows whose it is — a member (shown from the hub or, offline,
 *   from the cache), a staff card (the PIN pad), or anything else (`unknown`: not registered, refused, or not checkable
 *   now). Read off the session: the look-up that follows a tap ends the `card` state. The masked card only.
 * - `transaction-done`: each outcome of a kiosk transaction as the kiosk learns it (transaction-done.ts): `queued`
 *   from the use case that made it, `applied` / `rejected` when the hub's result closes its outbox entry.
 * - `device-status`: the reader's and the printer's word and whether the hub is there, when one of them changes (and
 *   once when the watch starts); the outbox depth rides along.
 * - `hub-command`: every command HQ sent this kiosk (core/wire/device-command.ts), as checked by the link.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Transaction } from '../../core/wire/transaction.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { DeviceCommand } from '../../core/wire/device-command.ts';
import { KIOSK_EVENTS, type CardTapEvent, type DeviceStatusEvent, type HubCommandEvent } from '../../flows/runtime/protocol.ts';
import type { KioskApp, SettledTransaction } from '../app/kiosk-app.ts';
import type { HealthEventSource } from '../app/kiosk-events.ts';
import type { HardwareState } from '../hardware/hardware-state.ts';
import type { HubLink, HubLinkEvents } from '../link/hub-link.ts';
import type { Outbox } from '../outbox/sqlite-outbox.ts';
import type { SessionView } from '../session/kiosk-session.ts';
import { transactionDoneEvent } from './transaction-done.ts';

export type EmitFlowEvent = (topic: string, payload: unknown) => void;

export interface KioskEventsWatchDeps {
  session: Pick<EventEmitter<{ change: [SessionView] }>, 'on' | 'off'>;
  /** The use cases' outcomes (KioskApp): where `queued` is heard. */
  transactions: Pick<KioskApp, 'onTransactionSettled'>;
  link: Pick<EventEmitter<HubLinkEvents>, 'on' | 'off'> & Pick<HubLink, 'isConnected'>;
  outbox: Pick<Outbox, 'get' | 'depth'>;
  /** The reader and printer in one word each, and what tells of a change (the card source, the receipt sink). */
  hardware: { state(): HardwareState; sources: readonly HealthEventSource[] };
  identity: () => { deviceId: string; storeId: string };
  logger: Logger;
  now?: () => number;
  /** How often the status is compared besides the events that change it (the hub announcing itself offline has none); default 2000 ms. */
  statusCheckMs?: number;
}

/** Transactions already told as decided: a `queued` that comes after (a slow screen) is not told. */
const REMEMBERED_DECIDED = 500;

/** Starts telling the flows; returns the function that stops it. */
export function watchKioskEvents(deps: KioskEventsWatchDeps, emit: EmitFlowEvent): () => void {
  const log = deps.logger;
  const now = deps.now ?? Date.now;
  const at = () => new Date(now()).toISOString();

  /** Every event leaves through here: whatever emit throws stays here. */
  function tell(topic: string, payload: unknown): void {
    try {
      emit(topic, payload);
    } catch (error) {
      log.error({ err: error, topic }, 'a flow event could not be sent; the kiosk goes on');
    }
  }

  /** A listener on a kiosk part that can never throw into it. */
  function guarded<A extends unknown[]>(what: string, listener: (...args: A) => void): (...args: A) => void {
    return (...args) => {
      try {
        listener(...args);
      } catch (error) {
        log.error({ err: error, what }, 'a flow event listener failed; the kiosk goes on');
      }
    };
  }

  // card-tap: the `card` state (a look-up running) ends in whose card it was.
  let lastSessionState: SessionView['name'] | null = null;
  const onSession = guarded('card-tap', (view: SessionView) => {
    const before = lastSessionState;
    lastSessionState = view.name;
    if (before !== 'card') return;
    const event = cardTapOf(view);
    if (event) tell(KIOSK_EVENTS.cardTap, { at: at(), ...event, ...deps.identity() } satisfies CardTapEvent);
  });

  // transaction-done: queued from the use case; decided from the link, once the outbox entry is closed.
  const decided = new Set<string>();
  const remember = (txId: string) => {
    decided.add(txId);
    if (decided.size > REMEMBERED_DECIDED) decided.delete(decided.values().next().value!);
  };
  const onSettled = guarded('transaction-done', ({ outcome, memberId }: SettledTransaction) => {
    if (outcome.status !== 'queued' || decided.has(outcome.tx.id)) return;
    tell(KIOSK_EVENTS.transactionDone, transactionDoneEvent({ tx: outcome.tx, result: null, memberId, ...deps.identity(), at: at() }));
  });
  const onResult = guarded('transaction-done', (result: TxResult) => {
    if (result.id === null) return;
    const entry = deps.outbox.get(result.id);
    if (!entry) return;
    remember(result.id);
    const tx = JSON.parse(entry.payload) as Transaction;
    tell(KIOSK_EVENTS.transactionDone, transactionDoneEvent({ tx, result, memberId: null, ...deps.identity(), at: at() }));
  });

  // device-status: compared with what was told last.
  let lastStatus: Pick<DeviceStatusEvent, 'reader' | 'printer' | 'hubConnected'> | null = null;
  const checkStatus = guarded('device-status', () => {
    const hardware = deps.hardware.state();
    const status = { reader: hardware.reader.status, printer: hardware.printer.status, hubConnected: deps.link.isConnected() };
    if (lastStatus && lastStatus.reader === status.reader && lastStatus.printer === status.printer && lastStatus.hubConnected === status.hubConnected) return;
    lastStatus = status;
    tell(KIOSK_EVENTS.deviceStatus, { at: at(), ...status, outboxDepth: deps.outbox.depth(), ...deps.identity() } satisfies DeviceStatusEvent);
  });

  const onCommand = guarded('hub-command', (command: DeviceCommand) => {
    tell(KIOSK_EVENTS.hubCommand, { at: at(), command: command.command, args: command.args } satisfies HubCommandEvent);
  });

  deps.session.on('change', onSession);
  const stopSettled = deps.transactions.onTransactionSettled(onSettled);
  deps.link.on('result', onResult);
  deps.link.on('connected', checkStatus);
  deps.link.on('disconnected', checkStatus);
  deps.link.on('command', onCommand);
  for (const source of deps.hardware.sources) source.on('health', checkStatus);
  const timer = setInterval(checkStatus, deps.statusCheckMs ?? 2000);
  timer.unref();
  checkStatus();

  return () => {
    clearInterval(timer);
    deps.session.off('change', onSession);
    stopSettled();
    deps.link.off('result', onResult);
    deps.link.off('connected', checkStatus);
    deps.link.off('disconnected', checkStatus);
    deps.link.off('command', onCommand);
    for (const source of deps.hardware.sources) source.off('health', checkStatus);
  };
}

/** Whose card the look-up found, from the state it ended in; null when it ended otherwise (a reset, a timeout). */
function cardTapOf(view: SessionView): Pick<CardTapEvent, 'kind' | 'memberId' | 'tier' | 'cardMasked'> | null {
  const cardMasked = view.card ?? '';
  // The new member shown right after a registration was looked up by the kiosk itself, not tapped.
  if (view.name === 'member') return view.welcome ? null : { kind: 'member', memberId: view.member.memberId, tier: view.member.tier, cardMasked };
  if (view.name === 'error') return { kind: view.code === 'CARD_IS_STAFF' ? 'staff' : 'unknown', memberId: null, tier: null, cardMasked };
  return null;
}
