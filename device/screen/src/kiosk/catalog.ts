/**
 * The hub's offer for the member on screen (GET /api/catalog): gifts in stock, paid upgrades, points-payment
 * terms. Fetched once per member shown (a new tap or a new look-up fetches again) and shared by the pages that
 * need it. Offline the kiosk says why it has none, and the pages say so in words; buying still works.
 */
import { reactive, watch } from 'vue';
import { kioskApi, ScreenError } from './api.ts';
import type { CatalogAnswer } from './contract.ts';
import { kiosk } from './stream.ts';

type Catalog = Extract<CatalogAnswer, { available: true }>['catalog'];

export interface CatalogState {
  status: 'none' | 'loading' | 'ok' | 'unavailable';
  catalog: Catalog | null;
  code: string | null;
}

export const catalog: CatalogState = reactive({ status: 'none', catalog: null, code: null });

let shownKey = '';

function keyOfShownMember(): string {
  const session = kiosk.session;
  return session && 'member' in session ? `${session.member.memberId}|${session.asOf}` : '';
}

async function load(key: string): Promise<void> {
  Object.assign(catalog, { status: 'loading', catalog: null, code: null });
  try {
    const answer = await kioskApi.get<CatalogAnswer>('/api/catalog');
    if (shownKey !== key) return;
    if (answer.available) Object.assign(catalog, { status: 'ok', catalog: answer.catalog, code: null });
    else Object.assign(catalog, { status: 'unavailable', catalog: null, code: answer.code });
  } catch (error) {
    if (shownKey === key) Object.assign(catalog, { status: 'unavailable', catalog: null, code: error instanceof ScreenError ? error.code : 'KIOSK_UNREACHABLE' });
  }
}

/** Keeps `catalog` for whoever is on screen. */
export function followCatalog(): void {
  watch(
    () => keyOfShownMember(),
    (key) => {
      if (key === shownKey) return;
      shownKey = key;
      if (key === '') Object.assign(catalog, { status: 'none', catalog: null, code: null });
      else void load(key);
    },
    { immediate: true },
  );
}
