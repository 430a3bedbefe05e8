/**
 * Transactions for the card-type and fee planner tests: card_issue, card_service and HQ's annual_fee, by the
 * default staff member on kiosk-1 (test-support/builders.ts) unless told otherwise.
 */
import type { FeeTender, HqOnlyTransactionOf, TransactionOf } from '../../wire/transaction.ts';
import { AT, CARD_UID, MEMBER_ID, STAFF_ID, STAFF_SESSION_ID, STORE, ulid } from './builders.ts';

let seq = 50_000;
function header<K extends string>(kind: K, at: string | undefined) {
  seq += 1;
  return { id: ulid(seq), deviceId: 'kiosk-1', seq, epoch: '', kind, createdAt: at ?? AT, storeId: STORE, bundleVersion: 1, cardUid: CARD_UID };
}
const actor = { staffId: STAFF_ID, sessionId: STAFF_SESSION_ID };

export function cardIssueTx(
  cardTypeId: string,
  o: { newCardUid?: string; holderName?: string; feeTender?: FeeTender; feeCents?: number; at?: string } = {},
): TransactionOf<'card_issue'> {
  return {
    ...header('card_issue', o.at),
    newCardUid: o.newCardUid ?? 'C0FFEE02',
    cardTypeId,
    feeTender: o.feeTender ?? 'stored_value',
    ...(o.holderName === undefined ? {} : { holderName: o.holderName }),
    ...(o.feeCents === undefined ? {} : { feeCents: o.feeCents }),
    actor,
  };
}

export function cardServiceTx(service: 'repair' | 'extend', o: { feeTender?: FeeTender; feeCents?: number; at?: string } = {}): TransactionOf<'card_service'> {
  return { ...header('card_service', o.at), service, feeTender: o.feeTender ?? 'stored_value', ...(o.feeCents === undefined ? {} : { feeCents: o.feeCents }), actor };
}

export function annualFeeTx(year: number, o: { cardUid?: string; at?: string } = {}): HqOnlyTransactionOf<'annual_fee'> {
  seq += 1;
  return {
    v: 2,
    id: ulid(seq),
    deviceId: 'hq',
    epoch: '',
    seq,
    kind: 'annual_fee' as const,
    createdAt: o.at ?? AT,
    storeId: 'hq',
    bundleVersion: 1,
    memberId: MEMBER_ID,
    cardUid: o.cardUid ?? CARD_UID,
    year,
  };
}
