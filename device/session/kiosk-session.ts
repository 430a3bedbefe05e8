/**
 * One kiosk's session: idle → card (look-up running) → member (shown) → action (transaction running)
 * → receipt → idle. A card the hub does not know leads to error (CARD_UNKNOWN), from which the shopper may
 * start registering it: register (form on screen) → card → member (with a welcome) once the registration is
 * applied. Every state but idle has a timeout back to idle, so a member who walks away does not leave their
 * balance on the screen; the screen shows it counting down (`expiresAt`), and a person touching the screen
 * extends it (extendOnActivity: member, register, and an error about a card — never a receipt, whose balances
 * must not stay up however long someone keeps touching).
 *
 * The session is what the screen shows and nothing else: it does not make transactions, build receipts or
 * print. The use cases (device/app/) drive it — begin an action, complete it with the receipt they built,
 * abort it, show a registration's outcome — and every change is emitted as `change`, which the screen gets
 * pushed (GET /api/events).
 *
 * A tap looks the member up at the hub first; when the hub does not answer (offline, timeout) the last view
 * this kiosk cached is shown, marked offline; a card neither answered for nor cached is CARD_CHECK_UNAVAILABLE,
 * never CARD_UNKNOWN (only the hub's word makes a card unknown). Look-ups are numbered: an answer that arrives after the session
 * moved on (another tap, a timeout) is dropped instead of overwriting the newer state.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ErrorCode } from '../../core/errors/codes.ts';
import type { LookupRequest, LookupResponse, MemberView } from '../../core/wire/lookup.ts';
import type { TxResult } from '../../core/wire/result.ts';
import type { Transaction, TxKind } from '../../core/wire/transaction.ts';
import type { MemberCache } from '../cache/member-cache.ts';
import type { CardSource, CardTap, Receipt } from '../ports.ts';
import { maskCardUid } from '../../core/privacy/mask.ts';
import type { SubmitStatus } from '../receipt/build-receipt.ts';

export type SessionStateName = 'idle' | 'card' | 'member' | 'action' | 'receipt' | 'error' | 'register';

export interface ShownMember {
  member: MemberView;
  /** 'hub': answered just now; 'cache': the hub did not answer, this is the last view this kiosk saw. */
  source: 'hub' | 'cache';
  offline: boolean;
  asOf: string;
}

/** Shown once on the member screen that follows an applied registration. */
export interface Welcome {
  name: string;
  pointsEarned: number;
}

/** A registration that did not complete at once, shown on the form: refused (with the hub's code) or queued. */
export interface RegistrationNotice {
  txId: string;
  status: 'rejected' | 'queued';
  code: string | null;
  message: string | null;
}

/**
 * What became of the receipt on screen on paper: 'printing' until the printer answers, then 'printed' or
 * 'not_printed' with why (PRINTER_PAPER_OUT, PRINTER_OFFLINE…: it is withdrawn, never printed later); 'none' when
 * the kiosk prints no receipts.
 */
export interface ReceiptPrint {
  status: 'printed' | 'printing' | 'not_printed' | 'none';
  code: string | null;
}

export type SessionState =
  | { name: 'idle' }
  | { name: 'card'; cardUid: string }
  | ({ name: 'member'; cardUid: string; welcome?: Welcome } & ShownMember)
  | ({ name: 'action'; cardUid: string; action: TxKind } & ShownMember)
  /** `result`: the hub's answer (null when queued): the screen shows the transaction's result from here, once. */
  | ({ name: 'receipt'; cardUid: string; receipt: Receipt; status: SubmitStatus; txId: string; kind: TxKind; result: TxResult | null; print: ReceiptPrint } & ShownMember)
  | { name: 'error'; code: string; message: string; offline: boolean; cardUid: string | null }
  /** The shopper fills in the registration form for the fresh card they tapped. */
  | { name: 'register'; cardUid: string; notice: RegistrationNotice | null };

/** What completes an action: the transaction, the hub's answer, and the receipt the use case built for it. */
export interface CompletedAction {
  tx: Transaction;
  status: SubmitStatus;
  result: TxResult | null;
  receipt: Receipt;
  /** Default: printing (the use case prints next and tells the outcome with showReceiptPrint). */
  print?: ReceiptPrint;
}

/** Omit on each member of a union (plain Omit merges the union's members into one shape, losing the discriminant). */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the screen gets: the state without a full card UID (still a union discriminated by `name`). */
export type SessionView = OmitEach<SessionState, 'cardUid'> & { card: string | null; version: number; expiresAt: string | null };

export interface SessionTimeouts {
  lookupMs: number;
  memberMs: number;
  actionMs: number;
  receiptMs: number;
  errorMs: number;
  /** Typing a name and two phone numbers on a touch screen takes a while; still back to idle if abandoned. */
  registerMs: number;
}

/** How long the PIN pad stays up after a staff card was tapped. */
export const STAFF_PIN_WINDOW_MS = 45_000;

export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = { lookupMs: 1500, memberMs: 60_000, actionMs: 30_000, receiptMs: 15_000, errorMs: 8_000, registerMs: 180_000 };

export interface KioskSessionDeps {
  lookup: (req: LookupRequest, timeoutMs: number) => Promise<LookupResponse | null>;
  cache: Pick<MemberCache, 'get' | 'put'>;
  logger: Logger;
  timeouts?: Partial<SessionTimeouts>;
  /** How long a member's screen stays without a touch, as the kiosk's configuration sets it (screen.idleSeconds); undefined: timeouts.memberMs. */
  memberIdleMs?: () => number | undefined;
  now?: () => number;
}

export interface KioskSession extends EventEmitter<{ change: [SessionView] }> {
  view(): SessionView;
  state(): SessionState;
  /** The card of the member on screen, if any. */
  currentCardUid(): string | null;
  /** The member on screen, if any (member, action or receipt). */
  currentMemberId(): string | null;
  /** The member on screen with their card (member, action or receipt), or null. */
  shownMember(): (ShownMember & { cardUid: string }) | null;
  /**
   * error (CARD_UNKNOWN, answered by the hub) → register. Only the hub's word counts: offline, "unknown" may
   * just mean "not cached here", and registering an issued card would be refused later. False otherwise.
   */
  beginRegistration(): boolean;
  /** The fresh card being registered, if the registration form is on screen. */
  registrationCardUid(): string | null;
  /** register → register with the notice (refused or queued), if that card's form is still on screen. */
  showRegistrationNotice(cardUid: string, notice: RegistrationNotice): void;
  /**
   * register → card → member: the card registered just now is looked up again, so the new member is shown
   * without a second tap, with the welcome. Nothing when that card's form is no longer on screen.
   */
  showRegistered(cardUid: string, welcome: Welcome): Promise<void>;
  handleTap(tap: Pick<CardTap, 'uid'>): Promise<void>;
  /** Listens to a card source; returns the function that stops listening. */
  attach(source: CardSource): () => void;
  /** member → action; false when no member is on screen. */
  beginAction(kind: TxKind): boolean;
  /** action → receipt, with the balances the hub reported; false when no member is on screen any more. */
  completeAction(done: CompletedAction): boolean;
  /** action → member again, when the transaction could not even be written (invalid input). */
  abortAction(): void;
  /**
   * Someone touched the screen: the member, registration or card-error screen starts its idle time again (the
   * state and its version stay; expiresAt moves and the view is pushed). False, and nothing changes, anywhere else:
   * idle, a look-up or transaction running, and a receipt (it goes at its own time, however long someone touches).
   */
  extendOnActivity(): boolean;
  /** The receipt of `txId`, if still on screen, now shows what became of it on paper (its timeout is kept). */
  showReceiptPrint(txId: string, print: ReceiptPrint): boolean;
  /**
   * receipt → member: the member goes on (another purchase, after a refusal) without tapping again, with the
   * balances the result reported. False (and nothing changes) from any other state, and when the card no longer
   * works (reported lost, returned): that member's session ends instead.
   */
  backToMember(): boolean;
  reset(): void;
  /** Resolves when no look-up is running (or after the timeout). */
  settled(timeoutMs: number): Promise<void>;
  stop(): void;
}

export function createKioskSession(deps: KioskSessionDeps): KioskSession {
  const timeouts = { ...DEFAULT_SESSION_TIMEOUTS, ...deps.timeouts };
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  const emitter = new EventEmitter<{ change: [SessionView] }>();
  let current: SessionState = { name: 'idle' };
  let version = 0;
  let expiresAt: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let lookupGeneration = 0;
  let lookupRunning: Promise<void> | null = null;

  function timeoutFor(state: SessionState): number | null {
    switch (state.name) {
      case 'idle':
        return null;
      case 'card':
        // The look-up has its own timeout; this is only a backstop.
        return timeouts.lookupMs + 5000;
      case 'member':
        return deps.memberIdleMs?.() ?? timeouts.memberMs;
      case 'action':
        return timeouts.actionMs;
      case 'receipt':
        return timeouts.receiptMs;
      case 'error':
        // A staff card waits for its PIN: typing it (and a retry) takes longer than reading an error.
        return state.code === 'CARD_IS_STAFF' ? Math.max(timeouts.errorMs, STAFF_PIN_WINDOW_MS) : timeouts.errorMs;
      case 'register':
        return timeouts.registerMs;
    }
  }

  function enter(next: SessionState): void {
    current = next;
    version += 1;
    restartTimer();
    emitter.emit('change', view());
  }

  /** The same state with a later expiry: the idle time starts again, nothing else moves. */
  function restartTimer(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    const ms = timeoutFor(current);
    expiresAt = ms === null ? null : now() + ms;
    if (ms !== null) {
      timer = setTimeout(() => {
        log.debug({ from: current.name }, 'session timed out');
        lookupGeneration += 1;
        enter({ name: 'idle' });
      }, ms);
      timer.unref();
    }
  }

  function view(): SessionView {
    const { cardUid, ...rest } = current as SessionState & { cardUid?: string | null };
    if ('member' in rest) {
      // The screen, the API and anything a browser caches never get a full card UID.
      const member = rest.member;
      rest.member = {
        ...member,
        card: { ...member.card, uid: maskCardUid(member.card.uid) },
        // Every card on the member's accounts (supplementary cards too): masked like the tapped one.
        ...(member.cards ? { cards: member.cards.map((card) => ({ ...card, uid: maskCardUid(card.uid) })) } : {}),
      };
    }
    if ('result' in rest && rest.result?.outcome) {
      rest.result = { ...rest.result, outcome: { ...rest.result.outcome, cardUid: maskCardUid(rest.result.outcome.cardUid) } };
    }
    return {
      ...rest,
      card: cardUid ? maskCardUid(cardUid) : null,
      version,
      expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
    };
  }

  function shown(): (ShownMember & { cardUid: string }) | null {
    if (current.name === 'member' || current.name === 'action' || current.name === 'receipt') {
      const { member, source, offline, asOf, cardUid } = current;
      return { member, source, offline, asOf, cardUid };
    }
    return null;
  }

  async function lookUp(cardUid: string, generation: number, welcome?: Welcome): Promise<void> {
    let response: LookupResponse | null = null;
    try {
      response = await deps.lookup({ op: 'member.byCard', cardUid }, timeouts.lookupMs);
    } catch (error) {
      log.warn({ code: 'LOOKUP_FAILED' satisfies ErrorCode, err: error instanceof Error ? error.message : String(error) }, 'look-up failed');
    }
    if (generation !== lookupGeneration) return;
    if (response?.ok && 'member' in response) {
      deps.cache.put(cardUid, response.member);
      enter({ name: 'member', cardUid, member: response.member, source: 'hub', offline: false, asOf: response.member.asOf, ...(welcome ? { welcome } : {}) });
      return;
    }
    if (response && !response.ok) {
      // The hub answered: its word (unknown, lost, frozen...) beats anything cached.
      enter({ name: 'error', code: response.code, message: response.message, offline: false, cardUid });
      return;
    }
    const cached = deps.cache.get(cardUid);
    if (cached) {
      enter({ name: 'member', cardUid, member: cached.member, source: 'cache', offline: true, asOf: cached.asOf, ...(welcome ? { welcome } : {}) });
      return;
    }
    // Not cached here says nothing about the card: only the hub's word makes it unknown (and open registration).
    enter({ name: 'error', code: 'CARD_CHECK_UNAVAILABLE' satisfies ErrorCode, message: 'This card cannot be checked right now: the hub cannot be reached and the card is not in this kiosk\'s cache.', offline: true, cardUid });
  }

  /** → card, then whatever the look-up finds; a newer tap or a reset makes this one's answer moot. */
  async function showCard(cardUid: string, welcome?: Welcome): Promise<void> {
    lookupGeneration += 1;
    const generation = lookupGeneration;
    enter({ name: 'card', cardUid });
    const running = lookUp(cardUid, generation, welcome);
    lookupRunning = running;
    await running;
    if (lookupRunning === running) lookupRunning = null;
  }

  const session = Object.assign(emitter, {
    view,
    state: () => current,
    currentCardUid: () => shown()?.cardUid ?? null,
    currentMemberId: () => shown()?.member.memberId ?? null,
    shownMember: shown,

    beginRegistration(): boolean {
      if (current.name !== 'error' || current.code !== ('CARD_UNKNOWN' satisfies ErrorCode) || current.offline || !current.cardUid) return false;
      enter({ name: 'register', cardUid: current.cardUid, notice: null });
      return true;
    },

    registrationCardUid: () => (current.name === 'register' ? current.cardUid : null),

    showRegistrationNotice(cardUid: string, notice: RegistrationNotice): void {
      if (current.name === 'register' && current.cardUid === cardUid) enter({ name: 'register', cardUid, notice });
    },

    async showRegistered(cardUid: string, welcome: Welcome): Promise<void> {
      if (current.name !== 'register' || current.cardUid !== cardUid) return;
      await showCard(cardUid, welcome);
    },

    async handleTap(tap: Pick<CardTap, 'uid'>): Promise<void> {
      const cardUid = tap.uid.toUpperCase();
      if (current.name === 'card' || current.name === 'action') {
        log.debug({ card: maskCardUid(cardUid), state: current.name }, 'tap ignored while busy');
        return;
      }
      await showCard(cardUid);
    },

    attach(source: CardSource): () => void {
      const listener = (tap: CardTap) => {
        session.handleTap(tap).catch((error: unknown) => log.error({ err: error }, 'tap handling failed'));
      };
      source.on('card', listener);
      return () => source.off('card', listener);
    },

    beginAction(kind: TxKind): boolean {
      const member = shown();
      if (!member || current.name === 'action') return false;
      enter({ name: 'action', action: kind, ...member });
      return true;
    },

    completeAction(done: CompletedAction): boolean {
      const member = shown();
      if (!member) return false;
      const outcome = done.result?.outcome;
      let updated = member;
      if (outcome && outcome.cardUid === member.cardUid) {
        const asOf = new Date(now()).toISOString();
        updated = { ...member, member: { ...member.member, balances: outcome.balances, tier: outcome.tier, asOf, ...afterPunch(member.member, done) }, asOf };
        if (done.tx.kind === 'card_report_loss') updated.member.card = { ...updated.member.card, status: 'lost' };
      }
      enter({ name: 'receipt', ...updated, receipt: done.receipt, status: done.status, txId: done.tx.id, kind: done.tx.kind, result: done.result, print: done.print ?? { status: 'printing', code: null } });
      return true;
    },

    abortAction(): void {
      const member = shown();
      if (current.name === 'action' && member) enter({ name: 'member', ...member });
    },

    extendOnActivity(): boolean {
      const extendable = current.name === 'member' || current.name === 'register' || (current.name === 'error' && current.cardUid !== null);
      if (!extendable) return false;
      restartTimer();
      emitter.emit('change', view());
      return true;
    },

    showReceiptPrint(txId: string, print: ReceiptPrint): boolean {
      if (current.name !== 'receipt' || current.txId !== txId) return false;
      // The same state (version and timeout kept): only what the paper did is new.
      current = { ...current, print };
      emitter.emit('change', view());
      return true;
    },

    backToMember(): boolean {
      const member = shown();
      if (current.name !== 'receipt' || !member) return false;
      if (member.member.card.status !== 'active') {
        enter({ name: 'idle' });
        return false;
      }
      enter({ name: 'member', ...member });
      return true;
    },

    reset(): void {
      lookupGeneration += 1;
      enter({ name: 'idle' });
    },

    async settled(timeoutMs: number): Promise<void> {
      const running = lookupRunning;
      if (!running) return;
      await Promise.race([running, new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
    },

    stop(): void {
      lookupGeneration += 1;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  });
  return session;
}

/**
 * The hub's outcome carries balances, not visits left; one applied punch is exactly one visit fewer on that
 * service, so the screen can show the count without another look-up.
 */
function afterPunch(member: MemberView, done: { tx: Transaction; result?: TxResult | null }): Pick<MemberView, 'serviceCards'> {
  const { tx } = done;
  if (tx.kind !== 'punch_card_use' || done.result?.status !== 'applied' || !member.serviceCards) return {};
  return {
    serviceCards: member.serviceCards.map((c) => (c.serviceId === tx.serviceId && c.punchesLeft !== null ? { ...c, punchesLeft: c.punchesLeft - 1 } : c)),
  };
}
