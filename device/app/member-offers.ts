/**
 * What the screen may offer the member on it, asked of the hub once per member or basket shown:
 *
 * - catalog: gifts in stock, paid upgrades from the member's tier, points-payment terms. A catalogue the hub
 *   cannot give must never delay or hide the member's balance, so offline the answer says so and the screen
 *   hides what needs the hub. When the catalogue comes from newer rules than the kiosk holds, the kiosk takes
 *   them first, so the transaction the member makes from the offer names rules the hub accepts it under. Only
 *   the gifts the kiosk's configuration offers are shown (all of them when it names none).
 * - quote: the basket priced for the member by the rules (member prices, discounts, the points it earns). The
 *   screen charges the quoted total, since the hub refuses payments that do not add up to its own total.
 *   Without the hub, the kiosk's own copy of the rules prices it: the same engine and the same bundle version
 *   the transaction will name, so the hub applies the total charged here.
 *
 * Both are for the member on screen, read from the session once per call (never an id from one moment and a
 * tier from another).
 */
import type { ErrorCode } from '../../core/errors/codes.ts';
import { quoteBasket } from '../../core/rules/quote-basket.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { PurchaseLineInput } from '../../core/rules/types.ts';
import type { Catalog, MemberView, Quote } from '../../core/wire/lookup.ts';
import type { HubLink } from '../link/hub-link.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import { KioskError } from './kiosk-errors.ts';

/**
 * Why there is no offer: the kiosk's own code (HUB_UNREACHABLE, LOOKUP_RESPONSE_MALFORMED: made by
 * `unavailable`), or the hub's refusal code as it came (a newer hub may send one this kiosk does not know).
 */
export interface Unavailable {
  available: false;
  code: string;
  message: string;
}

function unavailable(code: ErrorCode, message: string): Unavailable {
  return { available: false, code, message };
}

export type CatalogAnswer = { available: true; catalog: Catalog } | Unavailable;
export type QuoteAnswer = { available: true; source: 'hub' | 'kiosk'; quote: Quote } | Unavailable;

/** A basket line as the screen sends it: lineNo may be left out (numbered in order). */
export type BasketLine = Omit<PurchaseLineInput, 'lineNo'> & { lineNo?: number };

export interface MemberOffersDeps {
  session: Pick<KioskSession, 'shownMember'>;
  link: Pick<HubLink, 'isConnected' | 'lookup'>;
  rules: { bundle(): RulesBundle | null; version(): number };
  /** Takes the hub's latest rules now. */
  refreshRules: () => Promise<void>;
  storeId: () => string;
  /** The store's region as the kiosk's configuration snapshot names it: region-scoped rules apply when pricing here. */
  regionId?: () => string | null;
  /** The gifts this kiosk offers (its configuration's); null or absent: every gift of the catalogue. */
  gifts?: () => readonly string[] | null;
  /** How long the hub is waited for; default 1500 ms. */
  lookupTimeoutMs?: number;
  now?: () => number;
}

export interface MemberOffers {
  catalog(): Promise<CatalogAnswer>;
  quote(lines: readonly BasketLine[]): Promise<QuoteAnswer>;
}

const HUB_UNREACHABLE = unavailable('HUB_UNREACHABLE', 'the hub cannot be reached');
const MALFORMED = unavailable('LOOKUP_RESPONSE_MALFORMED', 'the hub answered something else');

/**
 * The member as the rules engine needs them, from the view on screen. The view carries no lifetime figures
 * (cumulative spend, points earned), so they count as zero: they steer only cumulative spend bands and the
 * automatic tier thresholds, i.e. the points a kiosk-priced quote estimates, never its total.
 */
export function quoteMemberContext(member: MemberView): { memberId: string; tier: string; cumulativeSpendCents: number; cumulativePointsEarned: number } {
  return { memberId: member.memberId, tier: member.tier, cumulativeSpendCents: 0, cumulativePointsEarned: 0 };
}

/** Lines may leave out lineNo: they are numbered in the order given. */
export function numberLines<T extends { lineNo?: number | undefined }>(lines: readonly T[]): (T & { lineNo: number })[] {
  return lines.map((line, index) => ({ ...line, lineNo: line.lineNo ?? index + 1 }));
}

export function createMemberOffers(deps: MemberOffersDeps): MemberOffers {
  const timeoutMs = deps.lookupTimeoutMs ?? 1500;
  const now = deps.now ?? Date.now;

  /** The member on screen and their card: look-ups name the card on the reader, never a member id. */
  function memberOnScreen(): MemberView & { cardUid: string } {
    const shown = deps.session.shownMember();
    if (!shown) throw new KioskError('SESSION_NO_CARD', 'no member on screen');
    return { ...shown.member, cardUid: shown.cardUid };
  }

  return {
    async catalog() {
      const member = memberOnScreen();
      if (!deps.link.isConnected()) return HUB_UNREACHABLE;
      const response = await deps.link.lookup({ op: 'catalog', cardUid: member.cardUid }, timeoutMs);
      if (!response) return HUB_UNREACHABLE;
      if (!response.ok) return { available: false, code: response.code, message: response.message };
      if (!('catalog' in response)) return MALFORMED;
      if (response.catalog.bundleVersion > deps.rules.version()) await deps.refreshRules();
      const offered = deps.gifts?.() ?? null;
      const catalog = offered ? { ...response.catalog, gifts: response.catalog.gifts.filter((g) => offered.includes(g.sku)) } : response.catalog;
      return { available: true, catalog };
    },

    async quote(basket) {
      const member = memberOnScreen();
      const lines = numberLines(basket);
      const priceHere = (): QuoteAnswer => {
        const bundle = deps.rules.bundle();
        if (!bundle) return unavailable('HUB_UNREACHABLE', 'the hub cannot be reached and the kiosk holds no rules yet');
        const regionId = deps.regionId?.() ?? undefined;
        const quote = quoteBasket(bundle, { at: new Date(now()).toISOString(), storeId: deps.storeId(), regionId, member: quoteMemberContext(member) }, lines);
        return { available: true, source: 'kiosk', quote };
      };
      if (!deps.link.isConnected()) return priceHere();
      const response = await deps.link.lookup({ op: 'quote', cardUid: member.cardUid, storeId: deps.storeId(), bundleVersion: deps.rules.version(), lines }, timeoutMs);
      if (!response) return priceHere();
      if (!response.ok) return { available: false, code: response.code, message: response.message };
      if (!('quote' in response)) return MALFORMED;
      return { available: true, source: 'hub', quote: response.quote };
    },
  };
}
