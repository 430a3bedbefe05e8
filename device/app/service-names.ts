/**
 * What a count card's service is called, for the screen: the rules name a count card by the SKU that sells it and
 * the service it is for (`cards: [{sku, serviceId}]`), and the kiosk's configuration names that SKU in zh-CN (and
 * English) in its items. The member view carries only the service id, so without this a Chinese screen would show
 * "car-wash". A service whose card is not among the items has no name here (the screen then shows its id).
 */
import type { OfferedItem } from '../../core/config/config-content.ts';
import type { RulesBundle } from '../../core/rules/bundle.ts';

export interface ServiceName {
  serviceId: string;
  name: OfferedItem['name'];
}

export function serviceNames(bundle: Pick<RulesBundle, 'cards'> | null, items: readonly OfferedItem[]): ServiceName[] {
  const named: ServiceName[] = [];
  for (const card of bundle?.cards ?? []) {
    if (named.some((n) => n.serviceId === card.serviceId)) continue;
    const item = items.find((i) => i.sku === card.sku);
    if (item) named.push({ serviceId: card.serviceId, name: item.name });
  }
  return named;
}
