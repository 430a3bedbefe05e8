/**
 * Provisions a kiosk data directory the way a technician does — a one-time code from the hub's fleet (what
 * `memberkiosk enrol create` does), then the kiosk's own provisioning over the hub's real HTTPS listener with the
 * CA pinned from the code — unless the directory already holds a provisioned kiosk (a restart after a crash).
 */
import { createEnrolmentCode } from '../../hub/fleet/enrolment.ts';
import type { HubDb } from '../../hub/db/hub-db.ts';
import { createHubStores } from '../../hub/db/open-hub-stores.ts';
import { DEMO_STORE_ID } from '../../hub/demo/seed-demo-data.ts';
import { ensureHubCa } from '../../hub/pki/hub-tls.ts';
import { provisionKiosk } from '../../device/provisioning/provision-kiosk.ts';
import { isProvisioned, readProvisioning, type StoredProvisioning } from '../../device/provisioning/stored-provisioning.ts';

/** `db`: the hub's database when its fleet is on PostgreSQL (default: the data directory's fleet.sqlite). */
export async function provisionTestKiosk(opts: { hubDataDir: string; httpsUrl: string; deviceId: string; kioskDir: string; storeId?: string; db?: HubDb }): Promise<StoredProvisioning> {
  if (isProvisioned(opts.kioskDir)) return readProvisioning(opts.kioskDir);
  const { caSha256 } = await ensureHubCa(opts.hubDataDir);
  // A second connection to the hub's fleet (fleet.sqlite or its database), as the CLI opens it while the hub runs.
  const fleet = createHubStores(opts.db ?? { kind: 'sqlite' }, opts.hubDataDir, { cli: true }).fleet;
  await fleet.open();
  let code: string;
  try {
    ({ code } = await createEnrolmentCode(fleet, { storeId: opts.storeId ?? DEMO_STORE_ID, mode: 'attended', ttlMs: 60_000, deviceId: opts.deviceId, caSha256 }));
  } finally {
    await fleet.close();
  }
  return provisionKiosk({ hubUrl: opts.httpsUrl, code, dataDir: opts.kioskDir });
}
