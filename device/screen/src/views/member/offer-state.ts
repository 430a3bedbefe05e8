/**
 * Why a page that needs the hub (gifts, upgrades, codes, draws) cannot offer anything right now, in one place: the
 * member is shown offline (the kiosk's cache), or the catalogue did not come. Null: the page may offer.
 */
import { computed, type ComputedRef } from 'vue';
import { catalog } from '../../kiosk/catalog.ts';
import type { MemberSession } from '../../kiosk/contract.ts';
import { kiosk } from '../../kiosk/stream.ts';

export type OfferBlock = { reason: 'offline' } | { reason: 'loading' } | { reason: 'unavailable'; code: string };

/** Whether the kiosk can reach the hub for this member now. */
export function hubThere(session: MemberSession): boolean {
  return !session.offline && kiosk.link?.connected === true;
}

/** What stands between the page and the catalogue (null: it is there). */
export function useCatalogBlock(session: () => MemberSession): ComputedRef<OfferBlock | null> {
  return computed(() => {
    if (!hubThere(session())) return { reason: 'offline' };
    if (catalog.status === 'ok' && catalog.catalog) return null;
    if (catalog.status === 'unavailable') return { reason: 'unavailable', code: catalog.code ?? 'HUB_UNREACHABLE' };
    return { reason: 'loading' };
  });
}
