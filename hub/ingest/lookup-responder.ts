/** Answers a device's online look-ups (member by card, balances, what to offer a member) on its response topic. */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { lookupRequestSchema, type LookupResponse } from '../../core/wire/lookup.ts';
import type { Topics } from '../../core/wire/topics.ts';
import type { LedgerStore } from '../ledger/ledger-store.ts';
import { isCodedError } from '../../core/errors/coded-error.ts';
import { CLOCK_TOLERANCE_MS } from '../../core/ledger/effective-time.ts';
import { MAX_LOOKUP_REQUEST_BYTES, MAX_LOOKUP_RESPONSE_BYTES } from '../../core/wire/limits.ts';
import { buildCatalog } from './build-catalog.ts';
import { buildQuote } from './build-quote.ts';

const CARD_REFUSALS: Record<string, string> = { lost: 'CARD_LOST', frozen: 'CARD_FROZEN', cancelled: 'CARD_CANCELLED', expired: 'CARD_EXPIRED' };

export class LookupResponder {
  private readonly log: Logger;

  constructor(private readonly options: { client: MqttClient; store: LedgerStore; topics: Topics; logger: Logger }) {
    this.log = options.logger.child({ component: 'hub.lookup' });
  }

  receive(deviceId: string, requestId: string, payload: Buffer): void {
    const receivedAt = Date.now();
    const response = this.answer(deviceId, payload, receivedAt);
    if (!response.ok) this.log.info({ deviceId, code: response.code }, 'look-up refused');
    let text = JSON.stringify(response);
    if (Buffer.byteLength(text) > MAX_LOOKUP_RESPONSE_BYTES) {
      this.log.warn({ deviceId, code: 'LOOKUP_RESPONSE_TOO_LARGE', bytes: Buffer.byteLength(text) }, 'look-up answer too large to send');
      text = JSON.stringify({ ok: false, code: 'LOOKUP_RESPONSE_TOO_LARGE', message: 'the answer is larger than a message may be' } satisfies LookupResponse);
    }
    this.options.client.publish(this.options.topics.response(deviceId, requestId), text, { qos: 1 });
  }

  /**
   * The offset this hub sees: its receive time minus the kiosk's send time. It includes the one-way delay
   * (a millisecond on a store LAN), which the kiosk removes with its round trip.
   */
  private measureClock(deviceId: string, kioskTime: number, receivedAt: number): LookupResponse {
    const offsetMs = receivedAt - kioskTime;
    const at = new Date(receivedAt).toISOString();
    this.options.store.recordClockMeasurement(deviceId, offsetMs, at);
    if (Math.abs(offsetMs) > CLOCK_TOLERANCE_MS) {
      this.options.store.raiseDeviceAlert(deviceId, 'CLOCK_SKEW', { offsetMs, kioskTime: new Date(kioskTime).toISOString(), hubTime: at });
    }
    return { ok: true, clock: { hubTime: receivedAt, offsetMs } };
  }

  private answer(deviceId: string, payload: Buffer, receivedAt: number): LookupResponse {
    if (payload.byteLength > MAX_LOOKUP_REQUEST_BYTES) return { ok: false, code: 'REQUEST_MALFORMED', message: 'request too large' };
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return { ok: false, code: 'REQUEST_MALFORMED', message: 'request is not JSON' };
    }
    const request = lookupRequestSchema.safeParse(json);
    if (!request.success) return { ok: false, code: 'REQUEST_MALFORMED', message: request.error.issues[0]?.message ?? 'invalid request' };
    const { store } = this.options;
    if (request.data.op === 'clock.sync') return this.measureClock(deviceId, request.data.kioskTime, receivedAt);
    if (request.data.op === 'rules.latest') {
      const bundle = store.latestRulesBundle();
      return bundle ? { ok: true, rules: bundle } : { ok: false, code: 'RULES_INVALID', message: 'the hub holds no rules bundle' };
    }
    if (request.data.op === 'quote') {
      try {
        const quote = buildQuote(store, request.data.memberId, request.data.lines, request.data.storeId, request.data.bundleVersion);
        return quote ? { ok: true, quote } : { ok: false, code: 'MEMBER_UNKNOWN', message: 'no such member' };
      } catch (error) {
        return isCodedError(error) ? { ok: false, code: error.code, message: error.message } : { ok: false, code: 'INTERNAL', message: 'could not price the basket' };
      }
    }
    if (request.data.op === 'catalog') {
      const catalog = buildCatalog(store, request.data.memberId);
      return catalog ? { ok: true, catalog } : { ok: false, code: 'MEMBER_UNKNOWN', message: 'no such member' };
    }
    const member = request.data.op === 'member.byCard' ? store.memberViewByCard(request.data.cardUid) : store.memberViewById(request.data.memberId);
    if (!member) {
      return request.data.op === 'member.byCard'
        ? { ok: false, code: 'CARD_UNKNOWN', message: 'no card with this UID' }
        : { ok: false, code: 'MEMBER_UNKNOWN', message: 'no such member' };
    }
    // A kiosk tap on a card that cannot be used gets the reason, not the member: the screen must say "this card
    // is reported lost", not show a balance nobody may spend with it. By member id (balances) it still answers.
    const refusal = request.data.op === 'member.byCard' ? CARD_REFUSALS[member.card.status] : undefined;
    if (refusal) return { ok: false, code: refusal, message: `card is ${member.card.status}` };
    return { ok: true, member };
  }
}
