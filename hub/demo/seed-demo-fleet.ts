/** The demo's region and store in the fleet (the store the demo ledger's members and kiosk belong to). */
import type { FleetRegistry } from '../fleet/fleet-registry.ts';
import { DEMO_STORE_ID } from './seed-demo-data.ts';

export const DEMO_REGION_ID = 'demo-region';
/** Named as a Chinese chain names its stores and regions: the kiosk screen and receipts show these. */
export const DEMO_REGION_NAME = '华东区';
export const DEMO_STORE_NAME = '南京西路店';

/** True when it added them (an empty fleet). */
export async function seedDemoFleet(fleet: FleetRegistry): Promise<boolean> {
  if (await fleet.store(DEMO_STORE_ID)) return false;
  if (!(await fleet.listRegions()).some((r) => r.regionId === DEMO_REGION_ID)) await fleet.addRegion({ regionId: DEMO_REGION_ID, name: DEMO_REGION_NAME });
  // With a profile, so the demo's receipts show a store's address and phone and print Beijing time.
  await fleet.addStore({ storeId: DEMO_STORE_ID, name: DEMO_STORE_NAME, regionId: DEMO_REGION_ID, address: '上海市静安区南京西路1号', phone: '021-6288 0000', timezone: 'Asia/Shanghai' });
  return true;
}
