/**
 * The consent step's purposes as the registration sends them (core/wire/transaction.ts `consents`): the membership
 * terms, which a registration needs (the kiosk refuses one without them: CONSENT_REQUIRED), and marketing messages,
 * a separate choice that may be declined. China's PIPL asks for consent per purpose, freely given: so the second
 * box starts unticked and registering never depends on it.
 */
export interface ConsentChoice {
  terms: boolean;
  marketing: boolean;
}

export function consentsOf(choice: ConsentChoice): { purpose: 'terms' | 'marketing'; granted: boolean }[] {
  return [
    { purpose: 'terms', granted: choice.terms },
    { purpose: 'marketing', granted: choice.marketing },
  ];
}
