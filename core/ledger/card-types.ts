/**
 * A card's type as the rules define it (bundle `cardTypes`, docs/ACCOUNTS.md): which type a card is, what each
 * fee of its schedule costs, and validity ends counted in the bundle's time zone.
 */
import { CodedError } from '../errors/coded-error.ts';
import type { CardType } from '../rules/bundle-accounts.ts';
import type { RulesBundle } from '../rules/bundle.ts';
import { clockFor } from '../rules/local-time.ts';
import type { CardState, FeeKind } from './types.ts';

const DEFAULT_TIMEZONE = 'Asia/Shanghai';

/** The type a card of `typeId` is (null: the bundle's default); null when the bundle defines no card types. */
export function cardTypeOf(bundle: RulesBundle, typeId: string | null | undefined): CardType | null {
  const types = bundle.cardTypes;
  if (!types) return null;
  const wanted = typeId ?? types.default ?? types.types[0]?.typeId;
  return types.types.find((t) => t.typeId === wanted) ?? null;
}

/** The type a card is of; a card naming a type the rules no longer define is refused, never charged a guess. */
export function cardTypeOfCard(bundle: RulesBundle, card: Pick<CardState, 'cardType'>): CardType | null {
  const type = cardTypeOf(bundle, card.cardType);
  if (type === null && bundle.cardTypes && card.cardType) throw new CodedError('CARD_TYPE_UNKNOWN', `the rules define no card type ${card.cardType}`);
  return type;
}

/** The type a new card is to be issued as: it must be defined. */
export function requireCardType(bundle: RulesBundle, typeId: string): CardType {
  const type = bundle.cardTypes?.types.find((t) => t.typeId === typeId);
  if (!type) throw new CodedError('CARD_TYPE_UNKNOWN', `the rules define no card type ${typeId}`);
  return type;
}

/** A fee of the type's schedule: 0 when the type or the fee is not set. */
export function scheduledFee(type: CardType | null, kind: FeeKind): number {
  return type?.fees?.[kind] ?? 0;
}

/** Attached classes share a primary member's accounts under limits of their own. */
export function isAttachedClass(type: CardType | null): boolean {
  return type !== null && type.class !== 'personal';
}

/**
 * The end of the local day `months` months after `from` (an ISO instant), as an ISO instant: a card issued on
 * 31 January for one month is valid to the end of 28/29 February (the month's last day, not 3 March).
 */
export function monthsLater(bundle: RulesBundle, from: string, months: number): string {
  const clock = clockFor(bundle.timezone ?? DEFAULT_TIMEZONE);
  const local = clock.at(from);
  const targetMonthIndex = local.month - 1 + months;
  const year = local.year + Math.floor(targetMonthIndex / 12);
  const month = (targetMonthIndex % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const day = Math.min(local.day, lastDay);
  return new Date(clock.instantOfLocal(year, month, day + 1) - 1).toISOString();
}

/** The local year of an instant in the bundle's zone (1 January 00:30 in Shanghai is the new year, UTC the old). */
export function localYearOf(bundle: RulesBundle, at: string): number {
  return clockFor(bundle.timezone ?? DEFAULT_TIMEZONE).at(at).year;
}

/** The local month (1–12) of an instant in the bundle's zone: a card's annual fee falls in its issue month. */
export function localMonthOf(bundle: RulesBundle, at: string): number {
  return clockFor(bundle.timezone ?? DEFAULT_TIMEZONE).at(at).month;
}

/** The local day (e.g. 20261224) of an instant in the bundle's zone: an attached card's per-day limit counts in it. */
export function localDayOf(bundle: RulesBundle, at: string): number {
  return clockFor(bundle.timezone ?? DEFAULT_TIMEZONE).at(at).yyyymmdd;
}

/**
 * What a card registered at a kiosk is: the rules' default type, named (so a later change of the default does not
 * change what the card is), valid `validityMonths` from registration where the type sets one. Nothing without card types.
 */
export function registeredCardType(bundle: RulesBundle, at: string): { cardType?: string; validUntil?: string } {
  const type = cardTypeOf(bundle, null);
  if (!type) return {};
  return { cardType: type.typeId, ...(type.validityMonths === undefined ? {} : { validUntil: monthsLater(bundle, at, type.validityMonths) }) };
}
