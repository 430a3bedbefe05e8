/**
 * A store's profile: what its receipts print at the top (name, address, phone) and the time zone its kiosks print
 * and show times in. Kept in the hub's fleet (hub/fleet, fleet schema 4), edited by HQ (PATCH /api/stores/:id),
 * handed to each kiosk in the device.profile look-up, and kept by the kiosk in its settings so it prints correctly
 * offline. One schema for the three, so they agree on what a valid profile is.
 */
import { z } from 'zod';

/** Where a store that never set one is: the chains this is for are in China. */
export const DEFAULT_STORE_TIMEZONE = 'Asia/Shanghai';

/**
 * An IANA zone name this runtime knows: Area/Location ("Asia/Shanghai") or UTC. Offsets ("GMT+8") and abbreviations
 * ("CST", "JST") are not zones, though ICU takes some of them: "CST" is China's to a person and Chicago's to ICU.
 */
export function isIanaTimeZone(zone: string): boolean {
  if (zone !== 'UTC' && !/^[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const storeProfileFieldsSchema = z.object({
  name: z.string().trim().min(1).max(64),
  address: z.string().trim().max(120),
  phone: z.string().trim().max(32).regex(/^[0-9+\-() ]*$/, 'a store phone is digits, spaces and + - ( )'),
  timezone: z.string().refine(isIanaTimeZone, 'an IANA time zone such as Asia/Shanghai'),
});

/** The profile as the kiosk gets and keeps it. */
export const storeProfileSchema = storeProfileFieldsSchema.extend({ storeId: z.string().min(1).max(64) });
export type StoreProfile = z.infer<typeof storeProfileSchema>;
