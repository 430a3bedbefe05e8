/**
 * Who may open a Node-RED editor: technicians (they extend kiosks) and HQ admins (they run the hub's automations).
 * A flow can print, message members and grant points through the flow's acting account, so a cashier or a store
 * manager may not edit one, though a store manager may read a kiosk's diagnostics.
 */
export const FLOW_EDITOR_ROLES: readonly string[] = ['technician', 'hq_admin'];

/** A technician edits the flows of kiosks in their stores; an HQ admin edits any. */
export function mayEditFlows(staff: { role: string; storeIds: readonly string[] }, storeId: string | null): boolean {
  if (staff.role === 'hq_admin') return true;
  if (staff.role !== 'technician') return false;
  return storeId === null || staff.storeIds.includes(storeId);
}
