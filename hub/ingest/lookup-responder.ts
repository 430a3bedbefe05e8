/** Answers a device's online look-ups (member by card, balances, what to offer a member) on its response topic. */
import { mayEditFlows } from '../../core/identity/flow-editor-roles.ts';
import { errorMessage } from '../../core/errors/codes.ts';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { ConfigSet } from '../../core/config/config-documents.ts';
import type { StoreProfile } from '../../core/fleet/store-profile.ts';
import type { ErrorCode } from '../../core/errors/codes.ts';
import { lookupRequestSchema, type LookupAnswer } from '../../core/wire/lookup.ts';
import type { Topics } from '../../core/wire/topics.ts';
import type { DeviceRegistry } from '../ledger/device-registry.ts';
import type { LedgerAdmin } from '../ledger/ledger-admin.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import type { RulesStore } from '../ledger/rules-store.ts';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { CLOCK_TOLERANCE_MS } from '../../core/ledger/effective-time.ts';
import { MAX_LOOKUP_REQUEST_BYTES, MAX_LOOKUP_RESPONSE_BYTES } from '../../core/wire/limits.ts';
import { roleMayDo } from '../../core/ledger/staff-rules.ts';
import type { IdentityService } from '../identity/identity-service.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { MemberPinService } from '../identity/member-pin-service.ts';
import { buildCatalog } from './build-catalog.ts';
import { buildQuote } from './build-quote.ts';
import { decodeHistoryCursor, encodeHistoryCursor } from '../../core/wire/history-cursor.ts';
import type { CodeStore } from '../ledger/code-store.ts';
import type { DrawStore } from '../ledger/draw-store.ts';
import { createRateLimiter, KIOSK_CODE_CHECKS, type RateLimiter } from '../codes/rate-limit.ts';
import type { GiftStockStore } from '../ledger/gift-stock-store.ts';

const CARD_REFUSALS: Partial<Record<string, ErrorCode>> = { lost: 'CARD_LOST', frozen: 'CARD_FROZEN', cancelled: 'CARD_CANCELLED', expired: 'CARD_EXPIRED' };

/** The reads (and the clock bookkeeping) look-ups need from the ledger's ports. */
export type LookupStore = Pick<LedgerStore, 'member' | 'card' | 'memberViewByCard' | 'memberViewById' | 'memberHistory' | 'memberPurchase'> &
  RulesStore &
  Pick<LedgerAdmin, 'listGifts'> &
  Pick<DeviceRegistry, 'recordClockMeasurement' | 'raiseDeviceAlert'>;

/**
 * The transaction kinds a kiosk staff session may start, as the screen offers them. `purchase`: the clerk serving
 * at an attended counter is named on the sale (staff commission, docs/ACCOUNTS.md).
 */
const KIOSK_STAFF_KINDS = ['purchase', 'top_up', 'refund', 'card_report_loss', 'card_cancel_loss', 'card_freeze', 'card_unfreeze', 'card_replace', 'card_return', 'credit_repay', 'card_issue', 'card_service'] as const;

/**
 * Told of each answer as it is published (the hub's metrics, hub/metrics/): `op` is the request's, or `unreadable`
 * when none could be read. Called on the look-up path, so it must be quick; what it throws is logged and ignored.
 */
export interface LookupObserver {
  lookupAnswered(op: string, answer: { ok: boolean; code?: string }, ms: number): void;
}

export class LookupResponder {
  private readonly log: Logger;

  constructor(
    private readonly options: {
      client: MqttClient;
      store: LookupStore;
      identity: IdentityService;
      identityStore: Pick<IdentityStore, 'deviceMode' | 'deviceStore' | 'staffCredentialsByCard' | 'staffCredentialsById' | 'sessionById' | 'memberByPhone'>;
      /** Gift stock per store: the catalog offers a kiosk its own store's stock. */
      giftStock?: Pick<GiftStockStore, 'storeStock'>;
      memberPins: MemberPinService;
      topics: Topics;
      logger: Logger;
      /** The kiosk's signed configuration set (hub/config/config-sync.ts); absent: the hub signs none (SIGNING_KEY_MISSING). */
      config?: { currentSet(deviceId: string): Promise<ConfigSet> };
      /** A store's region in the fleet, so a quote prices region-scoped rules as the ledger will. */
      regionOf?: (storeId: string) => string | undefined;
      /** A store's profile in the fleet (name, address, phone, time zone), for device.profile; absent: none sent. */
      storeProfile?: (storeId: string) => Promise<StoreProfile | null>;
      /** Redemption codes (code.verify) and points draws (draws.open); absent: those look-ups are answered NOT_FOUND. */
      codesAndDraws?: { codes: Pick<CodeStore, 'verifyCode'>; draws: Pick<DrawStore, 'listDraws'> };
      /** How many code checks a kiosk may make (default: KIOSK_CODE_CHECKS, 10 a minute). */
      codeChecks?: RateLimiter;
      observer?: LookupObserver;
    },
  ) {
    this.log = options.logger.child({ component: 'hub.lookup' });
    this.codeChecks = options.codeChecks ?? createRateLimiter(KIOSK_CODE_CHECKS);
  }

  private readonly codeChecks: RateLimiter;

  /** code.verify and draws.open: what a kiosk may show about codes and draws, decided here at the hub. */
  private async codesAndDraws(deviceId: string, request: { op: 'code.verify'; codeDigest: string } | { op: 'draws.open' }): Promise<LookupAnswer> {
    const features = this.options.codesAndDraws;
    if (!features) return { ok: false, code: 'NOT_FOUND', message: 'this hub has no redemption codes or draws' };
    if (request.op === 'draws.open') {
      const now = new Date().toISOString();
      const draws = (await features.draws.listDraws('open')).filter((d) => d.closesAt > now);
      return {
        ok: true,
        draws: draws.map((d) => ({
          drawId: d.drawId, name: d.name, costPoints: d.costPoints, closesAt: d.closesAt, seedSha256: d.seedSha256, totalWeight: d.totalWeight,
          prizes: d.prizes.map((p) => ({ prizeId: p.prizeId, name: p.name, round: p.round, kind: p.kind, points: p.points, weight: p.weight, stockLeft: p.stockLeft })),
        })),
      };
    }
    // Counted before the ledger is read: a kiosk over its limit learns nothing, whatever it asks.
    if (!this.codeChecks.take(deviceId)) {
      this.log.warn({ deviceId, code: 'CODE_VERIFY_RATE_LIMITED' satisfies ErrorCode }, 'code checks over the limit');
      return { ok: false, code: 'CODE_VERIFY_RATE_LIMITED', message: 'too many code checks from this kiosk in the last minute' };
    }
    const found = await features.codes.verifyCode(request.codeDigest, new Date().toISOString());
    return {
      ok: true,
      code: {
        status: found.status,
        ...(found.batch ? { sku: found.batch.sku, points: found.batch.points, expiresAt: found.batch.expiresAt } : {}),
        ...(found.usedAt !== undefined ? { usedAt: found.usedAt } : {}),
      },
    };
  }

  /** Answers on the request's own response topic once the ledger has; answers may overtake each other, requests never wait for one another. */
  receive(deviceId: string, requestId: string, payload: Buffer): void {
    const receivedAt = Date.now();
    void this.respond(deviceId, requestId, payload, receivedAt);
  }

  /** Never rejects: a ledger that fails a read answers INTERNAL. */
  private async respond(deviceId: string, requestId: string, payload: Buffer, receivedAt: number): Promise<void> {
    let response: LookupAnswer;
    // Named by answer() once the request is read.
    const asked = { op: 'unreadable' };
    try {
      response = await this.answer(deviceId, payload, receivedAt, asked);
    } catch (error) {
      if (isCodedError(error)) {
        response = { ok: false, code: error.code, message: error.message };
      } else {
        this.log.error({ err: error, deviceId }, 'look-up failed');
        response = { ok: false, code: 'INTERNAL', message: 'the hub could not answer' };
      }
    }
    if (!response.ok) this.log.info({ deviceId, code: response.code }, 'look-up refused');
    let text = JSON.stringify(response);
    if (Buffer.byteLength(text) > MAX_LOOKUP_RESPONSE_BYTES) {
      this.log.warn({ deviceId, code: 'LOOKUP_RESPONSE_TOO_LARGE' satisfies ErrorCode, bytes: Buffer.byteLength(text) }, 'look-up answer too large to send');
      response = { ok: false, code: 'LOOKUP_RESPONSE_TOO_LARGE', message: 'the answer is larger than a message may be' };
      text = JSON.stringify(response);
    }
    this.options.client.publish(this.options.topics.response(deviceId, requestId), text, { qos: 1 });
    this.observe(asked.op, response, receivedAt);
  }

  /** `sent`: the answer as published (a too-large one replaced), so its ok and code are what the kiosk got. */
  private observe(op: string, sent: LookupAnswer, receivedAt: number): void {
    const observer = this.options.observer;
    if (!observer) return;
    try {
      observer.lookupAnswered(op, sent.ok ? { ok: true } : { ok: false, code: sent.code }, Date.now() - receivedAt);
    } catch (error) {
      this.log.error({ err: error }, 'the look-up observer failed; look-ups go on');
    }
  }

  /**
   * The offset this hub sees: its receive time minus the kiosk's send time. It includes the one-way delay
   * (a millisecond on a store LAN), which the kiosk removes with its round trip.
   */
  private async measureClock(deviceId: string, kioskTime: number, receivedAt: number): Promise<LookupAnswer> {
    const offsetMs = receivedAt - kioskTime;
    const at = new Date(receivedAt).toISOString();
    await this.options.store.recordClockMeasurement(deviceId, offsetMs, at);
    if (Math.abs(offsetMs) > CLOCK_TOLERANCE_MS) {
      await this.options.store.raiseDeviceAlert(deviceId, 'CLOCK_SKEW', { offsetMs, kioskTime: new Date(kioskTime).toISOString(), hubTime: at });
    }
    return { ok: true, clock: { hubTime: receivedAt, offsetMs } };
  }

  /** Look-ups name the card on the kiosk's reader: a usable card of a member, or the card's refusal. */
  private async usableCard(cardUid: string): Promise<{ memberId: string } | { refusal: LookupAnswer }> {
    const card = await this.options.store.card(cardUid);
    if (!card) return { refusal: { ok: false, code: 'CARD_UNKNOWN', message: 'no card with this UID' } };
    const refused = CARD_REFUSALS[card.status];
    return refused ? { refusal: { ok: false, code: refused, message: `card is ${card.status}` } } : { memberId: card.memberId };
  }

  /**
   * A page of the history of the card's own member. A card the member look-up refuses (lost, frozen, cancelled,
   * expired, unknown) is refused here the same way: a kiosk shows history only beside the member it shows.
   */
  private async memberHistory(request: { cardUid: string; before?: string | undefined; limit: number }): Promise<LookupAnswer> {
    const card = await this.usableCard(request.cardUid);
    if ('refusal' in card) return card.refusal;
    const before = request.before === undefined ? null : decodeHistoryCursor(request.before);
    if (before === null && request.before !== undefined) return { ok: false, code: 'HISTORY_CURSOR_INVALID', message: 'not a history cursor this hub gave' };
    const page = await this.options.store.memberHistory(card.memberId, before, request.limit);
    return { ok: true, entries: page.entries, next: page.next ? encodeHistoryCursor(page.next) : null };
  }

  /**
   * One purchase of the card's own member, made on any device, with the lines refunded since: a clerk at a kiosk
   * refunds lines of it (退货). Another member's purchase answers as an unknown one does, and a card the member
   * look-up refuses is refused here the same way.
   */
  private async purchaseLines(request: { cardUid: string; purchaseTxId: string }): Promise<LookupAnswer> {
    const card = await this.usableCard(request.cardUid);
    if ('refusal' in card) return card.refusal;
    const purchase = await this.options.store.memberPurchase(card.memberId, request.purchaseTxId);
    return purchase ? { ok: true, purchaseLines: purchase } : { ok: false, code: 'REFUND_UNKNOWN_PURCHASE', message: 'no purchase of this member with that id' };
  }

  private async memberPin(
    deviceId: string,
    request: { op: 'member.setPin'; cardUid: string; pin: string; staffSessionId?: string | undefined } | { op: 'member.verifyPin'; cardUid: string; pin: string },
  ): Promise<LookupAnswer> {
    const card = await this.usableCard(request.cardUid);
    if ('refusal' in card) return card.refusal;
    if (request.op === 'member.verifyPin') {
      const proof = await this.options.memberPins.verifyPin(deviceId, card.memberId, request.pin);
      return { ok: true, pinProof: { proofId: proof.proofId, expiresAt: proof.expiresAt } };
    }
    let byStaff: { staffId: string } | null = null;
    if (request.staffSessionId !== undefined) {
      // A clerk resets a member's PIN only inside their own open staff session on this kiosk.
      const session = await this.options.identityStore.sessionById(request.staffSessionId);
      const staff = session ? await this.options.identityStore.staffCredentialsById(session.staffId) : null;
      const open = session && session.kind === 'kiosk' && session.deviceId === deviceId && session.endedAt === null && Date.parse(session.expiresAt) > Date.now();
      if (!open || !staff?.active || !roleMayDo(staff.role, 'member_pin_reset')) return { ok: false, code: 'STAFF_SESSION_INVALID', message: 'no open staff session on this kiosk' };
      byStaff = { staffId: staff.staffId };
    }
    await this.options.memberPins.setPin(deviceId, card.memberId, request.pin, byStaff);
    return { ok: true, pinSet: true };
  }

  private async signIn(deviceId: string, cardUid: string, pin: string): Promise<LookupAnswer> {
    try {
      const { staff, session } = await this.options.identity.signInWithCard(deviceId, cardUid, pin);
      const mayDo = KIOSK_STAFF_KINDS.filter((kind) => roleMayDo(staff.role, kind));
      return { ok: true, staffSession: { sessionId: session.sessionId, staffId: staff.staffId, name: staff.name, role: staff.role, storeIds: staff.storeIds, expiresAt: session.expiresAt, mayDo } };
    } catch (error) {
      if (!isCodedError(error)) throw error;
      return { ok: false, code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) };
    }
  }

  /**
   * A login typed into a kiosk's Node-RED editor: checked like a console login (lockout, audit), then whether the
   * account may edit this kiosk's flows. The session the check opened is closed at once: the editor keeps its own.
   */
  private async editorLogin(deviceId: string, login: string, password: string): Promise<LookupAnswer> {
    try {
      const { staff, token } = await this.options.identity.login(login, password, `kiosk:${deviceId}:node-red`);
      await this.options.identity.logout(token);
      if (!mayEditFlows(staff, await this.options.identityStore.deviceStore(deviceId))) {
        return { ok: false, code: 'FLOW_EDITOR_REFUSED', message: errorMessage('FLOW_EDITOR_REFUSED') };
      }
      return { ok: true, editor: { staffId: staff.staffId, name: staff.name, role: staff.role, storeIds: staff.storeIds } };
    } catch (error) {
      if (!isCodedError(error)) throw error;
      return { ok: false, code: error.code, message: error.message };
    }
  }

  private async answer(deviceId: string, payload: Buffer, receivedAt: number, asked: { op: string }): Promise<LookupAnswer> {
    if (payload.byteLength > MAX_LOOKUP_REQUEST_BYTES) return { ok: false, code: 'REQUEST_MALFORMED', message: 'request too large' };
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return { ok: false, code: 'REQUEST_MALFORMED', message: 'request is not JSON' };
    }
    const request = lookupRequestSchema.safeParse(json);
    if (!request.success) return { ok: false, code: 'REQUEST_MALFORMED', message: request.error.issues[0]?.message ?? 'invalid request' };
    asked.op = request.data.op;
    const { store } = this.options;
    if (request.data.op === 'clock.sync') return this.measureClock(deviceId, request.data.kioskTime, receivedAt);
    if (request.data.op === 'config.current') {
      if (!this.options.config) return { ok: false, code: 'SIGNING_KEY_MISSING', message: 'this hub signs no configuration' };
      return { ok: true, configSet: await this.options.config.currentSet(deviceId) };
    }
    if (request.data.op === 'rules.latest') {
      const bundle = await store.latestRulesBundle();
      return bundle ? { ok: true, rules: bundle } : { ok: false, code: 'RULES_INVALID', message: 'the hub holds no rules bundle' };
    }
    if (request.data.op === 'staff.signIn') return this.signIn(deviceId, request.data.cardUid, request.data.pin);
    if (request.data.op === 'staff.signOut') {
      await this.options.identity.signOutKiosk(deviceId, request.data.sessionId);
      return { ok: true, signedOut: true };
    }
    if (request.data.op === 'member.setPin' || request.data.op === 'member.verifyPin') return this.memberPin(deviceId, request.data);
    if (request.data.op === 'member.verifyPhonePin') {
      const found = await this.options.identityStore.memberByPhone(request.data.phone);
      // The same answer for an unknown phone as for a wrong PIN: a kiosk is no oracle of who is a member.
      if (!found) return { ok: false, code: 'MEMBER_PIN_WRONG', message: 'phone or PIN not accepted' };
      const proof = await this.options.memberPins.verifyPin(deviceId, found.memberId, request.data.pin);
      if (!found.activeCardUid) return { ok: false, code: 'CARD_BAD_STATE', message: 'the member has no active card to report' };
      return { ok: true, pinProof: { proofId: proof.proofId, expiresAt: proof.expiresAt }, cardUid: found.activeCardUid };
    }
    if (request.data.op === 'code.verify' || request.data.op === 'draws.open') return this.codesAndDraws(deviceId, request.data);
    if (request.data.op === 'member.history') return this.memberHistory(request.data);
    if (request.data.op === 'purchase.lines') return this.purchaseLines(request.data);
    if (request.data.op === 'staff.editorLogin') return this.editorLogin(deviceId, request.data.login, request.data.password);
    if (request.data.op === 'device.profile') {
      // With its store's profile (fleet), which the kiosk prints on receipts and keeps for when the hub is away.
      const storeId = await this.options.identityStore.deviceStore(deviceId);
      const store = storeId ? await this.options.storeProfile?.(storeId) : null;
      return { ok: true, profile: { mode: await this.options.identityStore.deviceMode(deviceId), ...(store ? { store } : {}) } };
    }
    if (request.data.op === 'quote' || request.data.op === 'catalog') {
      const card = await this.usableCard(request.data.cardUid);
      if ('refusal' in card) return card.refusal;
      if (request.data.op === 'catalog') {
        const kioskStore = this.options.giftStock ? await this.options.identityStore.deviceStore(deviceId) : null;
        const storeStock = kioskStore && this.options.giftStock ? await this.options.giftStock.storeStock([kioskStore]) : [];
        const catalog = await buildCatalog(store, card.memberId, storeStock);
        return catalog ? { ok: true, catalog } : { ok: false, code: 'MEMBER_UNKNOWN', message: 'no such member' };
      }
      try {
        const quote = await buildQuote(store, card.memberId, request.data.lines, request.data.storeId, request.data.bundleVersion, this.options.regionOf?.(request.data.storeId));
        return quote ? { ok: true, quote } : { ok: false, code: 'MEMBER_UNKNOWN', message: 'no such member' };
      } catch (error) {
        return isCodedError(error) ? { ok: false, code: error.code, message: error.message } : { ok: false, code: 'INTERNAL', message: 'could not price the basket' };
      }
    }
    // With the points expiry and tier progress of the rules the hub applies to this kiosk's transactions.
    const member = await store.memberViewByCard(request.data.cardUid, undefined, deviceId);
    // A staff card is nobody's membership card: the kiosk asks for the PIN instead.
    if (!member && (await this.options.identityStore.staffCredentialsByCard(request.data.cardUid))?.active) {
      return { ok: false, code: 'CARD_IS_STAFF', message: 'a staff card: enter the PIN to sign in' };
    }
    if (!member) return { ok: false, code: 'CARD_UNKNOWN', message: 'no card with this UID' };
    // A kiosk tap on a card that cannot be used gets the reason, not the member: the screen must say "this card
    // is reported lost", not show a balance nobody may spend with it.
    const refusal = CARD_REFUSALS[member.card.status];
    if (refusal) return { ok: false, code: refusal, message: `card is ${member.card.status}` };
    return { ok: true, member };
  }
}
