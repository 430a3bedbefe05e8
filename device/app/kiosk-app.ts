/**
 * The kiosk's application layer: every use case in one place, each coordinating the session (what the screen
 * shows), the transaction factory and the outbox, the link to the hub, and the receipt. Adapters (the HTTP API,
 * the screen's event stream) call these and only translate: a request body in, an outcome or a coded error
 * (CodedError from core, KioskError from here) out.
 *
 * This file is the assembly: it builds the parts from what the composition root gives (kiosk-app-deps.ts) and
 * puts the use cases together. Money-moving use cases (member-transactions.ts) share one flow
 * (submit-transaction.ts): what a request may name and who a body names is transaction-body.ts, how each shows
 * on screen is transaction-screens.ts (member → action → receipt; a registration's welcome or notice), what is
 * refused without the hub or past the offline limits is transaction-admission.ts; a replayed Idempotency-Key
 * never touches the screen. The kiosk's own listeners hear each outcome (settled-transactions.ts), and GET
 * /api/state is kiosk-state.ts.
 *
 * The screen learns every outcome from the session, pushed (kiosk-events.ts), never from an HTTP reply.
 *
 * Receipts print now or not at all (receipt-printing.ts): the receipt screen shows which, and staff may reprint
 * one of the kiosk's last receipts on purpose. Technician mode (technician-mode.ts) shows why a kiosk is unhappy.
 */
import type { CodeVerificationView, OpenDraw, StaffSessionView } from '../../core/wire/lookup.ts';
import { SHOW_MESSAGE_COMMAND, showMessageArgsSchema, type DeviceCommand, type ShowMessageArgs } from '../../core/wire/device-command.ts';
import { hardwareStateOf } from '../hardware/hardware-state.ts';
import type { OutboxEntry } from '../outbox/sqlite-outbox.ts';
import type { ReceiptPrint, SessionView } from '../session/kiosk-session.ts';
import { createCodeAndDrawLookups } from './codes-and-draws.ts';
import type { KioskAppDeps } from './kiosk-app-deps.ts';
import { KioskError } from './kiosk-errors.ts';
import { createKioskEvents, type KioskEvents, type SessionSnapshot } from './kiosk-events.ts';
import { kioskStateOf, type KioskState } from './kiosk-state.ts';
import { createMemberHistory, type MemberHistoryPage, type MemberHistoryRequest } from './member-history.ts';
import { createMemberOffers, type BasketLine, type CatalogAnswer, type QuoteAnswer } from './member-offers.ts';
import { createMemberTransactions, type MemberTransactions } from './member-transactions.ts';
import { createReceiptPrinting } from './receipt-printing.ts';
import { screenMessageOf, type ScreenMessage } from './screen-message.ts';
import { createSettledListeners, type SettledTransaction } from './settled-transactions.ts';
import { createStaffDesk, type CardOffer, type NewCardOutcome, type PurchaseLinesView, type RecentReceipt, type TopUpPreview } from './staff-desk.ts';
import { createSubmitter } from './submit-transaction.ts';
import { createTechnicianMode, type TechnicianDiagnostics } from './technician-mode.ts';
import { createTransactionAdmission } from './transaction-admission.ts';

export type { TxOutcome, SubmitOptions } from './submit-transaction.ts';
export type { CatalogAnswer, QuoteAnswer, BasketLine } from './member-offers.ts';
export type { MemberHistoryPage, MemberHistoryRequest } from './member-history.ts';
export type { CardOffer, NewCardOutcome, PurchaseLinesView, RecentReceipt, TopUpPreview } from './staff-desk.ts';
export type { TxRequest, PurchaseRequest, CardOperationKind } from './tx-request.ts';
export type { KioskState, KioskStoreView } from './kiosk-state.ts';
export type { KioskRules, KioskAppDeps } from './kiosk-app-deps.ts';
export type { SettledTransaction } from './settled-transactions.ts';

/** Every use case of the kiosk: the transactions (member-transactions.ts) and all the rest. */
export interface KioskApp extends MemberTransactions {
  /** The staff card on the reader and its PIN, checked by the hub: opens a staff session on this kiosk. */
  staffSignIn(pin: string): Promise<StaffSessionView>;
  staffSignOut(): Promise<void>;
  staffSession(): StaffSessionView | null;

  /** The PIN of the member whose card is on the reader: set it (first time, or by the signed-in clerk) or check it. */
  setMemberPin(pin: string): Promise<void>;
  verifyMemberPin(pin: string): Promise<{ expiresAt: string }>;

  quote(lines: readonly BasketLine[]): Promise<QuoteAnswer>;
  catalog(): Promise<CatalogAnswer>;
  /** A page of the full history of the member on screen, from the hub (HUB_REQUIRED offline); never for a card named in the request. */
  memberHistory(request: MemberHistoryRequest & Readonly<Record<string, unknown>>): Promise<MemberHistoryPage>;
  /** Takes the hub's current configuration when newer (on connect, every 10 minutes, when a catalogue shows newer rules). Never throws. */
  refreshRules(): Promise<void>;

  /** The anti-counterfeit check of a code, without using it (no card needed; the hub limits how many a minute). */
  verifyCode(code: string): Promise<CodeVerificationView>;
  /** The points draws open now (HUB_REQUIRED offline: a kiosk without the hub does not offer draws). */
  openDraws(): Promise<OpenDraw[]>;

  /** The simulated reader reads `uid`; resolves with the view once the look-up settled (or after tapSettleMs). */
  tapSimulatedCard(uid: string): Promise<SessionView>;
  resetSession(): SessionView;
  /** From a transaction's result back to the member's screen (SESSION_NO_MEMBER when there is none to go back to). */
  backToMember(): SessionView;
  /** The shopper chose to register the unknown card on screen. */
  beginRegistration(): SessionView;
  sessionSnapshot(): SessionSnapshot;
  /**
   * Someone is touching the screen: the member's (or registration's, or a card error's) idle time starts again and
   * the session is pushed with its new expiresAt. expiresAt null when no session is on (idle): nothing changes.
   */
  sessionActivity(): { expiresAt: string | null };

  /** One of this kiosk's recent receipts printed again for the signed-in staff member (STAFF_SESSION_REQUIRED, RECEIPT_NOT_FOUND). */
  reprintReceipt(txId: string): Promise<{ txId: string; print: ReceiptPrint }>;
  /** Technician mode: STAFF_SESSION_REQUIRED, or STAFF_UNAUTHORIZED for a role that may not (technician-mode.ts). */
  technicianDiagnostics(): TechnicianDiagnostics;
  technicianTestPrint(): Promise<{ print: ReceiptPrint }>;

  /** Staff pages (staff-desk.ts): the deposit bonus a top-up would get, from this kiosk's rules, for the member on screen. */
  topUpPreview(amountCents: number): TopUpPreview;
  /** The card types a clerk may issue and the replacement fee of the card on the reader, from this kiosk's rules. */
  cardOffer(): CardOffer;
  /** Waits for the clerk to tap the new card of a replacement or an issue on the reader; it is then held for the card on screen. */
  awaitNewCard(): Promise<NewCardOutcome>;
  cancelNewCard(): void;
  /** The lines of a purchase of the member on screen, for a refund: from this kiosk's outbox, else from the hub (purchase-lines.ts). */
  purchaseLines(txId: string): Promise<PurchaseLinesView>;
  /** The receipts a staff reprint can print, newest first. */
  recentReceipts(): RecentReceipt[];

  state(): KioskState;
  transaction(id: string): OutboxEntry | null;
  transactionByKey(idempotencyKey: string): OutboxEntry | null;

  /**
   * A message over whatever the screen shows, for its seconds (screen-message.ts), replacing the one on show: a kiosk
   * flow's (args checked by the caller). HQ's `show-message` commands are shown by the app itself, as they arrive.
   */
  showMessage(args: ShowMessageArgs, from: ScreenMessage['from']): ScreenMessage;
  /**
   * Hears the outcome of each new transaction this kiosk makes (applied, refused or queued; never a replay), with the
   * member on screen when it was for their card. A listener that throws is logged and the use case goes on.
   */
  onTransactionSettled(listener: (settled: SettledTransaction) => void): () => void;

  /** What the screen is pushed. */
  readonly events: KioskEvents;
  stop(): void;
}

export function createKioskApp(deps: KioskAppDeps): KioskApp {
  const { session, outbox, link, rules } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.logger;
  const tuning = deps.tuning ?? {};

  const events = createKioskEvents({
    session,
    link,
    linkState: () => ({ connected: link.isConnected(), outboxDepth: outbox.depth() }),
    ...(deps.drivers ? { hardware: { state: () => hardwareStateOf(deps.drivers!()), sources: deps.healthSources ?? [] } } : {}),
    ...(tuning.linkCheckMs !== undefined ? { linkCheckMs: tuning.linkCheckMs } : {}),
    onListenerError: (error) => log.warn({ err: error }, 'dropped a screen event listener'),
  });

  const printing = createReceiptPrinting({ sink: deps.receipts, logger: log, now });
  const technician = createTechnicianMode({
    info: deps.technician ?? { softwareVersion: 'unknown', enrolment: () => ({ hubUrl: '' }), clock: () => ({}), hardware: () => ({ reader: { model: 'unknown', port: '' }, printer: { model: 'unknown', port: '', paperWidthMm: 58 } }) },
    staff: () => deps.staff.current(),
    identity: deps.identity,
    link,
    outbox,
    rulesVersion: () => rules.version(),
    ...(deps.config ? { config: deps.config } : {}),
    ...(deps.drivers ? { drivers: deps.drivers } : {}),
    ...(deps.alerts ? { alerts: deps.alerts } : {}),
    printing,
    receiptContext: deps.receiptContext,
    logger: log,
    now,
  });

  const desk = createStaffDesk({
    session,
    staff: () => deps.staff.current(),
    rules,
    outbox,
    link,
    ...(tuning.lookupTimeoutMs !== undefined ? { lookupTimeoutMs: tuning.lookupTimeoutMs } : {}),
    printing,
    ...(deps.newCards ? { newCards: deps.newCards } : {}),
    storeId: () => deps.identity().storeId,
    ...(deps.regionId ? { regionId: deps.regionId } : {}),
    now,
  });

  /** The gifts this kiosk's configuration offers: null when it names none (all of them). */
  const offeredGifts = () => deps.config?.().gifts ?? null;

  const settledListeners = createSettledListeners({ session, logger: log });

  const submit = createSubmitter({
    factory: deps.factory,
    outbox,
    link,
    ...(tuning.resultWaitMs !== undefined ? { resultWaitMs: tuning.resultWaitMs } : {}),
    appended: () => events.linkMayHaveChanged(),
    admit: createTransactionAdmission(deps),
    settled: (outcome) => settledListeners.settled(outcome),
  });

  function showMessage(args: ShowMessageArgs, from: ScreenMessage['from']): ScreenMessage {
    const message = screenMessageOf(args, from, now());
    events.showMessage(message);
    return message;
  }

  /** HQ's commands this app acts on itself: `show-message` (already checked by the link; checked again, typed). */
  const onCommand = (command: DeviceCommand): void => {
    if (command.command !== SHOW_MESSAGE_COMMAND) return;
    const args = showMessageArgsSchema.safeParse(command.args);
    if (args.success) showMessage(args.data, 'hub');
  };
  link.on('command', onCommand);

  async function refreshRules(): Promise<void> {
    try {
      const changed = await rules.refresh();
      if (changed) await deps.rulesChanged?.(rules.version());
    } catch (error) {
      log.warn({ err: error }, 'could not refresh the rules bundle');
    }
  }

  const codesAndDraws = createCodeAndDrawLookups({ link, ...(tuning.lookupTimeoutMs !== undefined ? { lookupTimeoutMs: tuning.lookupTimeoutMs } : {}) });
  const history = createMemberHistory({ session, link, ...(tuning.lookupTimeoutMs !== undefined ? { lookupTimeoutMs: tuning.lookupTimeoutMs } : {}) });

  const offers = createMemberOffers({
    session,
    link,
    rules,
    refreshRules,
    storeId: () => deps.identity().storeId,
    ...(deps.regionId ? { regionId: deps.regionId } : {}),
    gifts: offeredGifts,
    ...(tuning.lookupTimeoutMs !== undefined ? { lookupTimeoutMs: tuning.lookupTimeoutMs } : {}),
    now,
  });

  const transactions = createMemberTransactions({ ...deps, submit, printing, offeredGifts });

  return {
    ...transactions,
    verifyCode: (code) => codesAndDraws.verifyCode(code),
    openDraws: () => codesAndDraws.openDraws(),

    async setMemberPin(pin) {
      const cardUid = session.currentCardUid();
      if (!cardUid) throw new KioskError('SESSION_NO_CARD', 'no member card on the reader');
      await deps.memberPin.set(cardUid, pin);
    },
    async verifyMemberPin(pin) {
      const cardUid = session.currentCardUid();
      if (!cardUid) throw new KioskError('SESSION_NO_CARD', 'no member card on the reader');
      return deps.memberPin.verify(cardUid, pin);
    },

    staffSignIn: (pin) => deps.staff.signIn(pin),
    staffSignOut: () => deps.staff.signOut(),
    staffSession: () => deps.staff.current(),

    quote: (lines) => offers.quote(lines),
    catalog: () => offers.catalog(),
    memberHistory: (request) => history.page(request),
    refreshRules,

    async tapSimulatedCard(uid) {
      const cards = deps.simulatedCards;
      if (!cards) throw new KioskError('SIM_DISABLED');
      if (!cards.tap(uid)) throw new KioskError('SIM_READER_STOPPED');
      await session.settled(tuning.tapSettleMs ?? 3000);
      return session.view();
    },

    resetSession() {
      session.reset();
      return session.view();
    },

    backToMember() {
      if (!session.backToMember()) throw new KioskError('SESSION_NO_MEMBER');
      return session.view();
    },

    beginRegistration() {
      if (!session.beginRegistration()) throw new KioskError('REGISTER_NOT_OFFERED');
      return session.view();
    },

    sessionSnapshot: () => events.sessionSnapshot(),

    sessionActivity() {
      session.extendOnActivity();
      return { expiresAt: session.view().expiresAt };
    },

    async reprintReceipt(txId) {
      const staff = deps.staff.current();
      if (!staff) throw new KioskError('STAFF_SESSION_REQUIRED', 'a reprint needs a staff member signed in on this kiosk');
      return { txId, print: await printing.reprint(txId, staff) };
    },

    technicianDiagnostics: () => technician.diagnostics(),
    technicianTestPrint: async () => ({ print: await technician.testPrint() }),

    topUpPreview: (amountCents) => desk.topUpPreview(amountCents),
    cardOffer: () => desk.cardOffer(),
    awaitNewCard: () => desk.awaitNewCard(),
    cancelNewCard: () => desk.cancelNewCard(),
    purchaseLines: (txId) => desk.purchaseLines(txId),
    recentReceipts: () => desk.recentReceipts(),

    state: () => kioskStateOf(deps),

    transaction: (id) => outbox.get(id),
    transactionByKey: (key) => outbox.getByIdempotencyKey(key),

    showMessage,
    onTransactionSettled: (listener) => settledListeners.listen(listener),

    events,
    stop: () => {
      link.off('command', onCommand);
      settledListeners.clear();
      events.stop();
      technician.stop();
    },
  };
}
