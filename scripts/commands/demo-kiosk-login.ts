/**
 * The demo's kiosk comes into the fleet the way every kiosk does: a one-time code from the hub's fleet, redeemed
 * by the kiosk's own provisioning over the hub's HTTPS listener with the CA pinned from the code. On later runs
 * the kiosk starts from what it stored. A kiosk directory whose login the hub no longer knows (the hub's data
 * was deleted) is enrolled afresh; a hub that knows the kiosk while the kiosk lost its login cannot be helped
 * (a device id is never given twice): the demo says to start from an empty data directory.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../core/errors/coded-error.ts';
import { provisionKiosk } from '../../device/provisioning/provision-kiosk.ts';
import { CREDENTIALS_FILE, isProvisioned, PROVISIONING_FILE, readProvisioning, type StoredProvisioning } from '../../device/provisioning/stored-provisioning.ts';
import { createEnrolmentCode } from '../../hub/fleet/enrolment.ts';
import type { FleetRegistry } from '../../hub/fleet/fleet-registry.ts';

export async function demoKioskLogin(opts: { fleet: FleetRegistry; httpsUrl: string; caSha256: string; deviceId: string; storeId: string; kioskDir: string }): Promise<StoredProvisioning> {
  const known = await opts.fleet.device(opts.deviceId);
  if (isProvisioned(opts.kioskDir)) {
    if (known && !known.revokedAt) return readProvisioning(opts.kioskDir);
    // The hub forgot this kiosk (its data was deleted): the stored login is worthless; enrol again.
    for (const file of [PROVISIONING_FILE, CREDENTIALS_FILE]) rmSync(join(opts.kioskDir, file), { force: true });
  }
  if (known) throw new CodedError('DEVICE_ALREADY_ENROLLED', `the hub already enrolled ${opts.deviceId} but ${opts.kioskDir} holds no login for it: start from an empty data directory (remove it and the hub's)`);
  const { code } = await createEnrolmentCode(opts.fleet, { storeId: opts.storeId, mode: 'attended', ttlMs: 60_000, deviceId: opts.deviceId, caSha256: opts.caSha256 });
  return provisionKiosk({ hubUrl: opts.httpsUrl, code, dataDir: opts.kioskDir });
}
