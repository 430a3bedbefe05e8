/**
 * The kiosk's application layer: every use case in one place, each coordinating the session (what the screen
 * shows), the transaction factory and the outbox, the link to the hub, and the receipt. Adapters (the HTTP API,
 * the screen's event stream) call these and only translate: a request body in, an outcome or a coded error
 * (CodedError from core, KioskError from here) out.
 *
 * Money-moving use cases share one flow (submit-transaction.ts) and differ in how they involve the screen:
 * - member actions (purchase, top-up, gift, refund, upgrade, punch, card operations) default to the card on
 *   screen and, when the transaction is for that card, run member → action → receipt: the receipt is built
 *   here from the hub's answer, shown, then printed;
 * - registration defaults to the card whose registration form is on screen, and then shows the new member
 *   (looked up again, with a welcome) or, refused or queued, the form with a notice;
 * - a replayed Idempotency-Key never touches the screen.
 *
 * The screen learns every outcome from the session, pushed (kiosk-events.ts), never from an HTTP reply.
 *
 * Receipts print now or not at all (receipt-printing.ts): the receipt screen shows which, and staff may reprint
 * one of the kiosk's last receipts on purpose. Technician mode (technician-mode.ts) shows why a kiosk is unhappy.
 */
import { serviceNames, type ServiceName } from './service-names.ts';
import type { Logger } from 'pino';
import type { Alert } from '../../core/wire/alerts.ts';
import type { KioskMode } from '../../core/ledger/types.ts';
import type { StaffSessionView } from '../../core/wire/lookup.ts';
import type { TxKind } from '../../core/wire/transaction.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { Outbox, OutboxEntry, PendingEntry } from '../outbox/sqlite-outbox.ts';
import type { CardReaderHealth, PrinterHealth, ReceiptSink, SimulatedTaps } from '../ports.ts';
import { buildReceipt, type ReceiptContext } from '../receipt/build-receipt.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import { CodedError } from '../../core/errors/coded-error.ts';
import type { KioskConfigView } from '../config/config-view.ts';
import type { OfflineGuard } from '../config/offline-guard.ts';
import type { KioskSession, SessionView } from '../session/kiosk-session.ts';
import type { TransactionFactory, TxBodyInput } from '../tx/transaction-factory.ts';
import { KioskError } from './kiosk-errors.ts';
import type { MemberPin } from './member-pin.ts';
import type { StaffSignIn } from './staff-sign-in.ts';
import { createKioskEvents, type HealthEventSource, type KioskEvents, type LinkEventSource, type SessionSnapshot } from './kiosk-events.ts';
import { hardwareStateOf, type HardwareState } from '../hardware/hardware-state.ts';
import { createReceiptPrinting } from './receipt-printing.ts';
import { createTechnicianMode, type TechnicianDiagnostics, type TechnicianInfo } from './technician-mode.ts';
import { createStaffDesk, type CardOffer, type NewCardOutcome, type PurchaseLinesView, type RecentReceipt, type TopUpPreview } from './staff-desk.ts';
import type { NewCardCapture } from './new-card-capture.ts';
import type { ReceiptPrint } from '../session/kiosk-session.ts';
import { createMemberOffers, numberLines, type BasketLine, type CatalogAnswer, type QuoteAnswer } from './member-offers.ts';
import { createSubmitter, OFF_SCREEN, type ScreenPart, type SubmitOptions, type TxOutcome } from './submit-transaction.ts';
import { assertHubThere, codeDigestOf, createCodeAndDrawLookups, HUB_DECIDED_KINDS } from './codes-and-draws.ts';
import { assertCreditDecidable } from './credit-at-hub.ts';
import { createMemberHistory, type MemberHistoryPage, type MemberHistoryRequest } from './member-history.ts';
import { feeClaimOf } from './card-fees.ts';
import { assertTermsConsent } from './registration-consent.ts';
import type { CodeVerificationView, OpenDraw } from '../../core/wire/lookup.ts';
import { SHOW_MESSAGE_COMMAND, showMessageArgsSchema, type DeviceCommand, type ShowMessageArgs } from '../../core/wire/device-command.ts';
import { screenMessageOf, type ScreenMessage } from './screen-message.ts';

export type { TxOutcome, SubmitOptions } from './submit-transaction.ts';
export type { CatalogAnswer, QuoteAnswer, BasketLine } from './member-offers.ts';
export type { MemberHistoryPage, MemberHistoryRequest } from './member-history.ts';
export type { CardOffer, NewCardOutcome, PurchaseLinesView, RecentReceipt, TopUpPreview } from './staff-desk.ts';

/**
 * A transaction's body as a client sent it: the transaction schema checks it when it is drafted (TX_INVALID),
 * so an adapter passes what it parsed without re-stating every kind's fields. It never names the card: the
 * kiosk acts only for the card tapped on its own reader (a body with `cardUid` is refused, CARD_NOT_ON_READER),
 * and never names the staff actor either (that is the kiosk's signed-in staff session).
 */
export type TxRequest = Readonly<Record<string, unknown>>;

/** Staff-only kinds: they need a staff member signed in on this kiosk. A member may report their own card lost. */
const STAFF_KINDS: ReadonlySet<TxKind> = new Set(['top_up', 'refund', 'card_cancel_loss', 'card_freeze', 'card_unfreeze', 'card_replace', 'card_return', 'credit_repay', 'card_issue', 'card_service']);

/** A purchase's lines may leave out lineNo: they are numbered in the order given. */
export type PurchaseRequest = TxRequest & { readonly lines: readonly (Readonly<Record<string, unknown>> & { lineNo?: number | undefined })[] };

export type CardOperationKind = Extract<TxKind, 'card_report_loss' | 'card_cancel_loss' | 'card_freeze' | 'card_unfreeze' | 'card_replace' | 'card_return' | 'card_issue' | 'card_service'>;

/** GET /api/state. */
export interface KioskState {
  deviceId: string;
  storeId: string;
  /** unattended: never takes cash; attended: a counter device (as the hub has it). */
  mode: KioskMode;
  /** The staff member signed in on this kiosk, if any. */
  staff: StaffSessionView | null;
  /** What transactions name: the rules version and the signed configuration snapshot (absent: none held yet). */
  bundleVersion: number;
  snapshotVersion?: number;
  connected: boolean;
  outboxDepth: number;
  epoch: string;
  oldestPending: Pick<PendingEntry, 'id' | 'epoch' | 'seq'> | null;
  drivers?: { cardReader: CardReaderHealth; printer: PrinterHealth };
  /** The reader and printer in one word each, as the screen is pushed them (`hardware` events); with drivers. */
  hardware?: HardwareState;
  alerts: Alert[];
  /** The signed configuration in force (device/config): versions, last refusal, items, receipt texts, limits. */
  config?: KioskConfigView;
  /** Count cards' services by name (the item that sells the card): the member view names only the service id. */
  services: ServiceName[];
  /** The kiosk's store as the hub last described it (device.profile): the screen names it and shows times in its zone. */
  store?: KioskStoreView;
}

/** GET /api/state `store`: the store's id and profile (before the hub ever gave one: the id as name, Asia/Shanghai). */
export interface KioskStoreView {
  storeId: string;
  name: string;
  address: string;
  phone: string;
  /** IANA zone. */
  timezone: string;
}

/** The rules the kiosk prices and explains with: its accepted configuration's (device/config). */
export interface KioskRules {
  bundle(): RulesBundle | null;
  /** What transactions name as bundleVersion; 0 while none is held (the hub then applies its latest). */
  version(): number;
  /** Asks the hub for its current configuration now; resolves whether the rules changed. */
  refresh(): Promise<boolean>;
}

export interface KioskApp {
  purchase(request: PurchaseRequest, options?: SubmitOptions): Promise<TxOutcome>;
  topUp(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  redeemGift(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  refund(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  tierUpgrade(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  /** One visit on a count card / time card: { serviceId }. */
  punch(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  cardOperation(kind: CardOperationKind, request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  /** A credit repayment (赊账还款) taken by the signed-in staff member: { amountCents, tender }. Hub only (HUB_REQUIRED offline). */
  creditRepay(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  /** A new member on the fresh card named, or the card whose registration form is on screen. */
  registerMember(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;

  /** The staff card on the reader and its PIN, checked by the hub: opens a staff session on this kiosk. */
  staffSignIn(pin: string): Promise<StaffSessionView>;
  staffSignOut(): Promise<void>;
  staffSession(): StaffSessionView | null;

  /** The PIN of the member whose card is on the reader: set it (first time, or by the signed-in clerk) or check it. */
  setMemberPin(pin: string): Promise<void>;
  verifyMemberPin(pin: string): Promise<{ expiresAt: string }>;
  /** A member whose card is gone reports it lost with their phone and PIN (no card on the reader). */
  reportLossByPhone(phone: string, pin: string, options?: SubmitOptions): Promise<TxOutcome>;

  quote(lines: readonly BasketLine[]): Promise<QuoteAnswer>;
  catalog(): Promise<CatalogAnswer>;
  /** A page of the full history of the member on screen, from the hub (HUB_REQUIRED offline); never for a card named in the request. */
  memberHistory(request: MemberHistoryRequest & Readonly<Record<string, unknown>>): Promise<MemberHistoryPage>;
  /** Takes the hub's current configuration when newer (on connect, every 10 minutes, when a catalogue shows newer rules). Never throws. */
  refreshRules(): Promise<void>;

  /**
   * A redemption code typed by the member whose card is on the reader: { code }. Refused before anything is queued
   * when it is not a code (CODE_MALFORMED, CODE_CHECK_DIGIT) or the hub is away (HUB_REQUIRED).
   */
  redeemCode(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;
  /** The anti-counterfeit check of a code, without using it (no card needed; the hub limits how many a minute). */
  verifyCode(code: string): Promise<CodeVerificationView>;
  /** The points draws open now (HUB_REQUIRED offline: a kiosk without the hub does not offer draws). */
  openDraws(): Promise<OpenDraw[]>;
  /** One entry in a draw for the member whose card is on the reader: { drawId }. */
  enterDraw(request: TxRequest, options?: SubmitOptions): Promise<TxOutcome>;

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

/** A transaction's outcome as the kiosk's own listeners hear it (device/automation: a flow's `transaction done`). */
export interface SettledTransaction {
  outcome: TxOutcome;
  /** The member on screen, when the transaction was for their card; null otherwise. */
  memberId: string | null;
}

export interface KioskAppDeps {
  session: KioskSession;
  factory: Pick<TransactionFactory, 'draft'>;
  outbox: Pick<Outbox, 'append' | 'appendOnce' | 'replayOf' | 'get' | 'getByIdempotencyKey' | 'depth' | 'oldestPending' | 'epoch'>;
  link: Pick<HubLink, 'kick' | 'waitForResult' | 'isConnected' | 'lookup'> & LinkEventSource;
  rules: KioskRules;
  /** Told when the rules changed (the composition root keeps the version in settings). */
  rulesChanged?: (version: number) => Promise<void>;
  /** The snapshot version transactions name, for the state. */
  snapshotVersion?: () => number | undefined;
  /** The configuration in force, for the state (GET /api/state, GET /api/config). */
  config?: () => KioskConfigView;
  /** The store's region as the configuration names it (region-scoped rules when pricing on the kiosk). */
  regionId?: () => string | null;
  /** Offline limits: a sale paying with stored value or points while the hub is unreachable is checked here first. */
  offlineGuard?: OfflineGuard;
  receipts: Pick<ReceiptSink, 'print'>;
  /** Read at each receipt: header and footer may change with a new config bundle. */
  receiptContext: () => ReceiptContext;
  identity: () => { deviceId: string; storeId: string };
  /** The store's profile for the state (GET /api/state `store`). */
  store?: () => KioskStoreView;
  /** How the hub has this kiosk stand (unattended kiosks never take cash). */
  mode: () => KioskMode;
  staff: StaffSignIn;
  memberPin: MemberPin;
  /** The kiosk's newest alerts, for the state. */
  alerts?: () => Alert[];
  /** Reader and printer health for the state (paper out, cover open, reader disconnected). */
  drivers?: () => { cardReader: CardReaderHealth; printer: PrinterHealth };
  /** The card source and the receipt sink: their 'health' events push the hardware state (with `drivers`). */
  healthSources?: readonly HealthEventSource[];
  /** What technician mode shows beyond the state (software, enrolment, clock, configured models). */
  technician?: TechnicianInfo;
  /** Takes the new card of a replacement or an issue from the reader (the session listens through its gate). */
  newCards?: NewCardCapture;
  /** Present in the demo and tests: tapSimulatedCard taps it. */
  simulatedCards?: SimulatedTaps | null;
  logger: Logger;
  tuning?: {
    /** How long a transaction waits for the hub's answer; default 2000 ms. */
    resultWaitMs?: number | undefined;
    /** How long catalog and quote wait for the hub; default 1500 ms. */
    lookupTimeoutMs?: number | undefined;
    /** How long tapSimulatedCard waits for the look-up; default 3000 ms. */
    tapSettleMs?: number | undefined;
    /** How often the pushed link state is compared while the screen listens; default 1000 ms. */
    linkCheckMs?: number | undefined;
  };
  now?: () => number;
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

  /**
   * Offline (not connected, or the hub said it is offline), a sale paying with stored value or points is checked
   * against HQ's offline limits before it is written, and marked acceptedOffline when taken.
   */
  function admit(request: TxBodyInput): TxBodyInput {
    // Codes and draws are decided at the hub only: never queued for later (codes-and-draws.ts).
    if (HUB_DECIDED_KINDS.has(request.kind)) assertHubThere(link);
    // So is credit (赊账): a sale on credit or a repayment is never queued offline (credit-at-hub.ts).
    assertCreditDecidable(request, link);
    const guard = deps.offlineGuard;
    if (!guard || request.kind !== 'purchase' || link.isConnected()) return request;
    return guard.admit({ cardUid: request.cardUid, payments: request.payments }) ? { ...request, acceptedOffline: true } : request;
  }

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

  const settledListeners = new Set<(settled: SettledTransaction) => void>();
  /** Tells the kiosk's own listeners; none of them can fail the use case that made the transaction. */
  function settled(outcome: TxOutcome): void {
    if (settledListeners.size === 0) return;
    const shown = session.shownMember();
    const memberId = shown && 'cardUid' in outcome.tx && shown.cardUid === outcome.tx.cardUid ? shown.member.memberId : null;
    for (const listener of [...settledListeners]) {
      try {
        listener({ outcome, memberId });
      } catch (error) {
        log.error({ err: error, txId: outcome.tx.id }, 'a transaction listener failed; the transaction is unaffected');
      }
    }
  }

  const submit = createSubmitter({
    factory: deps.factory,
    outbox,
    link,
    ...(tuning.resultWaitMs !== undefined ? { resultWaitMs: tuning.resultWaitMs } : {}),
    appended: () => events.linkMayHaveChanged(),
    admit,
    settled,
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

  /** member → action → receipt, when the transaction is for the member on screen. */
  function memberAction(kind: TxKind, cardUid: string): ScreenPart {
    return {
      begin: () => session.currentCardUid() === cardUid && session.beginAction(kind),
      abort: () => session.abortAction(),
      async complete({ tx, status, result }) {
        const shown = session.shownMember();
        const receipt = buildReceipt({
          tx,
          status,
          result,
          ...(shown ? { memberName: shown.member.name, member: { memberId: shown.member.memberId, tier: shown.member.tier } } : {}),
          // Printed at the transaction's own time (hub-corrected), which is also what its QR code signs.
          context: deps.receiptContext(),
        });
        // Kept for a staff reprint whatever the paper does; the screen shows the receipt first, then whether it
        // printed: now, or not at all (never later, for whoever stands at the kiosk then).
        printing.remember(receipt, tx.kind);
        if (!session.completeAction({ tx, status, result, receipt })) return;
        // The paper never holds up the answer (it may take the print window): its outcome is pushed when known.
        void printing.print(receipt).then((print) => session.showReceiptPrint(tx.id, print));
      },
    };
  }

  /** The registration form on screen → the new member with a welcome, or the form with a notice. */
  function registration(cardUid: string): ScreenPart {
    return {
      begin: () => session.registrationCardUid() === cardUid,
      abort: () => undefined,
      async complete({ tx, status, result }) {
        const applied = status === 'applied' || (status === 'exists' && result?.original === 'applied');
        if (applied) {
          const name = tx.kind === 'register_member' ? tx.name : '';
          await session.showRegistered(cardUid, { name, pointsEarned: result?.outcome?.pointsEarned ?? 0 });
          return;
        }
        session.showRegistrationNotice(cardUid, { txId: tx.id, status: status === 'queued' ? 'queued' : 'rejected', code: result?.code ?? null, message: result?.message ?? null });
      },
    };
  }

  /** The body with its kind, the card on the reader and, for staff kinds, the signed-in staff member. */
  function body(kind: TxKind, request: TxRequest, cardUid: string): TxBodyInput {
    if ('cardUid' in request || 'actor' in request || 'staffCardUid' in request || 'memberPinProof' in request) {
      throw new KioskError('CARD_NOT_ON_READER', 'a request names neither the card nor the staff member: the kiosk uses its reader and its staff session');
    }
    assertTenders(kind, request);
    const staff = deps.staff.current();
    // A member reporting their own card lost acts for themselves, even with a clerk signed in who may not. At an
    // attended counter the clerk signed in serves the sale and is named on it (staff commission); a hub that does
    // not list `purchase` in mayDo would refuse the name, so the sale then goes without it, as self-service.
    const servedBy = kind === 'purchase' && deps.mode() === 'attended' && staff?.mayDo.includes(kind);
    const actor = STAFF_KINDS.has(kind) || servedBy ? deps.staff.actorFor(kind) : kind === 'card_report_loss' && staff?.mayDo.includes(kind) ? deps.staff.actorFor(kind) : undefined;
    const pinProof = kind === 'purchase' ? deps.memberPin.proofFor(cardUid, storedValueOf(request)) : undefined;
    // The fee the screen shows, from this kiosk's rules (card-fees.ts), unless the screen named the one it showed.
    const shown = session.shownMember();
    const fee = 'feeCents' in request ? undefined : feeClaimOf(kind, request, rules.bundle(), shown?.cardUid === cardUid ? shown.member.card.cardType : undefined);
    const newCard = newCardFor(kind, request, cardUid);
    return { ...request, kind, cardUid, ...(actor ? { actor } : {}), ...(pinProof ? { memberPinProof: pinProof } : {}), ...(fee !== undefined ? { feeCents: fee } : {}), ...(newCard ? { newCardUid: newCard } : {}) } as TxBodyInput;
  }

  /**
   * A replacement's or an issue's new card: the one the clerk tapped on this reader for this card (new-card-capture.ts).
   * A till with a reader of its own may still name it in the body; the kiosk screen never does.
   */
  function newCardFor(kind: TxKind, request: TxRequest, cardUid: string): string | null {
    if ((kind !== 'card_replace' && kind !== 'card_issue') || 'newCardUid' in request) return null;
    const held = deps.newCards?.held(cardUid) ?? null;
    if (!held) throw new CodedError('NEW_CARD_NOT_TAPPED', 'tap the new card on the reader first');
    return held;
  }

  function storedValueOf(request: TxRequest): number {
    const payments = Array.isArray(request.payments) ? (request.payments as { method?: unknown; amountCents?: unknown }[]) : [];
    return payments.reduce((sum, p) => sum + (p.method === 'stored_value' && typeof p.amountCents === 'number' ? p.amountCents : 0), 0);
  }

  /** An unattended kiosk takes no cash: nobody is there to take it (the hub refuses it again). */
  function assertTenders(kind: TxKind, request: TxRequest): void {
    if (deps.mode() === 'attended') return;
    const payments = kind === 'purchase' && Array.isArray(request.payments) ? (request.payments as { method?: unknown }[]) : [];
    if (payments.some((p) => p.method === 'cash') || (kind === 'top_up' && request.tender === 'cash')) {
      throw new KioskError('TENDER_NOT_ALLOWED', 'this kiosk is unattended: it does not take cash');
    }
  }

  /**
   * The card the transaction is for: the member's on screen; for staff kinds also a card the hub refused to show
   * because of its state (frozen, lost), which is exactly what staff unfreeze or cancel the loss of.
   */
  function cardOnReader(kind: TxKind): string | null {
    const shown = session.currentCardUid();
    if (shown || !STAFF_KINDS.has(kind)) return shown;
    const state = session.state();
    return state.name === 'error' && (state.code === 'CARD_FROZEN' || state.code === 'CARD_LOST') ? state.cardUid : null;
  }

  function memberTransaction(kind: TxKind, request: TxRequest, options: SubmitOptions | undefined): Promise<TxOutcome> {
    const cardUid = cardOnReader(kind);
    if (!cardUid) return Promise.reject(new KioskError('SESSION_NO_CARD', 'no member card on the reader'));
    try {
      return submit(body(kind, request, cardUid), session.currentCardUid() === cardUid ? memberAction(kind, cardUid) : OFF_SCREEN, options);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  return {
    purchase: (request, options) => memberTransaction('purchase', { ...request, lines: numberLines(request.lines) }, options),
    topUp: (request, options) => memberTransaction('top_up', request, options),
    redeemGift(request, options) {
      const offered = offeredGifts();
      if (offered && typeof request.giftSku === 'string' && !offered.includes(request.giftSku)) {
        return Promise.reject(new CodedError('GIFT_UNKNOWN', 'this kiosk does not offer this gift'));
      }
      return memberTransaction('redeem_gift', request, options);
    },
    refund: (request, options) => memberTransaction('refund', request, options),
    tierUpgrade: (request, options) => memberTransaction('tier_upgrade', request, options),
    punch: (request, options) => memberTransaction('punch_card_use', request, options),
    cardOperation: (kind, request, options) => memberTransaction(kind, request, options),
    creditRepay: (request, options) => memberTransaction('credit_repay', request, options),
    redeemCode(request, options) {
      // The code travels as its SHA-256 only, once it reads as a code; the rest of the body is checked as any other.
      const { code, ...rest } = request;
      try {
        return memberTransaction('code_redeem', { ...rest, codeDigest: codeDigestOf(code) }, options);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
    verifyCode: (code) => codesAndDraws.verifyCode(code),
    openDraws: () => codesAndDraws.openDraws(),
    enterDraw: (request, options) => memberTransaction('draw_enter', request, options),

    registerMember(request, options) {
      const cardUid = session.registrationCardUid();
      if (!cardUid) return Promise.reject(new KioskError('SESSION_NO_CARD', 'no registration form on screen'));
      try {
        const drafted = body('register_member', request, cardUid);
        assertTermsConsent(request);
        return submit(drafted, registration(cardUid), options);
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },

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
    async reportLossByPhone(phone, pin, options) {
      // The one transaction for a card that is not on the reader: authorised by the member's phone and PIN,
      // which the hub checked (with its lockout) and checks again through the proof.
      const { cardUid, proofId } = await deps.memberPin.verifyByPhone(phone, pin);
      return submit({ kind: 'card_report_loss', cardUid, memberPinProof: proofId }, OFF_SCREEN, options);
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

    state() {
      const { deviceId, storeId } = deps.identity();
      const oldest = outbox.oldestPending();
      const snapshotVersion = deps.snapshotVersion?.();
      const drivers = deps.drivers?.();
      const config = deps.config?.();
      return {
        deviceId,
        storeId,
        mode: deps.mode(),
        staff: deps.staff.current(),
        bundleVersion: rules.version(),
        ...(snapshotVersion !== undefined ? { snapshotVersion } : {}),
        connected: link.isConnected(),
        outboxDepth: outbox.depth(),
        epoch: outbox.epoch(),
        oldestPending: oldest ? { id: oldest.id, epoch: oldest.epoch, seq: oldest.seq } : null,
        ...(drivers ? { drivers, hardware: hardwareStateOf(drivers) } : {}),
        alerts: deps.alerts?.() ?? [],
        ...(config ? { config } : {}),
        ...(deps.store ? { store: deps.store() } : {}),
        services: serviceNames(rules.bundle(), config?.items ?? []),
      };
    },

    transaction: (id) => outbox.get(id),
    transactionByKey: (key) => outbox.getByIdempotencyKey(key),

    showMessage,
    onTransactionSettled(listener) {
      settledListeners.add(listener);
      return () => settledListeners.delete(listener);
    },

    events,
    stop: () => {
      link.off('command', onCommand);
      settledListeners.clear();
      events.stop();
      technician.stop();
    },
  };
}
