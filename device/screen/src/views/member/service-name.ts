/**
 * A count card's service for people. The member view names only the service id (the rules' cards have no label):
 * the kiosk's configured item of that SKU gives a name in both languages when there is one, else the id is made
 * readable ("car-wash" → "Car wash").
 */
import { locale } from '../../i18n/intl.ts';
import { kiosk } from '../../kiosk/stream.ts';

export function serviceName(serviceId: string): string {
  const item = kiosk.state?.config?.items.find((i) => i.sku === serviceId);
  if (item) return locale.value === 'en' && item.name.en ? item.name.en : item.name['zh-CN'];
  const words = serviceId.replace(/[-_]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}
