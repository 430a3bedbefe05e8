/**
 * A count card's service for people. The member view names only the service id: the kiosk names it by the item that
 * sells its card (GET /api/state `services`), or an item whose SKU is the service id; else the id is made readable
 * ("car-wash" → "Car wash") — a chain should list its count cards among the kiosk's items.
 */
import { locale } from '../../i18n/intl.ts';
import { kiosk } from '../../kiosk/stream.ts';

export function serviceName(serviceId: string): string {
  // The kiosk names a service by the configured item that sells its card (device/app/service-names.ts).
  const named = kiosk.state?.services?.find((s) => s.serviceId === serviceId);
  if (named) return locale.value === 'en' && named.name.en ? named.name.en : named.name['zh-CN'];
  const item = kiosk.state?.config?.items.find((i) => i.sku === serviceId);
  if (item) return locale.value === 'en' && item.name.en ? item.name.en : item.name['zh-CN'];
  const words = serviceId.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}
