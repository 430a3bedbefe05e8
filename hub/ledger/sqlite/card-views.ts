/**
 * A member's cards as the member view shows them (docs/ACCOUNTS.md "Card types"): type, the type's label from the
 * hub's newest rules, an attached card's holder, validity end. The rules are parsed once per version, not per
 * look-up: a kiosk tap must stay cheap.
 */
import type { Database } from 'better-sqlite3';
import { cardTypeOf } from '../../../core/ledger/card-types.ts';
import type { CardState } from '../../../core/ledger/types.ts';
import type { RulesBundle } from '../../../core/rules/bundle.ts';
import type { MemberView } from '../../../core/wire/lookup.ts';
import type { RowReaders } from './row-readers.ts';

/** Per database (a process may hold several ledgers), the newest rules as last parsed: re-read when a bundle is saved. */
const cached = new WeakMap<Database, { key: string; bundle: RulesBundle }>();

function newestRules(db: Database): RulesBundle | null {
  const newest = db.prepare<[], { version: number; saved_at: string }>('SELECT version, saved_at FROM rules_bundles ORDER BY version DESC LIMIT 1').get();
  if (!newest) return null;
  const key = `${newest.version}@${newest.saved_at}`;
  const hit = cached.get(db);
  if (hit?.key === key) return hit.bundle;
  const row = db.prepare<[number], { bundle: string }>('SELECT bundle FROM rules_bundles WHERE version = ?').get(newest.version);
  if (!row) return null;
  const bundle = JSON.parse(row.bundle) as RulesBundle;
  cached.set(db, { key, bundle });
  return bundle;
}

type CardView = MemberView['card'];

export function cardViewOf(bundle: RulesBundle | null, card: CardState): CardView {
  const type = bundle?.cardTypes ? cardTypeOf(bundle, card.cardType) : null;
  return { uid: card.uid, status: card.status, validUntil: card.validUntil, cardType: card.cardType ?? null, cardTypeLabel: type?.label ?? null, holderName: card.holderName ?? null };
}

/** The looked-up card and every card of its member, with types. */
export function cardViewsOf(db: Database, readers: Pick<RowReaders, 'cardsOfMember'>, card: CardState): { card: CardView; cards: CardView[] } {
  const bundle = newestRules(db);
  return { card: cardViewOf(bundle, card), cards: readers.cardsOfMember(card.memberId).map((c) => cardViewOf(bundle, c)) };
}
