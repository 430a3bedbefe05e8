/**
 * The card types and fees of the kiosk's rules for the member on screen (GET /api/staff/card-offer), loaded once
 * per staff page. A fee the kiosk cannot tell is null: the page then says the membership system decides it.
 */
import { onMounted, ref, type Ref } from 'vue';
import { kioskApi } from '../../kiosk/api.ts';
import type { CardOffer } from '../../views/staff/staff-contract.ts';
import { refusalOf, type Refusal } from '../../views/member/use-member-action.ts';

export function useCardOffer(): { offer: Ref<CardOffer | null>; refusal: Ref<Refusal | null> } {
  const offer = ref<CardOffer | null>(null);
  const refusal = ref<Refusal | null>(null);
  onMounted(async () => {
    try {
      offer.value = await kioskApi.get<CardOffer>('/api/staff/card-offer');
    } catch (error) {
      refusal.value = refusalOf(error);
    }
  });
  return { offer, refusal };
}

/** The tenders a card fee may be paid with here: from stored value, or at the counter (cash where attended). */
export function feeTenders(attended: boolean): string[] {
  return attended ? ['stored_value', 'bank_card', 'mobile', 'cash'] : ['stored_value', 'bank_card', 'mobile'];
}
