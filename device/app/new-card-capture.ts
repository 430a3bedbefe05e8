/**
 * The new card of a replacement (补卡) or of a card issued to the member on screen (办卡) is taken from the
 * kiosk's own reader, the way the member's card is: the clerk asks for it on the screen (POST /api/staff/new-card),
 * taps the blank card, and the kiosk holds its UID for that member's card. The screen only ever sees it masked,
 * and the card transaction then names the held card (transaction-body.ts) — the screen never sends a card UID.
 *
 * While the kiosk waits for the new card, that one tap does not reach the session (it would look the blank card
 * up and take the member off the screen): the session listens to the reader through `gate`, which passes every
 * other tap on. The tapped card is checked at the hub first (a member look-up): a card the hub knows is in use
 * (or a staff card) and is not held; a card the hub cannot check now is held as "unchecked" (the hub refuses an
 * issued card with CARD_ALREADY_EXISTS when the transaction arrives). A held card belongs to the card on screen
 * and lapses with it, with a new request, a cancel, or after HOLD_MS.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { maskCardUid } from '../../core/privacy/mask.ts';
import type { LookupRequest, LookupResponse } from '../../core/wire/lookup.ts';
import type { CardSource, CardTap } from '../ports.ts';

/** What became of a request for the new card. `card` is masked. */
export type NewCardOutcome =
  | { status: 'fresh' | 'unchecked'; card: string }
  /** in_use: the hub knows this card (a member's, or lost, frozen…); staff_card: a staff card; same_card: the member's own. */
  | { status: 'in_use' | 'staff_card' | 'same_card'; card: string }
  | { status: 'timeout' | 'cancelled' };

export interface NewCardCapture {
  /** The reader as the session should listen to it: every tap but the one taken as a new card. */
  gate(source: CardSource): { source: CardSource; close(): void };
  /** Waits up to `waitMs` for the next tap, as the new card for `forCardUid` (the card on screen). */
  await(forCardUid: string, waitMs?: number): Promise<NewCardOutcome>;
  /** The new card held for `forCardUid`, if one was tapped and checked for it (not consumed: a refused attempt may be retried). */
  held(forCardUid: string): string | null;
  /** Stops waiting and forgets any held card. */
  cancel(): void;
}

/** How long the kiosk waits for the new card by default. */
export const NEW_CARD_WAIT_MS = 30_000;
/** How long a tapped new card stays held for the card on screen. */
export const NEW_CARD_HOLD_MS = 180_000;

export function createNewCardCapture(deps: {
  lookup: (req: LookupRequest, timeoutMs: number) => Promise<LookupResponse | null>;
  /** The card of the member on screen now: a wait for a member who has left takes no tap (the next person's is theirs). */
  currentCardUid: () => string | null;
  logger: Logger;
  lookupTimeoutMs?: number;
  now?: () => number;
}): NewCardCapture {
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  let waiting: { forCardUid: string; settle: (outcome: NewCardOutcome) => void; timer: NodeJS.Timeout } | null = null;
  let holding: { forCardUid: string; newCardUid: string; until: number } | null = null;

  function stopWaiting(outcome: NewCardOutcome): void {
    if (!waiting) return;
    const { settle, timer } = waiting;
    clearTimeout(timer);
    waiting = null;
    settle(outcome);
  }

  /** The hub's word on the tapped card: only a card it does not know (CARD_UNKNOWN) is fresh. */
  async function check(forCardUid: string, newCardUid: string): Promise<NewCardOutcome> {
    const card = maskCardUid(newCardUid);
    if (newCardUid === forCardUid) return { status: 'same_card', card };
    let answer: LookupResponse | null = null;
    try {
      answer = await deps.lookup({ op: 'member.byCard', cardUid: newCardUid }, deps.lookupTimeoutMs ?? 2000);
    } catch (error) {
      log.warn({ card, err: error instanceof Error ? error.message : String(error) }, 'new card look-up failed');
    }
    if (!answer) return { status: 'unchecked', card };
    if (answer.ok) return { status: 'in_use', card };
    if (answer.code === 'CARD_UNKNOWN') return { status: 'fresh', card };
    if (answer.code === 'CARD_IS_STAFF') return { status: 'staff_card', card };
    // Lost, frozen, expired…: the hub has this card on record.
    return { status: 'in_use', card };
  }

  /** True when the tap was taken as the new card (the session must not see it). */
  function claim(tap: CardTap): boolean {
    if (!waiting) return false;
    if (deps.currentCardUid() !== waiting.forCardUid) {
      stopWaiting({ status: 'cancelled' });
      return false;
    }
    const { forCardUid, settle, timer } = waiting;
    clearTimeout(timer);
    waiting = null;
    const newCardUid = tap.uid.toUpperCase();
    void check(forCardUid, newCardUid).then((outcome) => {
      if (outcome.status === 'fresh' || outcome.status === 'unchecked') holding = { forCardUid, newCardUid, until: now() + NEW_CARD_HOLD_MS };
      log.info({ status: outcome.status, card: 'card' in outcome ? outcome.card : null }, 'new card tapped');
      settle(outcome);
    });
    return true;
  }

  return {
    gate(source) {
      const gated = new EventEmitter();
      const onCard = (tap: CardTap) => {
        if (!claim(tap)) gated.emit('card', tap);
      };
      source.on('card', onCard);
      type Listener = ((tap: CardTap) => void) | (() => void);
      // Health goes straight to the reader's own listeners: only taps pass the gate.
      const view = {
        start: () => source.start(),
        stop: () => source.stop(),
        health: () => source.health(),
        on(event: 'card' | 'health', listener: Listener) {
          if (event === 'card') gated.on('card', listener);
          else source.on('health', listener as () => void);
          return view;
        },
        off(event: 'card' | 'health', listener: Listener) {
          if (event === 'card') gated.off('card', listener);
          else source.off('health', listener as () => void);
          return view;
        },
      };
      return { source: view, close: () => source.off('card', onCard) };
    },

    await(forCardUid, waitMs = NEW_CARD_WAIT_MS) {
      stopWaiting({ status: 'cancelled' });
      holding = null;
      return new Promise<NewCardOutcome>((resolve) => {
        const timer = setTimeout(() => stopWaiting({ status: 'timeout' }), waitMs);
        timer.unref();
        waiting = { forCardUid, settle: resolve, timer };
      });
    },

    held(forCardUid) {
      if (!holding || holding.forCardUid !== forCardUid || holding.until <= now()) return null;
      return holding.newCardUid;
    },

    cancel() {
      stopWaiting({ status: 'cancelled' });
      holding = null;
    },
  };
}
