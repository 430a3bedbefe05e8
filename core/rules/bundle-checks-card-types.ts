/**
 * Cross-field checks of the bundle's card types (`cardTypes`, docs/RULES.md and docs/ACCOUNTS.md): what the
 * shape cannot say, each issue with its path like the other bundle checks.
 */
import type { RulesBundle } from './bundle.ts';

type Add = (path: (string | number)[], reason: string) => void;

export function checkCardTypes(bundle: RulesBundle, add: Add): void {
  const cardTypes = bundle.cardTypes;
  if (!cardTypes) return;
  const ladder = new Set(bundle.tiers?.ladder.map((step) => step.tier) ?? []);
  const seen = new Map<string, number>();
  cardTypes.types.forEach((type, i) => {
    const earlier = seen.get(type.typeId);
    if (earlier !== undefined) add(['cardTypes', 'types', i, 'typeId'], `duplicate card type '${type.typeId}' (also cardTypes.types.${earlier})`);
    else seen.set(type.typeId, i);
    // Issuing the type lifts the member to its tier: a tier the ladder lacks could never be reached or ranked.
    if (type.tier !== undefined && !ladder.has(type.tier)) add(['cardTypes', 'types', i, 'tier'], `unknown tier '${type.tier}' (not in tiers.ladder)`);
    // A personal card is the member's own: its spending is the member's, limited by nothing but their balances.
    if (type.class === 'personal' && type.limits !== undefined) add(['cardTypes', 'types', i, 'limits'], 'only supplementary, linked and group cards have limits of their own');
  });
  const defaultId = cardTypes.default ?? cardTypes.types[0]?.typeId;
  const defaultIndex = cardTypes.types.findIndex((type) => type.typeId === defaultId);
  const defaultType = cardTypes.types[defaultIndex];
  if (!defaultType) {
    add(['cardTypes', 'default'], `no card type '${String(defaultId)}' is defined`);
    return;
  }
  // Kiosk self-registration issues the default type and takes no money for it: an issue fee could not be collected.
  if ((defaultType.fees?.issue ?? 0) > 0) add(['cardTypes', 'types', defaultIndex, 'fees', 'issue'], 'the default type (issued by kiosk self-registration) cannot have an issue fee');
  // A self-registered card is the member's own card, not one attached to somebody else's accounts.
  if (defaultType.class !== 'personal') add(['cardTypes', 'types', defaultIndex, 'class'], 'the default type (issued by kiosk self-registration) must be personal');
}
