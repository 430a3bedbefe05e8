/**
 * What a clerk may issue or charge for a card, for the member on screen (GET /api/staff/card-offer): the card
 * types of the kiosk's rules (办卡: label, class, the fee a new card of the type costs) and the fee of a
 * replacement (补卡) for the card on the reader. From this kiosk's rules bundle (the catalogue HQ defines:
 * bundle `cardTypes`), through the same fee arithmetic the kiosk names on the transaction (card-fees.ts), so what
 * the screen shows is what the hub then checks (FEE_MISMATCH otherwise) — never a guess: a fee the kiosk cannot
 * tell is null, and the screen says the hub decides it.
 */
import { cardTypeOf, scheduledFee } from '../../core/ledger/card-types.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';
import type { KioskSession } from '../session/kiosk-session.ts';
import { feeClaimOf } from './card-fees.ts';
import { KioskError } from './kiosk-errors.ts';

export interface OfferedCardType {
  typeId: string;
  /** As HQ wrote it (zh-CN). */
  label: string;
  /** personal, or an attached class (supplementary, linked, group) that shares the member's accounts. */
  class: string;
  /** The tier the type lifts the member to, if any. */
  tier: string | null;
  /** Issue fee plus the first annual fee: what card_issue charges (card-fees.ts). */
  feeCents: number;
  validityMonths: number | null;
}

export interface CardOffer {
  /** The rules version the fees come from; 0: the kiosk holds no rules (every fee is then the hub's to decide). */
  bundleVersion: number;
  cardTypes: OfferedCardType[];
  /** The card on the reader's type (null: the rules' default, or no card types at all). */
  currentType: { typeId: string; label: string } | null;
  /** The replacement fee for the card on the reader; null where the kiosk cannot tell. */
  replaceFeeCents: number | null;
}

export function createCardOffer(deps: { session: Pick<KioskSession, 'shownMember'>; rules: { bundle(): RulesBundle | null } }): () => CardOffer {
  return () => {
    const shown = deps.session.shownMember();
    if (!shown) throw new KioskError('SESSION_NO_CARD', 'no member on screen');
    const bundle = deps.rules.bundle();
    if (!bundle) return { bundleVersion: 0, cardTypes: [], currentType: null, replaceFeeCents: null };
    const cardType = shown.member.card.cardType;
    const current = cardTypeOf(bundle, cardType);
    const cardTypes = (bundle.cardTypes?.types ?? []).map((type) => ({
      typeId: type.typeId,
      label: type.label,
      class: type.class,
      tier: type.tier ?? null,
      feeCents: scheduledFee(type, 'issue') + scheduledFee(type, 'annual'),
      validityMonths: type.validityMonths ?? null,
    }));
    return {
      bundleVersion: bundle.version,
      cardTypes,
      currentType: current ? { typeId: current.typeId, label: current.label } : null,
      replaceFeeCents: feeClaimOf('card_replace', {}, bundle, cardType) ?? null,
    };
  };
}
